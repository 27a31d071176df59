"""Capped capture of a program's output: the head for checks, the tail for the report."""

from __future__ import annotations

import threading


class OutputCapture:
    """Keeps the first and the last ``cap`` bytes written to a stream, and counts the rest.

    Thread-safe: a reader thread appends while the driver polls.
    """

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self._head = bytearray()
        self._tail = bytearray()
        self.total = 0
        self._lock = threading.Lock()

    def append(self, data: bytes) -> None:
        with self._lock:
            self.total += len(data)
            room = self.cap - len(self._head)
            if room > 0:
                self._head += data[:room]
            self._tail += data
            if len(self._tail) > self.cap:
                del self._tail[: len(self._tail) - self.cap]

    @property
    def truncated(self) -> bool:
        return self.total > self.cap

    def text(self) -> bytes:
        """Everything, or the head and tail around a marker saying how much was cut."""
        with self._lock:
            if self.total <= self.cap:
                return bytes(self._head)
            cut = self.total - len(self._head) - len(self._tail)
            if cut <= 0:
                overlap = len(self._head) + len(self._tail) - self.total
                return bytes(self._head) + bytes(self._tail[overlap:])
            return bytes(self._head) + f"\n[... {cut} bytes cut ...]\n".encode() + bytes(self._tail)

    def tail(self) -> bytes:
        with self._lock:
            return bytes(self._tail)
