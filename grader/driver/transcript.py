"""The transcript: timed events of one test, with capped data previews and a bounded length."""

from __future__ import annotations

import hashlib
import threading
import time
from collections import deque
from typing import Any

from .verdict import b64

MAX_EVENTS = 2000
# When events must be dropped, the middle goes: the start shows the setup and the end shows the
# failure, which is what a student reads.
TAIL_EVENTS = 200
# Bytes of data kept over all events: 2000 events of a 4 KiB preview would be 8 MB of JSON.
DATA_BUDGET = 256 * 1024

Event = dict[str, Any]


class Accumulator:
    """Consecutive received chunks merged into one event: size, preview and a running hash."""

    def __init__(self, t: float, preview: int) -> None:
        self.t = t
        self.size = 0
        self.reads = 0
        self._preview = preview
        self._head = bytearray()
        self._hash = hashlib.sha256()

    def add(self, data: bytes) -> None:
        self.size += len(data)
        self.reads += 1
        self._hash.update(data)
        room = self._preview - len(self._head)
        if room > 0:
            self._head += data[:room]

    @property
    def head(self) -> bytes:
        return bytes(self._head)

    def digest(self) -> str | None:
        """The SHA-256 of everything received, when the preview does not hold all of it."""
        return self._hash.hexdigest() if self.size > len(self._head) else None


class Transcript:
    """Thread-safe event recorder; times are seconds since the test started."""

    def __init__(self, started: float, preview: int, limit: int = MAX_EVENTS) -> None:
        self.started = started
        self.preview = preview
        self._limit = max(limit, TAIL_EVENTS + 1)
        self._head: list[Event] = []
        self._tail: deque[Event] = deque(maxlen=TAIL_EVENTS)
        self._dropped = 0
        self._kept_bytes = 0
        self._lock = threading.Lock()

    def now(self) -> float:
        return time.monotonic() - self.started

    def record(
        self,
        conn: str,
        kind: str,
        data: bytes = b"",
        *,
        size: int | None = None,
        digest: str | None = None,
        note: str | None = None,
        t: float | None = None,
    ) -> None:
        """Add an event. Data longer than the preview is cut and hashed; ``size`` and ``digest``
        describe the whole when the caller passes an already cut preview."""
        whole = len(data) if size is None else size
        if len(data) > self.preview:
            digest = digest or hashlib.sha256(data).hexdigest()
            data = data[: self.preview]
        with self._lock:
            if data and self._kept_bytes + len(data) > DATA_BUDGET:
                if digest is None and whole == len(data):
                    digest = hashlib.sha256(data).hexdigest()
                data = b""
                note = f"{note}; data not kept" if note else "data not kept"
                note += " (the transcript holds at most 256 KiB of data)"
            self._kept_bytes += len(data)
            event: Event = {
                "t": round(self.now() if t is None else t, 6),
                "conn": conn,
                "kind": kind,
                "size": whole,
                "data_b64": b64(data),
                "sha256": digest,
                "note": note,
            }
            if len(self._head) < self._limit - TAIL_EVENTS:
                self._head.append(event)
            else:
                if len(self._tail) == TAIL_EVENTS:
                    self._dropped += 1
                self._tail.append(event)

    def events(self) -> list[Event]:
        """The events in time order, with a note where some were left out."""
        with self._lock:
            head = sorted(self._head, key=lambda e: float(e["t"]))
            tail = sorted(self._tail, key=lambda e: float(e["t"]))
            dropped = self._dropped
        if not dropped:
            return head + tail
        gap: Event = {
            "t": tail[0]["t"],
            "conn": "driver",
            "kind": "note",
            "size": 0,
            "data_b64": "",
            "sha256": None,
            "note": f"{dropped} events left out here (a transcript keeps {self._limit})",
        }
        return [*head, gap, *tail]
