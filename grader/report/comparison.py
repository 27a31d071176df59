"""Expected against got, and the program's output, prepared for display."""

from __future__ import annotations

from dataclasses import dataclass

from grader.report.bytes_view import (
    DiffLine,
    Token,
    diff,
    first_difference,
    plural,
    printable,
    size_text,
    tail_bytes,
    tokens,
)
from grader.results import Comparison

SHOWN_BYTES = 4096  # bytes of expected and of got displayed (and diffed)
SHOWN_OUTPUT = 16384  # bytes of each output tail displayed
# Comparisons whose expected side is literal bytes that got should equal, so a diff means
# something; the others (regex, sha256, size, output "contains", eof) show both sides only.
LITERAL_KINDS = frozenset({"bytes", "line", "datagram", "all"})
EXPECTED_TITLES = {
    "bytes": "Expected",
    "line": "Expected line",
    "datagram": "Expected datagram",
    "all": "Expected (everything until the connection closes)",
    "regex": "Expected a match for the regular expression",
    "sha256": "Expected (checked by SHA-256)",
    "size": "Expected (a number of bytes)",
    "output": "Expected in the program's output",
    "eof": "Expected the end of the stream (nothing more)",
}


@dataclass(frozen=True, slots=True)
class Bytes:
    """Bytes to display, with a caption and a note on what was left out."""

    caption: str
    tokens: tuple[Token, ...]
    note: str = ""
    quiet: bool = False  # program output: line breaks stand for \n, no marker


@dataclass(frozen=True, slots=True)
class ComparisonView:
    """Expected against got, with a diff and a sentence on the first difference."""

    kind: str
    expected: Bytes
    got: Bytes
    diff: tuple[DiffLine, ...] | None
    summary: str


def _shown(caption: str, data: bytes, total: int, what: str) -> Bytes:
    shown = data[:SHOWN_BYTES]
    note = ""
    if total > len(shown):
        note = f"Showing the first {plural(len(shown), 'byte')} of the {size_text(total)} {what}."
    return Bytes(caption, tuple(tokens(shown)), note)


def comparison_view(comparison: Comparison) -> ComparisonView:
    """Both sides shown (cut to SHOWN_BYTES); a diff and a first-difference sentence only when
    expected is literal bytes."""
    kind = comparison.kind
    literal = kind in LITERAL_KINDS
    expected_title = EXPECTED_TITLES.get(kind, f"Expected ({printable(kind)})")
    if literal:
        expected_title += f" · {plural(len(comparison.expected), 'byte')}"
    expected = _shown(expected_title, comparison.expected, len(comparison.expected), "expected")
    got = _shown(
        f"Got · {plural(comparison.got_size, 'byte')}",
        comparison.got,
        comparison.got_size,
        "received"
        if comparison.got_size == len(comparison.got)
        else "received (the rest was not kept)",
    )
    if not literal:
        return ComparisonView(kind, expected, got, None, "")
    return ComparisonView(
        kind,
        expected,
        got,
        tuple(diff(comparison.expected[:SHOWN_BYTES], comparison.got[:SHOWN_BYTES])),
        first_difference(
            comparison.expected, comparison.got, comparison.got_size, offset=comparison.offset
        ),
    )


def output_view(name: str, data: bytes) -> Bytes:
    """The end of an output tail (the last SHOWN_OUTPUT bytes), line breaks without markers."""
    shown = tail_bytes(data, SHOWN_OUTPUT)
    note = ""
    if len(shown) < len(data):
        note = f"Showing the last {size_text(len(shown))} of the {size_text(len(data))} kept."
    return Bytes(f"{name} · {plural(len(data), 'byte')}", tuple(tokens(shown)), note, quiet=True)
