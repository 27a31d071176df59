"""Socket plumbing for the network steps: deadline-bounded waits, addresses and resets."""

from __future__ import annotations

import ipaddress
import selectors
import socket
import struct
import threading
import time
from typing import Any

from .verdict import Aborted

# Longest single wait: a long wait looks at the abort flag this often, so that the clients of
# a parallel group stop soon after one of them fails.
SLICE = 0.05

Address = tuple[Any, ...]


def pause(abort: threading.Event, duration: float) -> None:
    """Sleep, unless the run is aborted meanwhile."""
    if duration > 0 and abort.wait(duration):
        raise Aborted
    if abort.is_set():
        raise Aborted


class Poller:
    """Waits until one socket is readable or writable, a deadline passes, or the run aborts.

    A selector rather than select.select: file descriptors above 1023 are common in a grader
    that runs many tests in one process.
    """

    def __init__(self, sock: socket.socket, abort: threading.Event) -> None:
        self._sock = sock
        self._abort = abort
        self._selector = selectors.DefaultSelector()
        self._mask = selectors.EVENT_READ
        self._selector.register(sock, self._mask)

    def wait(self, until: float, *, read: bool = True, write: bool = False) -> tuple[bool, bool]:
        """(readable, writable); both False when the deadline passed first.

        The socket is always looked at once, even past the deadline: what has already arrived
        counts.
        """
        mask = (selectors.EVENT_READ if read else 0) | (selectors.EVENT_WRITE if write else 0)
        if not mask:
            pause(self._abort, until - time.monotonic())
            return False, False
        if mask != self._mask:
            self._selector.modify(self._sock, mask)
            self._mask = mask
        while True:
            if self._abort.is_set():
                raise Aborted
            remaining = until - time.monotonic()
            ready = self._selector.select(max(min(remaining, SLICE), 0.0))
            if ready:
                events = ready[0][1]
                return bool(events & selectors.EVENT_READ), bool(events & selectors.EVENT_WRITE)
            if remaining <= 0:
                return False, False

    def close(self) -> None:
        self._selector.close()


def resolve(host: str, port: int, kind: socket.SocketKind) -> tuple[socket.AddressFamily, Address]:
    """The address family and socket address of host:port, IPv4 first: 'localhost' may list
    ::1 first, where a student server bound to 0.0.0.0 does not listen."""
    infos = socket.getaddrinfo(host, port, 0, kind)
    if not infos:
        raise OSError(f"no address for {host}")
    family, _, _, _, address = min(infos, key=lambda info: info[0] != socket.AF_INET)
    return family, tuple(address)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def show(address: Address | None) -> str:
    """host:port, with brackets around an IPv6 host."""
    if not address:
        return "?"
    host, port = address[0], address[1]
    return f"[{host}]:{port}" if ":" in str(host) else f"{host}:{port}"


def same_address(a: Address, b: Address) -> bool:
    """Host and port equal (IPv6 flow info and scope aside)."""
    return str(a[0]) == str(b[0]) and int(a[1]) == int(b[1])


def arm_reset(sock: socket.socket) -> None:
    """Make close() send a RST instead of a FIN: linger on, with a zero timeout."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
