"""Ports on loopback for the local backend, leased so that no two tests ever share one.

A port that the kernel hands out (bind to port 0) comes from the ephemeral range, where every
outgoing connection of every process on the machine also takes its local port. Between the
moment the grader picks such a port and the moment the student's server (or the grader's own
listener, for a client assignment) binds it, a connection made by a test running in parallel
can take it: the bind fails with "Address already in use" and a correct program loses points.

So free ports come from below the ephemeral range, where the kernel never allocates on its own,
and each one is leased: within a process by a set of held ports, across grader processes by a
lock on the port's byte of one shared file. A candidate is taken only when TCP and UDP sockets
can bind it on every address, which also skips ports that connections in TIME_WAIT still hold.
A spec's fixed port (`port:`) is leased the same way but waited for: its tests take turns.
"""

from __future__ import annotations

import errno
import fcntl
import os
import random
import socket
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from grader.errors import BackendError

LOCK_FILE = Path(tempfile.gettempdir()) / "socket-grader-ports.lock"
LOWEST = 10000  # free ports are chosen at or above this, below the ephemeral range
RANGE_FILE = Path("/proc/sys/net/ipv4/ip_local_port_range")


class NoFreePortError(BackendError):
    """Every candidate port is leased or in use: a grader failure, not the student's."""


def candidate_ports(range_file: Path = RANGE_FILE) -> range:
    """The ports free leases come from: those from LOWEST up to the kernel's ephemeral range
    or, if that range starts too low, those above it; the whole range as a last resort."""
    try:
        low, high = (int(part) for part in range_file.read_text().split())
    except (OSError, ValueError):
        low, high = 32768, 60999  # Linux's default
    if low - LOWEST >= 1000:
        return range(LOWEST, low)
    if 65535 - high >= 1000:
        return range(high + 1, 65536)
    return range(max(low, 1024), high + 1)


def bindable(port: int) -> bool:
    """Whether TCP and UDP sockets can bind `port` on every address right now."""
    for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
        with socket.socket(socket.AF_INET, kind) as probe:
            try:
                probe.bind(("", port))
            except OSError:
                return False
    return True


class PortLeases:
    """The ports this process holds; `fd` locks them against other grader processes."""

    def __init__(self, lock_file: Path = LOCK_FILE, candidates: range | None = None) -> None:
        self.lock_file = lock_file
        self.candidates = candidates if candidates is not None else candidate_ports()
        self._held: set[int] = set()
        self._changed = threading.Condition()
        self._fd: int | None = None
        self._random = random.Random()

    def _lock_fd(self) -> int:
        # One descriptor for the life of the process: closing any descriptor of a file drops
        # all of the process's POSIX locks on it.
        if self._fd is None:
            self._fd = os.open(self.lock_file, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
        return self._fd

    def _lock_byte(self, port: int, wait: bool) -> bool:
        flags = fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB
        try:
            fcntl.lockf(self._lock_fd(), flags, 1, port)
        except OSError as e:
            if e.errno in (errno.EACCES, errno.EAGAIN):
                return False
            raise
        return True

    def _unlock_byte(self, port: int) -> None:
        fcntl.lockf(self._lock_fd(), fcntl.LOCK_UN, 1, port)

    def _forget(self, port: int) -> None:
        with self._changed:
            self._held.discard(port)
            self._changed.notify_all()

    def _release(self, port: int) -> None:
        self._unlock_byte(port)
        self._forget(port)

    @contextmanager
    def free(self) -> Iterator[int]:
        """Lease a port that nothing uses, for the duration of the block."""
        with self._changed:
            start = self._random.randrange(len(self.candidates))
            for i in range(len(self.candidates)):
                port = self.candidates[(start + i) % len(self.candidates)]
                if port in self._held or not self._lock_byte(port, wait=False):
                    continue
                if bindable(port):
                    self._held.add(port)
                    break
                self._unlock_byte(port)
            else:
                raise NoFreePortError(
                    f"no free port between {self.candidates.start} and {self.candidates.stop - 1}"
                )
        try:
            yield port
        finally:
            self._release(port)

    @contextmanager
    def turn(self, port: int) -> Iterator[int]:
        """Lease the given port, waiting while this or another grader process holds it."""
        with self._changed:
            while port in self._held:
                self._changed.wait()
            self._held.add(port)
        try:
            # Outside the condition: the wait for another process must not stop this one's
            # threads from releasing theirs.
            self._lock_byte(port, wait=True)
        except BaseException:
            self._forget(port)
            raise
        try:
            yield port
        finally:
            self._release(port)


LEASES = PortLeases()


@contextmanager
def lease_port(fixed: int | None = None) -> Iterator[int]:
    """A port for one test: the spec's fixed port, in turn with every other test that uses it,
    or a free port that no other test of any grader process gets while this one holds it."""
    with LEASES.turn(fixed) if fixed is not None else LEASES.free() as port:
        yield port
