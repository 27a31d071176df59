"""Port leases: no two tests, in one grader or in several, ever get the same port."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from grader.backends.ports import NoFreePortError, PortLeases, candidate_ports, lease_port


def test_free_ports_come_from_below_the_kernels_ephemeral_range() -> None:
    low, high = (int(p) for p in Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split())
    ports = []
    for _ in range(50):
        with lease_port() as port:
            ports.append(port)
    assert all(not low <= port <= high for port in ports), (low, high, ports)
    assert len(set(ports)) > 1  # a random start, not always the same port


@pytest.mark.parametrize(
    ("kernel_range", "expected"),
    [
        ("32768\t60999\n", range(10000, 32768)),
        ("1024 60999", range(61000, 65536)),  # nothing below: take what is above
        ("1024 65000", range(1024, 65001)),  # nothing outside: the whole range, leased all the same
        ("garbage", range(10000, 32768)),  # unreadable: Linux's default range
    ],
)
def test_candidate_ports_avoid_the_ephemeral_range(
    tmp_path: Path, kernel_range: str, expected: range
) -> None:
    (tmp_path / "range").write_text(kernel_range)
    assert candidate_ports(tmp_path / "range") == expected


def test_threads_never_share_a_leased_port(tmp_path: Path) -> None:
    # 40 candidates for 16 threads that each hold a port for a while: many collisions if
    # leases did not exclude each other.
    leases = PortLeases(tmp_path / "lock", range(40000 - 40, 40000))
    holders: dict[int, int] = {}
    clashes: list[int] = []
    guard = threading.Lock()

    def work(me: int) -> None:
        for _ in range(20):
            with leases.free() as port:
                with guard:
                    if port in holders:
                        clashes.append(port)
                    holders[port] = me
                time.sleep(0.001)
                with guard:
                    del holders[port]

    threads = [threading.Thread(target=work, args=(i,)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert clashes == []
    assert holders == {}


HOLD = """
import sys, time
from pathlib import Path
from grader.backends.ports import PortLeases
leases = PortLeases(Path(sys.argv[1]), range(int(sys.argv[2]), int(sys.argv[2]) + 1))
with leases.turn(int(sys.argv[2])):
    print("holding", flush=True)
    time.sleep(float(sys.argv[3]))
"""


def _holder(lock: Path, port: int, seconds: float) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(lock), str(port), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline() == "holding\n"
    return proc


def test_a_port_another_grader_process_holds_is_skipped(tmp_path: Path) -> None:
    lock = tmp_path / "lock"
    with lease_port() as port:
        pass  # a port that is free now
    holder = _holder(lock, port, 30)
    try:
        exhausted = pytest.raises(NoFreePortError, match=f"no free port between {port} and {port}")
        with exhausted, PortLeases(lock, range(port, port + 1)).free():
            pass
    finally:
        holder.kill()
        holder.wait()
    with PortLeases(lock, range(port, port + 1)).free() as again:
        assert again == port  # released with the process that held it


def test_a_fixed_port_waits_for_another_grader_process(tmp_path: Path) -> None:
    lock = tmp_path / "lock"
    with lease_port() as port:
        pass
    holder = _holder(lock, port, 0.5)
    started = time.monotonic()
    with PortLeases(lock, range(port, port + 1)).turn(port):
        waited = time.monotonic() - started
    holder.wait()
    assert waited >= 0.3, waited


def test_tests_on_a_fixed_port_take_turns(tmp_path: Path) -> None:
    leases = PortLeases(tmp_path / "lock", range(65001, 65002))
    inside: list[int] = []
    overlaps: list[int] = []

    def hold() -> None:
        with leases.turn(65001):
            inside.append(1)
            if len(inside) > 1:
                overlaps.append(len(inside))
            time.sleep(0.05)
            inside.pop()

    threads = [threading.Thread(target=hold) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)
    assert overlaps == [], overlaps


@pytest.mark.parametrize("kind", [socket.SOCK_STREAM, socket.SOCK_DGRAM])
def test_a_port_in_use_is_skipped(tmp_path: Path, kind: int) -> None:
    with lease_port() as port:
        pass
    with socket.socket(socket.AF_INET, kind) as busy:
        busy.bind(("127.0.0.1", port))
        leases = PortLeases(tmp_path / "lock", range(port, port + 2))
        for _ in range(10):
            with leases.free() as got:
                assert got == port + 1


def test_a_port_that_time_wait_holds_is_skipped(tmp_path: Path) -> None:
    """A server without SO_REUSEADDR could not bind a port a closed connection still holds."""
    with lease_port() as port:
        pass
    with socket.socket() as server:
        server.bind(("127.0.0.1", port))
        server.listen()
        client = socket.create_connection(("127.0.0.1", port))
        conn, _ = server.accept()
    conn.close()  # the server side closes first: TIME_WAIT on the server's port
    time.sleep(0.05)
    client.close()
    leases = PortLeases(tmp_path / "lock", range(port, port + 2))
    with leases.free() as got:
        assert got == port + 1
