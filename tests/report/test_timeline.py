"""The conversation layout: arrows point the right way, markers sit on lanes, floods are capped."""

from __future__ import annotations

from collections.abc import Callable

from grader.report import timeline
from grader.results import Event


def test_sends_point_to_the_program_and_receives_to_the_grader(
    make_event: Callable[..., Event],
) -> None:
    layout = timeline.build(
        [
            make_event(0.0, "main", "send", b"hi\n"),
            make_event(0.001, "main", "recv", b"hi\n"),
            make_event(0.002, "u", "datagram_out", b"ping"),
            make_event(0.003, "u", "datagram_in", b"pong"),
        ]
    )
    directions = [(r.kind, r.x1 < r.x2) for r in layout.rows]
    assert directions == [("arrow", True), ("arrow", False), ("arrow", True), ("arrow", False)]
    assert [r.time for r in layout.rows] == ["0.0 ms", "1.0 ms", "2.0 ms", "3.0 ms"]


def test_program_side_events_sit_on_the_program_lane(make_event: Callable[..., Event]) -> None:
    layout = timeline.build(
        [
            make_event(0.0, "main", "connect", note="127.0.0.1:4000"),
            make_event(0.1, "main", "eof"),
            make_event(0.2, "main", "rst"),
            make_event(0.3, "program", "process", note="exited with code 1"),
            make_event(0.4, "main", "timeout", note="5 s"),
        ]
    )
    lanes = [r.x1 for r in layout.rows]
    assert lanes == [timeline.GRADER_X] + [timeline.PROGRAM_X] * 3 + [timeline.GRADER_X]
    assert [r.tone for r in layout.rows] == ["plain", "plain", "bad", "plain", "warn"]
    assert layout.rows[0].text == "connected: 127.0.0.1:4000"


def test_connections_get_colours_in_order_of_appearance(make_event: Callable[..., Event]) -> None:
    layout = timeline.build(
        [
            make_event(0.0, "b", "connect"),
            make_event(0.0, "program", "process", note="started"),
            make_event(0.1, "a", "connect"),
            make_event(0.2, "b", "close"),
        ]
    )
    assert [(i.conn, i.colour) for i in layout.legend] == [
        ("b", "c0"),
        ("program", "cp"),
        ("a", "c1"),
    ]


def test_long_payloads_are_shown_by_size_and_digest() -> None:
    event = Event(t=0, conn="main", kind="send", size=100_000, data=b"x" * 64, sha256="ab" * 32)
    row = timeline.build([event]).rows[0]
    assert (row.size, row.payload) == ("100,000 bytes · sha256 abababababab…", ())


def test_short_payloads_are_shown_escaped_and_clipped() -> None:
    event = Event(t=0, conn="main", kind="recv", size=64, data=b"\x00" * 64)
    row = timeline.build([event]).rows[0]
    assert row.size == "64 bytes"
    assert row.clipped
    assert "".join(t.text for t in row.payload) == "\\x00" * 16


def test_many_events_draw_head_and_tail_with_a_gap_but_list_all(
    make_event: Callable[..., Event],
) -> None:
    events = [make_event(i / 1000, "main", "send", b"x") for i in range(500)]
    layout = timeline.build(events)
    assert [r.kind for r in layout.rows].count("arrow") == timeline.DRAW_CAP
    gap = layout.rows[timeline.DRAW_CAP // 2]
    assert gap.kind == "gap"
    assert gap.text.startswith("300 events not drawn here (100.0 ms to 399.0 ms)")
    assert layout.cap_note.startswith("300 more events not drawn")
    assert len(layout.table) == 500
    assert layout.unlisted_note == ""
