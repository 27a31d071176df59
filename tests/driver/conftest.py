"""Fixtures for the driver tests: peers on 127.0.0.1, program controls, and running a scenario."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from driver_doubles import (
    HOST,
    Drive,
    FakeControl,
    SubprocessControl,
    TcpPeers,
    UdpPeers,
    make_request,
)

from grader.driver import run


@pytest.fixture
def tcp_peers() -> Iterator[TcpPeers]:
    peers = TcpPeers()
    yield peers
    peers.stop()


@pytest.fixture
def udp_peers() -> Iterator[UdpPeers]:
    peers = UdpPeers()
    yield peers
    peers.stop()


@pytest.fixture
def program() -> Iterator[SubprocessControl]:
    control = SubprocessControl()
    yield control
    control.stop()


@pytest.fixture
def drive() -> Drive:
    """drive(steps, port, control=None, **request overrides) -> the driver's result."""

    def go(
        steps: list[dict[str, Any]], port: int, control: Any = None, **overrides: Any
    ) -> dict[str, Any]:
        before = threading.active_count()
        result = run(make_request(steps, port, **overrides), control or FakeControl())
        # The driver promises that none of its threads outlives run().
        leftover = [t.name for t in threading.enumerate() if t.name.startswith("driver client")]
        assert not leftover, f"driver threads outlived run(): {leftover} (before: {before})"
        return result

    return go


@pytest.fixture
def free_port() -> Iterator[tuple[int, socket.socket]]:
    """A loopback port bound (so nobody takes it) but not listening: connecting is refused."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, 0))
    yield int(sock.getsockname()[1]), sock
    sock.close()


@pytest.fixture
def fake() -> FakeControl:
    """An in-memory program, running; tests change its state."""
    return FakeControl()
