"""The conversation of one test laid out for the report: SVG rows between two lanes and a table."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from grader.report.bytes_view import Token, clip, plural, printable, tokens, units
from grader.results import Event

DRAW_CAP = 200  # events drawn in the SVG: the first and the last half of this
TABLE_CAP = 5000  # events listed in the table
LONG_PAYLOAD = 64  # bytes above which a payload is shown by size and SHA-256
LABEL_CHARS = 64  # visible characters of a payload in an arrow label
MARKER_CHARS = 72  # characters of a marker's text
TABLE_BYTES = 64  # bytes of each event's data shown in the table
PALETTE = 6  # connection colours, c0 .. c5 in the stylesheet

WIDTH = 900
TIME_X = 80
GRADER_X = 150
PROGRAM_X = 830
TOP = 52
ARROW_ROW = 32
MARKER_ROW = 24
GAP_ROW = 40

RowKind = Literal["arrow", "marker", "gap"]
Tone = Literal["plain", "warn", "bad"]

TO_PROGRAM = frozenset({"send", "datagram_out", "stdin"})
TO_GRADER = frozenset({"recv", "datagram_in"})
ON_PROGRAM_LANE = frozenset({"eof", "rst", "process"})
MARKER_LABELS = {
    "connect": "connected",
    "connect_retry": "connect failed, retrying",
    "listen": "listening",
    "accept": "accepted a connection",
    "udp_bind": "UDP socket bound",
    "close": "grader closed the connection",
    "half_close": "grader finished sending (half-close)",
    "reset": "grader reset the connection (RST)",
    "eof": "your program closed the connection (EOF)",
    "rst": "your program reset the connection (RST)",
    "timeout": "timed out waiting",
    "process": "",
    "note": "",
    "error": "error",
    "dropped": "",  # the relay's note says which datagram: "relay dropped datagram 3 ..."
    "duplicated": "",
}
TONES: dict[str, Tone] = {
    "rst": "bad",
    "error": "bad",
    "timeout": "warn",
    "reset": "warn",
    "dropped": "warn",
    "duplicated": "warn",
}


@dataclass(frozen=True, slots=True)
class Row:
    """One drawn event (or the gap standing for those not drawn), with its coordinates."""

    kind: RowKind
    mid: int
    time: str = ""
    conn: str = ""
    colour: str = ""
    x1: int = 0
    x2: int = 0
    head: str = ""
    size: str = ""
    payload: tuple[Token, ...] = ()
    clipped: bool = False
    text: str = ""
    text_x: int = 0
    anchor: Literal["start", "middle", "end"] = "start"
    tone: Tone = "plain"


@dataclass(frozen=True, slots=True)
class EventRow:
    """One event as a line of the plain table."""

    number: int
    time: str
    conn: str
    colour: str
    kind: str
    direction: str
    size: str
    data: tuple[Token, ...]
    more: str
    note: str
    tone: Tone


@dataclass(frozen=True, slots=True)
class LegendItem:
    """A connection name and its colour class."""

    conn: str
    colour: str


@dataclass(frozen=True, slots=True)
class Timeline:
    """Everything the template needs to draw a test's conversation."""

    width: int
    height: int
    grader_x: int
    program_x: int
    time_x: int
    rows: tuple[Row, ...]
    legend: tuple[LegendItem, ...]
    count: str
    cap_note: str
    table: tuple[EventRow, ...]
    table_title: str
    unlisted_note: str


def ms(seconds: float) -> str:
    """Seconds since the test started, as milliseconds for the timeline."""
    return f"{seconds * 1000:,.1f} ms"


def _colours(events: Sequence[Event]) -> dict[str, str]:
    """A colour class per connection, in order of first appearance (the program's is grey)."""
    colours: dict[str, str] = {}
    palette = 0
    for event in events:
        if event.conn in colours:
            continue
        if event.conn == "program":
            colours[event.conn] = "cp"
        else:
            colours[event.conn] = f"c{palette % PALETTE}"
            palette += 1
    return colours


def _digest(event: Event) -> str | None:
    if event.sha256:
        return event.sha256
    if len(event.data) == event.size:
        return hashlib.sha256(event.data).hexdigest()
    return None


def _size(event: Event) -> int:
    return max(event.size, len(event.data))


