"""Payload materialisation and the transcript's bounds."""

from __future__ import annotations

import base64
import hashlib
import json
import random

from driver_doubles import Drive, TcpPeers, echo

from grader.driver.payload import fragments, materialise, substitute
from grader.driver.transcript import Transcript


def test_payload_forms():
    variables = {"client": "3", "iteration": "7"}
    assert materialise("héllo {client}/{iteration} {json}", variables) == (
        "héllo 3/7 {json}".encode()
    )
    assert materialise({"hex": "00 ff\n10"}, {}) == b"\x00\xff\x10"
    assert materialise({"random": {"size": 16, "seed": 5}}, {}) == random.Random(5).randbytes(16)
    assert materialise({"random": {"size": 4}}, {}) == random.Random(0).randbytes(4)
    assert materialise({"repeat": "ab{client}", "times": 3}, variables) == b"ab3ab3ab3"
    assert materialise(["a", {"hex": "0a"}, {"repeat": "-", "times": 2}], {}) == b"a\n--"


def test_substitute_leaves_unknown_braces():
    assert substitute("{client} {x} {}", {"client": "0"}) == "0 {x} {}"


def test_fragment_sizes():
    assert list(fragments(5, None)) == [5]
    assert list(fragments(5, 2)) == [2, 2, 1]
    assert list(fragments(10, [1, 4])) == [1, 4, 4, 1]
    assert list(fragments(0, 3)) == []


def test_transcript_cuts_data_and_hashes_the_whole():
    transcript = Transcript(0.0, preview=4)
    transcript.record("main", "send", b"abcdefgh")
    transcript.record("main", "send", b"abc")
    cut, whole = transcript.events()
    assert (cut["size"], base64.b64decode(cut["data_b64"])) == (8, b"abcd"), cut
    assert cut["sha256"] == hashlib.sha256(b"abcdefgh").hexdigest(), cut
    assert (whole["size"], whole["sha256"]) == (3, None), whole


def test_transcript_keeps_its_head_and_tail_with_a_note():
    transcript = Transcript(0.0, preview=16, limit=300)
    for i in range(1000):
        transcript.record("main", "send", str(i).encode(), t=float(i))
    events = transcript.events()
    assert len(events) == 301, len(events)
    assert [e["t"] for e in events[:3]] == [0.0, 1.0, 2.0]
    gap = events[100]
    assert (gap["kind"], gap["note"]) == (
        "note",
        "700 events left out here (a transcript keeps 300)",
    ), gap
    assert events[-1]["t"] == 999.0, events[-1]


def test_a_byte_by_byte_send_keeps_the_result_bounded(drive: Drive, tcp_peers: TcpPeers):
    port = tcp_peers.start(echo)
    payload = {"repeat": "x", "times": 20_000}
    steps = [{"connect": "main"}, {"send": payload, "chunks": 1, "gap": 0}, {"expect": payload}]
    result = drive(steps, port, step_timeout=20)
    assert result["status"] == "passed", result["reason"]
    assert len(result["events"]) <= 2001, len(result["events"])
    notes = [e for e in result["events"] if e["kind"] == "note"]
    assert len(notes) == 1 and "events left out here" in notes[0]["note"], notes
    assert len(json.dumps(result)) < 600_000, "the result grows with the number of sends"
