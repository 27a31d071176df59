"""An HTTP/1.x response as the protocol defines it (RFC 9112): its head, line by line, and where
its body ends; each violation is described as what was received."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from http import HTTPStatus

from .verdict import quote

# RFC 9112 §4: status-line = HTTP-version SP status-code SP [ reason-phrase ], where
# reason-phrase = 1*( HTAB / SP / VCHAR / obs-text ): free text, which clients ignore.
STATUS_LINE = re.compile(rb"HTTP/1\.[01] [0-9]{3} [\t\x20-\x7e\x80-\xff]*")
# RFC 9110 §5.1, §5.5 and RFC 9112 §5.1: field-name ":" OWS field-value OWS, the name a token.
TOKEN = rb"[-!#$%&'*+.^_`|~0-9A-Za-z]+"
FIELD_LINE = re.compile(TOKEN + rb":[\t\x20-\x7e\x80-\xff]*")
NAME_THEN_SPACE = re.compile(TOKEN + rb"[ \t]+:")
CHUNK_SIZE = re.compile(rb"([0-9A-Fa-f]+)[ \t]*(?:;[^\r\n]*)?")
NOT_A_FIELD = "not a header field 'Name: value'"
# A head longer than this without its blank line is not one.
MAX_HEAD = 65536


class Violation(Exception):  # noqa: N818 -- a finding about the response, not an error
    """The response breaks a rule: ``detail`` says what was received, ``expected`` and ``got``
    are the bytes the comparison shows (what the rule asks for, what arrived)."""

    def __init__(self, detail: str, expected: bytes, got: bytes) -> None:
        super().__init__(detail)
        self.detail = detail
        self.expected = expected
        self.got = got


def example_status_line(code: int | None) -> bytes:
    """The status line a server would send for this code: b'HTTP/1.1 404 Not Found\\r\\n'."""
    if code is None:
        return b"HTTP/1.1 200 OK\r\n"
    try:
        reason = HTTPStatus(code).phrase
    except ValueError:
        reason = "Reason"
    return f"HTTP/1.1 {code} {reason}\r\n".encode("ascii")


def _version_problem(line: bytes) -> str | None:
    if line[:1] in (b" ", b"\t", b""):
        return {b" ": "a leading space", b"\t": "a leading tab"}.get(
            line[:1], "an empty line: the status line must come first"
        )
    if line.startswith(b"HTTP/"):
        version = line.partition(b" ")[0]
        if version in (b"HTTP/1.0", b"HTTP/1.1"):
            return None
        return f"the version {quote(version)} is not HTTP/1.0 or HTTP/1.1"
    if re.match(rb"[0-9]{3}\b", line):
        return "no HTTP version before the status code: it starts 'HTTP/1.1 '"
    if line[:5].upper() == b"HTTP/":
        return "the version is case-sensitive: 'HTTP/1.1' (RFC 9112 §2.3)"
    return "it does not start with the version 'HTTP/1.1' or 'HTTP/1.0'"


def status_line_problem(line: bytes) -> str | None:
    """What is wrong with a status line (its CRLF removed), as an aside; None if it is right."""
    if STATUS_LINE.fullmatch(line):
        return None
    problem = _version_problem(line)
    if problem:
        return problem
    rest = line.partition(b" ")[2]
    if not re.match(rb"[0-9]{3}", rest):
        return "one space and a three-digit status code must follow the version"
    if rest[3:4] != b" ":
        return (
            "no space after the status code (RFC 9112 §4: 'HTTP/1.1 200 ' even when the "
            "reason phrase is empty)"
        )
    return "the reason phrase holds a control character"


def field_line_problem(line: bytes) -> str | None:
    """What is wrong with a header line (its CRLF removed); None if it is 'Name: value'."""
    if FIELD_LINE.fullmatch(line):
        return None
    if line[:1] in (b" ", b"\t"):
        return "it starts with a space (obsolete line folding, RFC 9112 §5.2)"
    if NAME_THEN_SPACE.match(line):
        return "a space between the field name and the colon (RFC 9112 §5.1 forbids it)"
    if re.match(TOKEN + rb":", line):
        return "its value holds a control character"
    return NOT_A_FIELD


@dataclass
class Head:
    """The status line and header fields of a response, parsed from its first bytes."""

    status_line: bytes
    code: int
    fields: list[tuple[str, bytes]] = field(default_factory=list)
    size: int = 0  # bytes of the head, its blank line included

    def values(self, name: str) -> list[bytes]:
        """The values of a field, by its case-insensitive name (RFC 9110 §5.1)."""
        return [v for n, v in self.fields if n == name.lower()]


def _lines(data: bytes) -> list[tuple[int, bytes, bool]]:
    """The complete lines of data: (offset, line without its line end, ended in CRLF)."""
    found: list[tuple[int, bytes, bool]] = []
    start = 0
    while (end := data.find(b"\n", start)) >= 0:
        line = data[start:end]
        crlf = line.endswith(b"\r")
        found.append((start, line[:-1] if crlf else line, crlf))
        start = end + 1
    return found


def _early_status_problem(data: bytes) -> None:
    """A first line still incomplete but already wrong need not be waited for to its end."""
    if len(data) > MAX_HEAD:
        raise Violation(
            f"the first {len(data)} bytes hold no line end: that is no status line",
            example_status_line(None),
            data[:200],
        )
    if not data or any(v.startswith(data[:9]) for v in (b"HTTP/1.1 ", b"HTTP/1.0 ")):
        return
    problem = status_line_problem(data)
    if problem and not problem.startswith("no space after"):
        raise Violation(
            f"the status line starts {quote(data)} ({problem})", example_status_line(None), data
        )


def _status(data: bytes, first: bytes, crlf: bool) -> Head:
    problem = status_line_problem(first)
    if problem:
        raise Violation(
            f"the status line is {quote(first)} ({problem})",
            example_status_line(None),
            first + (b"\r\n" if crlf else b"\n"),
        )
    if not crlf:
        raise Violation(
            f"the status line {quote(first)} ends in LF, not CRLF (RFC 9112 §2.2)",
            first + b"\r\n",
            first + b"\n",
        )
    return Head(status_line=first, code=int(first[9:12]))


def _field(data: bytes, number: int, offset: int, line: bytes, crlf: bool) -> tuple[str, bytes]:
    """A header line's name (lower case) and value; Violation when it breaks the rules."""
    end = offset + len(line) + (2 if crlf else 1)
    problem = field_line_problem(line)
    if problem == NOT_A_FIELD:
        raise Violation(
            f"no blank line after the headers: line {number} of the response is "
            f"{quote(line)}, {NOT_A_FIELD} (RFC 9112 §2.1: a blank line ends the headers)",
            data[:offset] + b"\r\n" + data[offset:end],
            data[:end],
        )
    if problem:
        raise Violation(
            f"header line {number} of the response is {quote(line)}: {problem}",
            data[:offset],
            data[:end],
        )
    if not crlf:
        raise Violation(
            f"header line {number} of the response ({quote(line)}) ends in LF, not CRLF "
            "(RFC 9112 §2.2)",
            data[:offset] + line + b"\r\n",
            data[:end],
        )
    name, _, value = line.partition(b":")
    return name.decode("ascii").lower(), value.strip(b" \t")


