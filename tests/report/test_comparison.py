"""Expected against got for display: literal comparisons get a diff, patterns and digests do not."""

from __future__ import annotations

from grader.report.bytes_view import visible_text
from grader.report.comparison import SHOWN_OUTPUT, comparison_view, output_view
from grader.results import Comparison


def test_literal_comparison_has_a_diff_and_a_sentence() -> None:
    view = comparison_view(Comparison(kind="line", expected=b"ok\n", got=b"OK\n", got_size=3))
    assert view.diff is not None and [line.sign for line in view.diff] == ["removed", "added"]
    assert view.summary == "From the first byte, expected 'o' (0x6f) but got 'O' (0x4f)."
    assert view.expected.caption == "Expected line · 3 bytes"


def test_pattern_comparison_shows_both_sides_without_a_diff() -> None:
    view = comparison_view(Comparison(kind="regex", expected=rb"\d+\n", got=b"x\n", got_size=2))
    assert (view.diff, view.summary) == (None, "")
    assert view.expected.caption == "Expected a match for the regular expression"
    assert visible_text(view.expected.tokens) == "\\d+\\n"


def test_a_cut_reply_says_how_much_was_received() -> None:
    view = comparison_view(Comparison(kind="bytes", expected=b"a" * 10, got=b"a" * 4, got_size=9))
    assert view.got.caption == "Got · 9 bytes"
    assert view.got.note == (
        "Showing the first 4 bytes of the 9 bytes received (the rest was not kept)."
    )
    assert view.summary.startswith("The 4 bytes kept of what was received match")


def test_output_shows_its_end_with_a_note() -> None:
    view = output_view("stdout", b"x" * (SHOWN_OUTPUT + 10))
    assert len(visible_text(view.tokens)) == SHOWN_OUTPUT
    assert view.note.startswith("Showing the last 16,384 bytes (16.0 KiB) of the 16,394 bytes")
    assert view.quiet
