"""Bytes made visible: every control byte, line end and invalid byte shows as a token."""

from __future__ import annotations

from grader.report.bytes_view import (
    DiffLine,
    Token,
    clip,
    diff,
    first_difference,
    printable,
    tail_bytes,
    tokens,
    units,
    visible_text,
)


def kinds(data: bytes) -> list[tuple[str, str]]:
    return [(t.kind, t.text) for t in tokens(data)]


def test_line_ends_control_and_invalid_bytes_become_tokens() -> None:
    assert kinds(b"hello\r\n\x00\xff\tx") == [
        ("text", "hello"),
        ("cr", "\\r"),
        ("lf", "\\n"),
        ("ctl", "\\x00"),
        ("bad", "\\xff"),
        ("tab", "\\t"),
        ("text", "x"),
    ]


def test_utf8_text_stays_text_and_invisible_characters_are_shown() -> None:
    assert kinds("héllo wörld".encode()) == [("text", "héllo wörld")]
    assert kinds("a\u202eb\u200bc\u00a0d".encode()) == [
        ("text", "a"),
        ("uni", "\\u202e"),
        ("text", "b"),
        ("uni", "\\u200b"),
        ("text", "c"),
        ("uni", "\\u00a0"),
        ("text", "d"),
    ]


def test_a_cut_utf8_character_shows_its_bytes() -> None:
    assert kinds("é".encode()[:1] + b"ok") == [("bad", "\\xc3"), ("text", "ok")]


def test_trailing_spaces_are_visible_but_inner_spaces_are_not() -> None:
    assert kinds(b"a b  \r\nc ") == [
        ("text", "a b"),
        ("space", "··"),
        ("cr", "\\r"),
        ("lf", "\\n"),
        ("text", "c"),
        ("space", "·"),
    ]


def test_clip_cuts_runs_but_never_splits_a_marker() -> None:
    cut, clipped = clip(units(b"abc\r\ndef"), 4)
    assert (visible_text(cut), clipped) == ("abc", True)
    cut, clipped = clip(units(b"abc\r\ndef"), 5)
    assert (visible_text(cut), clipped) == ("abc\\r", True)
    cut, clipped = clip(units(b"\x00" * 10), 9)
    assert (cut, clipped) == ([Token("ctl", "\\x00\\x00", "NUL")], True)
    assert clip(units(b"ab"), 5) == (tokens(b"ab"), False)


def test_binary_runs_are_one_token() -> None:
    assert kinds(b"\x01\x02\xff\xfeok\n\n") == [
        ("ctl", "\\x01\\x02"),
        ("bad", "\\xff\\xfe"),
        ("text", "ok"),
        ("lf", "\\n"),
        ("lf", "\\n"),
    ]


def test_printable_escapes_what_could_hide_or_reorder_text() -> None:
    assert printable("alice") == "alice"
    assert printable("ali\u202ece\x00\n") == "ali\\u202ece\\x00\\n"


def test_diff_pairs_changed_lines_and_marks_only_the_difference() -> None:
    text = Token("text", "hello")
    assert diff(b"hello\r\n", b"hello\n\x00") == [
        DiffLine("removed", (text,), tuple(tokens(b"\r")), tuple(tokens(b"\n")), paired=True),
        DiffLine("added", (text,), (), tuple(tokens(b"\n")), paired=True),
        DiffLine("added", (), tuple(tokens(b"\x00"))),
    ]


def test_diff_keeps_equal_lines_plain() -> None:
    lines = diff(b"one\ntwo\nthree\n", b"one\nTWO\nthree\n")
    assert [(line.sign, visible_text(line.changed)) for line in lines] == [
        ("same", ""),
        ("removed", "two"),
        ("added", "TWO"),
        ("same", ""),
    ]


def test_first_difference_names_the_bytes_that_differ() -> None:
    assert first_difference(b"hello\r\n", b"hello\n\x00", 7) == (
        "The first 5 bytes match; next expected \\r (carriage return, byte 0x0d) "
        "but got \\n (line feed, byte 0x0a)."
    )


def test_first_difference_on_short_long_and_empty_replies() -> None:
    assert first_difference(b"abc", b"", 0) == "Nothing was received; expected 3 bytes."
    assert first_difference(b"abc", b"ab", 2) == (
        "What was received matches the start of what was expected, but 1 byte is missing, "
        "from 'c' (0x63) on."
    )
    assert first_difference(b"ab", b"ab\n", 3) == (
        "All 2 expected bytes match, then 1 extra byte follows, starting with "
        "\\n (line feed, byte 0x0a)."
    )
    assert first_difference(b"ab", b"ab", 2) == "The bytes received are the bytes expected."
    assert first_difference(b"", b"\x00x", 2) == (
        "Expected nothing, but got 2 bytes, starting with \\x00 (NUL, byte 0x00)."
    )


def test_tail_bytes_does_not_start_inside_a_character() -> None:
    assert tail_bytes("xé".encode() + b"z", 2) == b"z"
    assert tail_bytes(b"abc", 5) == b"abc"
