"""Untrusted bytes made visible: line ends, control characters and invalid UTF-8 as tokens."""

from __future__ import annotations

import difflib
import functools
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

TokenKind = Literal["text", "cr", "lf", "tab", "ctl", "bad", "uni", "space"]
DiffSign = Literal["same", "removed", "added"]

_CONTROL_NAMES = {
    0x00: "NUL",
    0x07: "BEL",
    0x08: "backspace",
    0x0B: "vertical tab",
    0x0C: "form feed",
    0x1B: "ESC",
    0x7F: "DEL",
}
# Unicode categories that print nothing or reorder text: shown as \uXXXX so nothing hides.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp", "Zs"})


@dataclass(frozen=True, slots=True)
class Token:
    """A run of plain text, or one special character shown as a visible marker."""

    kind: TokenKind
    text: str
    title: str = ""


@dataclass(frozen=True, slots=True)
class DiffLine:
    """One line of a diff: the unchanged head, the changed middle (highlighted) and the tail."""

    sign: DiffSign
    head: tuple[Token, ...]
    changed: tuple[Token, ...] = ()
    tail: tuple[Token, ...] = ()
    paired: bool = False  # replaces a line on the other side: an empty change is a gap


_SPECIALS = {
    "\n": Token("lf", "\\n", "line feed"),
    "\r": Token("cr", "\\r", "carriage return"),
    "\t": Token("tab", "\\t", "tab"),
}


@functools.lru_cache(maxsize=4096)
def _unit(ch: str) -> Token:
    """The token for one decoded character (surrogate escapes stand for invalid bytes)."""
    code = ord(ch)
    special = _SPECIALS.get(ch)
    if special is None and (code < 0x20 or code == 0x7F):
        name = _CONTROL_NAMES.get(code, "control character")
        special = Token("ctl", f"\\x{code:02x}", "" if name == "control character" else name)
    elif special is None and 0xDC80 <= code <= 0xDCFF:
        byte = code - 0xDC00
        special = Token("bad", f"\\x{byte:02x}", "not valid UTF-8")
    elif special is None and code > 0x7F and unicodedata.category(ch) in _INVISIBLE_CATEGORIES:
        name = unicodedata.name(ch, "unassigned or invisible character")
        special = Token("uni", f"\\u{code:04x}", f"U+{code:04X} {name}")
    return special or Token("text", ch)


_TRAILING_SPACE = Token("space", "·", "space at the end of a line")


def units(data: bytes) -> list[Token]:
    """One token per character of data, trailing spaces before a line end made visible."""
    out = [_unit(ch) for ch in data.decode("utf-8", errors="surrogateescape")]
    at_line_end = True
    for i in range(len(out) - 1, -1, -1):
        kind = out[i].kind
        if kind in ("lf", "cr"):
            at_line_end = True
        elif at_line_end and out[i].text == " " and kind == "text":
            out[i] = _TRAILING_SPACE
        else:
            at_line_end = False
    return out


# Runs of these kinds become one token (binary data would otherwise be one element a byte).
_MERGED = frozenset({"text", "ctl", "bad", "tab", "space"})


def merge(tokens: Iterable[Token]) -> list[Token]:
    """Join neighbouring tokens of the same kind (not line ends) so the page has few elements."""
    out: list[Token] = []
    for token in tokens:
        last = out[-1] if out else None
        if last is not None and token.kind == last.kind and token.kind in _MERGED:
            title = last.title if token.title == last.title else ""
            out[-1] = Token(token.kind, last.text + token.text, title)
        else:
            out.append(token)
    return out


def tokens(data: bytes) -> list[Token]:
    """The visible tokens of data."""
    return merge(units(data))


def str_tokens(text: str) -> list[Token]:
    """The visible tokens of a str (a build log), with any smuggled surrogates shown as bytes."""
    try:
        data = text.encode("utf-8", errors="surrogateescape")
    except UnicodeEncodeError:
        data = text.encode("utf-8", errors="surrogatepass")
    return tokens(data)


def visible_text(tokens_: Iterable[Token]) -> str:
    """The plain text a reader sees for these tokens (no line breaks)."""
    return "".join(t.text for t in tokens_)


def clip(units_: Sequence[Token], max_chars: int) -> tuple[list[Token], bool]:
    """Units (one token a character, see units) cut to at most max_chars visible characters and
    merged, and whether anything was cut."""
    used = 0
    for i, token in enumerate(units_):
        used += len(token.text)
        if used > max_chars:
            return merge(units_[:i]), True
    return merge(units_), False


def printable(text: str) -> str:
    """A str from the grader or the student (ids, reasons) with control and invisible characters
    written as escapes, so that it cannot break lines, hide text or reorder it."""
    if text.isprintable():
        return text
    return "".join(_unit(ch).text for ch in text)


def _lines(units_: list[Token]) -> list[list[Token]]:
    lines: list[list[Token]] = [[]]
    for token in units_:
        lines[-1].append(token)
        if token.kind == "lf":
            lines.append([])
    if not lines[-1]:
        lines.pop()
    return lines