def _arrow(event: Event, mid: int, colour: str) -> Row:
    rightward = event.kind in TO_PROGRAM
    start, end = (GRADER_X, PROGRAM_X) if rightward else (PROGRAM_X, GRADER_X)
    tip = end - 2 if rightward else end + 2
    back = tip - 9 if rightward else tip + 9
    size = _size(event)
    payload: tuple[Token, ...] = ()
    clipped = False
    if size > LONG_PAYLOAD:
        digest = _digest(event)
        label = plural(size, "byte") + (f" · sha256 {digest[:12]}…" if digest else "")
    else:
        label = plural(size, "byte")
        cut, clipped = clip(units(event.data), LABEL_CHARS)
        payload = tuple(cut)
    return Row(
        kind="arrow",
        mid=mid,
        time=ms(event.t),
        conn=printable(event.conn),
        colour=colour,
        x1=start + (4 if rightward else -4),
        x2=back,
        head=f"{tip},{mid} {back},{mid - 5} {back},{mid + 5}",
        size=label,
        payload=payload,
        clipped=clipped,
        text_x=(GRADER_X + PROGRAM_X) // 2,
        anchor="middle",
    )


def _marker_text(event: Event) -> str:
    label = MARKER_LABELS.get(event.kind, event.kind)
    note = printable(event.note or "")
    text = f"{label}: {note}" if label and note else label or note or event.kind
    return text if len(text) <= MARKER_CHARS else text[: MARKER_CHARS - 1] + "…"


def _marker(event: Event, mid: int, colour: str) -> Row:
    on_program = event.kind in ON_PROGRAM_LANE
    return Row(
        kind="marker",
        mid=mid,
        time=ms(event.t),
        conn=printable(event.conn),
        colour=colour,
        x1=PROGRAM_X if on_program else GRADER_X,
        text=_marker_text(event),
        text_x=PROGRAM_X - 12 if on_program else GRADER_X + 12,
        anchor="end" if on_program else "start",
        tone=TONES.get(event.kind, "plain"),
    )


def _table_row(number: int, event: Event, colour: str) -> EventRow:
    if event.kind in TO_PROGRAM:
        direction = "grader → program"
    elif event.kind in TO_GRADER:
        direction = "program → grader"
    else:
        direction = "at program" if event.kind in ON_PROGRAM_LANE else "at grader"
    size = _size(event)
    shown = event.data[:TABLE_BYTES]
    more = []
    if size > len(shown):
        more.append(f"{plural(size - len(shown), 'more byte')} not shown")
    digest = _digest(event) if size > LONG_PAYLOAD else None
    if digest:
        more.append(f"sha256 {digest[:16]}…")
    moving = event.kind in TO_PROGRAM or event.kind in TO_GRADER
    return EventRow(
        number=number,
        time=ms(event.t),
        conn=printable(event.conn),
        colour=colour,
        kind=event.kind,
        direction=direction,
        size=plural(size, "byte") if moving or size else "",
        data=tuple(tokens(shown)),
        more="; ".join(more),
        note=printable(event.note or ""),
        tone=TONES.get(event.kind, "plain"),
    )


def build(events: Sequence[Event]) -> Timeline:
    """Lay out the events: all of them when few, else the first and last DRAW_CAP // 2 drawn with
    a gap row between; the table lists up to TABLE_CAP events."""
    colours = _colours(events)
    half = DRAW_CAP // 2
    if len(events) > DRAW_CAP:
        drawn: list[Event | None] = [*events[:half], None, *events[-half:]]
    else:
        drawn = list(events)
    not_drawn = max(0, len(events) - DRAW_CAP)
    rows: list[Row] = []
    y = TOP
    for event in drawn:
        if event is None:
            first, last = events[half], events[-half - 1]
            rows.append(
                Row(
                    kind="gap",
                    mid=y + GAP_ROW // 2,
                    text=f"{plural(not_drawn, 'event')} not drawn here "
                    f"({ms(first.t)} to {ms(last.t)}): all are in the table below",
                    text_x=(GRADER_X + PROGRAM_X) // 2,
                    anchor="middle",
                )
            )
            y += GAP_ROW
        elif event.kind in TO_PROGRAM or event.kind in TO_GRADER:
            rows.append(_arrow(event, y + 21, colours[event.conn]))
            y += ARROW_ROW
        else:
            rows.append(_marker(event, y + MARKER_ROW // 2, colours[event.conn]))
            y += MARKER_ROW
    listed = events[:TABLE_CAP]
    not_listed = len(events) - len(listed)
    return Timeline(
        width=WIDTH,
        height=y + 12,
        grader_x=GRADER_X,
        program_x=PROGRAM_X,
        time_x=TIME_X,
        rows=tuple(rows),
        legend=tuple(LegendItem(printable(c), k) for c, k in colours.items()),
        count=plural(len(events), "event"),
        cap_note=(
            f"{plural(not_drawn, 'more event')} not drawn: the drawing shows the first and the "
            f"last {half}; the table below lists them all."
            if not_drawn
            else ""
        ),
        table=tuple(_table_row(i + 1, e, colours[e.conn]) for i, e in enumerate(listed)),
        table_title="All events as a table"
        + (f" (the first {len(listed):,} of {len(events):,})" if not_listed else ""),
        unlisted_note=f"{plural(not_listed, 'later event')} not listed." if not_listed else "",
    )