def parse_head(data: bytes) -> Head | None:
    """The head when all of it has arrived; None while it may still be coming.

    Raises Violation at the first line that breaks the protocol, as soon as that line is
    complete (so a body sent without the blank line is caught at its first line).
    """
    lines = _lines(data)
    if not lines:
        _early_status_problem(data)
        return None
    head = _status(data, lines[0][1], lines[0][2])
    for number, (offset, line, crlf) in enumerate(lines[1:], start=2):
        if line:
            head.fields.append(_field(data, number, offset, line, crlf))
            continue
        if not crlf:
            raise Violation(
                "the blank line after the headers is a bare LF, not CRLF (RFC 9112 §2.2)",
                data[:offset] + b"\r\n",
                data[: offset + 1],
            )
        head.size = offset + 2
        return head
    if len(data) > MAX_HEAD:
        raise Violation(
            f"the headers run past {MAX_HEAD} bytes without the blank line that ends them",
            b"\r\n",
            data[-200:],
        )
    return None


def unfinished_head(data: bytes) -> str:
    """What arrived of a head that never ended, as a clause after 'the program ...'."""
    lines = _lines(data)
    if not data:
        return "sent no response"
    if not lines:
        return f"sent {quote(data)}, no complete status line"
    return (
        f"sent the status line and {len(lines) - 1} header line(s), without the blank line "
        "that ends the headers"
    )


def content_length(head: Head) -> int | None:
    """The body's length from Content-Length (RFC 9112 §6.3), None when absent."""
    values = {v for raw in head.values("content-length") for v in raw.split(b",")}
    values = {v.strip() for v in values}
    if not values:
        return None
    if len(values) > 1 or not next(iter(values)).isdigit():
        shown = ", ".join(quote(v) for v in sorted(values))
        raise Violation(
            f"the Content-Length is not one number of bytes: {shown} (RFC 9110 §8.6)",
            b"Content-Length: 161\r\n",
            b"".join(b"Content-Length: " + v + b"\r\n" for v in head.values("content-length")),
        )
    return int(next(iter(values)))


def is_chunked(head: Head) -> bool:
    codings = b",".join(head.values("transfer-encoding")).lower()
    return codings.replace(b" ", b"").split(b",")[-1:] == [b"chunked"]


def without_body(head: Head) -> bool:
    """1xx, 204 and 304 responses have no body, whatever their headers say (RFC 9112 §6.3)."""
    return head.code < 200 or head.code in (204, 304)


def dechunk(data: bytes) -> tuple[bytes, int] | None:
    """A chunked body (RFC 9112 §7.1): (the body, bytes it took) once its last chunk and
    trailer section have arrived; None while they may still be coming."""
    body = bytearray()
    at = 0
    while True:
        end = data.find(b"\r\n", at)
        if end < 0:
            return None
        size_line = data[at:end]
        match = CHUNK_SIZE.fullmatch(size_line)
        if not match:
            raise Violation(
                f"the chunk size line {quote(size_line)} is not a hexadecimal size (RFC 9112 §7.1)",
                b"a1\r\n",
                size_line,
            )
        size = int(match.group(1), 16)
        at = end + 2
        if size == 0:
            break
        if len(data) < at + size + 2:
            return None
        body += data[at : at + size]
        if data[at + size : at + size + 2] != b"\r\n":
            raise Violation(
                f"chunk data of {size} bytes is not followed by CRLF (RFC 9112 §7.1)",
                b"\r\n",
                data[at + size : at + size + 2],
            )
        at += size + 2
    while True:  # the trailer section, up to its blank line
        end = data.find(b"\r\n", at)
        if end < 0:
            return None
        line, at = data[at:end], end + 2
        if not line:
            return bytes(body), at