def _paired(a: list[Token], b: list[Token]) -> tuple[DiffLine, DiffLine]:
    """Two lines that replace each other, their common head and tail kept plain."""
    limit = min(len(a), len(b))
    head = 0
    while head < limit and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < limit - head and a[len(a) - 1 - tail] == b[len(b) - 1 - tail]:
        tail += 1

    def line(sign: DiffSign, units_: list[Token]) -> DiffLine:
        end = len(units_) - tail
        return DiffLine(
            sign,
            tuple(merge(units_[:head])),
            tuple(merge(units_[head:end])),
            tuple(merge(units_[end:])),
            paired=True,
        )

    return line("removed", a), line("added", b)


def diff(expected: bytes, got: bytes) -> list[DiffLine]:
    """A line diff of the visible forms of expected and got; within a pair of changed lines the
    part between their common head and tail is marked as changed."""
    old = _lines(units(expected))
    new = _lines(units(got))
    matcher = difflib.SequenceMatcher(
        None, [visible_text(x) for x in old], [visible_text(x) for x in new], autojunk=False
    )
    out: list[DiffLine] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out.extend(DiffLine("same", tuple(merge(x))) for x in old[i1:i2])
            continue
        removed = [DiffLine("removed", (), tuple(merge(x))) for x in old[i1:i2]]
        added = [DiffLine("added", (), tuple(merge(x))) for x in new[j1:j2]]
        for k in range(min(len(removed), len(added))):
            removed[k], added[k] = _paired(old[i1 + k], new[j1 + k])
        out.extend(removed)
        out.extend(added)
    return out


def describe_byte(value: int) -> str:
    """A byte for a sentence: its visible form, its name if it has one, and its hex value."""
    token = _unit(chr(value)) if value < 0x80 else _unit(chr(0xDC00 + value))
    if token.kind == "text":
        return f"'{token.text}' (0x{value:02x})"
    if token.kind == "bad":
        return f"byte 0x{value:02x}"
    name = f"{token.title}, " if token.title else ""
    return f"{token.text} ({name}byte 0x{value:02x})"


def _short_reply(expected: bytes, got: bytes, *, cut: bool) -> str:
    """The sentence for a reply that is a prefix of what was expected."""
    if cut:
        return (
            f"The {plural(len(got), 'byte')} kept of what was received match the start of "
            "what was expected; the rest was not kept."
        )
    if not got:
        return f"Nothing was received; expected {plural(len(expected), 'byte')}."
    missing = len(expected) - len(got)
    return (
        f"What was received matches the start of what was expected, but "
        f"{plural(missing, 'byte')} {'is' if missing == 1 else 'are'} missing, from "
        f"{describe_byte(expected[len(got)])} on."
    )


def first_difference(expected: bytes, got: bytes, got_size: int, *, offset: int = 0) -> str:
    """One sentence on where got first departs from expected (got may be a cut preview).

    offset: where both previews start in the stream, counted into "the first N bytes match".
    """
    same = 0
    limit = min(len(expected), len(got))
    while same < limit and expected[same] == got[same]:
        same += 1
    cut = got_size > len(got)
    if not expected and got:
        return (
            f"Expected nothing, but got {plural(got_size, 'byte')}, starting with "
            f"{describe_byte(got[0])}."
        )
    if same < limit:
        matched = offset + same
        lead = {0: "From the first byte,", 1: "The first byte matches; next"}.get(
            matched, f"The first {matched:,} bytes match; next"
        )
        return (
            f"{lead} expected {describe_byte(expected[same])} but got {describe_byte(got[same])}."
        )
    if len(got) < len(expected):
        return _short_reply(expected, got, cut=cut)
    extra = got_size - len(expected)
    if extra > 0:
        start = f", starting with {describe_byte(got[same])}" if same < len(got) else ""
        return (
            f"All {plural(len(expected), 'expected byte')} match, then "
            f"{plural(extra, 'extra byte')} {'follows' if extra == 1 else 'follow'}{start}."
        )
    return "The bytes received are the bytes expected."


def plural(count: int, noun: str) -> str:
    """'1 byte', '2 bytes', '1,024 bytes'."""
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"


def size_text(count: int) -> str:
    """A byte count for people: exact, and in KiB or MiB when large."""
    exact = plural(count, "byte")
    if count >= 1 << 20:
        return f"{exact} ({count / (1 << 20):.1f} MiB)"
    if count >= 1 << 10:
        return f"{exact} ({count / (1 << 10):.1f} KiB)"
    return exact


def tail_bytes(data: bytes, limit: int) -> bytes:
    """The last limit bytes of data, not starting inside a UTF-8 character."""
    if len(data) <= limit:
        return data
    start = len(data) - limit
    for _ in range(3):
        if start < len(data) and data[start] & 0xC0 == 0x80:
            start += 1
    return data[start:]
