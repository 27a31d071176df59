"""The impairment relay: seeded UDP loss, duplication, reordering and delay; TCP re-segmentation,
coalescing and resets; both roles; deterministic with a seed, on loopback."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

from driver_doubles import HOST, Drive, FakeControl, TcpPeers, UdpPeers, echo

from grader.driver.relay import Impairment


def udp_echo(data: bytes, sender: Any, sock: socket.socket) -> None:
    sock.sendto(data, sender)


def relay_events(result: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (e["kind"], e["note"])
        for e in result["events"]
        if (e["conn"] == "relay" and e["kind"] != "note") or "relay held" in (e["note"] or "")
    ]


def ping_steps(count: int) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = [{"udp_bind": "u"}]
    for i in range(1, count + 1):
        steps += [{"sendto": f"ping {i}", "conn": "u"}]
    return steps


def test_fates_depend_only_on_seed_direction_and_number():
    a = Impairment.parse({"seed": 7, "to_program": {"loss": 0.5, "duplicate": 0.3}})
    b = Impairment.parse({"seed": 7, "to_program": {"loss": 0.5, "duplicate": 0.3}})
    c = Impairment.parse({"seed": 8, "to_program": {"loss": 0.5, "duplicate": 0.3}})
    fates = [a.fate("to_program", n) for n in range(1, 41)]
    assert fates == [b.fate("to_program", n) for n in range(1, 41)]
    assert fates != [c.fate("to_program", n) for n in range(1, 41)], "another seed, other fates"
    dropped = sum(f.drop for f in fates)
    assert 8 <= dropped <= 32, f"about half of 40 dropped, got {dropped}"
    assert not any(a.fate("from_program", n).drop for n in range(1, 41)), "other way untouched"


def test_udp_drop_list_drops_exactly_those_datagrams_and_marks_them(
    drive: Drive, udp_peers: UdpPeers
):
    port = udp_peers.start(udp_echo)
    steps = [{"udp_bind": "u"}]
    for i in (1, 2, 3):
        steps += [{"sendto": f"ping {i}", "conn": "u"}]
        if i == 2:
            steps += [{"expect_no_datagram": 0.3, "conn": "u"}]
        else:
            steps += [{"expect_datagram": f"ping {i}", "conn": "u"}]
    impair = {"seed": 1, "to_program": {"drop": [2]}}
    result = drive(steps, port, impair=impair, transport="udp")
    assert result["status"] == "passed", result
    assert relay_events(result) == [("dropped", "relay dropped datagram 2 to the program")]
    dropped = next(e for e in result["events"] if e["kind"] == "dropped")
    assert dropped["data_b64"] == "cGluZyAy", dropped  # the datagram itself: "ping 2"


def test_udp_same_seed_same_transcript_of_fates(drive: Drive, udp_peers: UdpPeers):
    port = udp_peers.start(udp_echo)
    steps = [{"udp_bind": "u"}]
    for i in range(1, 13):
        steps += [{"sendto": f"ping {i}", "conn": "u"}]
    steps += [{"count_datagrams": 0.6, "conn": "u"}]
    impair = {"seed": 42, "to_program": {"loss": 0.3}, "from_program": {"duplicate": 0.3}}
    first = drive(steps, port, impair=impair, transport="udp")
    second = drive(steps, port, impair=impair, transport="udp")
    assert first["status"] == second["status"] == "passed", (first, second)
    # the same fates; their order in time may differ between the two directions
    assert sorted(relay_events(first)) == sorted(relay_events(second))
    assert {kind for kind, _ in relay_events(first)} == {"dropped", "duplicated"}, first["events"]
    received = [e for e in first["events"] if e["kind"] == "datagram_in"]
    dropped = sum(k == "dropped" for k, _ in relay_events(first))
    duplicated = sum(k == "duplicated" for k, _ in relay_events(first))
    assert len(received) == 12 - dropped + duplicated


def test_udp_duplicate_and_reorder(drive: Drive, udp_peers: UdpPeers):
    port = udp_peers.start(udp_echo)
    steps = [
        {"udp_bind": "u"},
        {"sendto": "a", "conn": "u"},
        {"expect_datagram": "a", "conn": "u"},
        {"expect_datagram": "a", "conn": "u"},
        {"sendto": "b", "conn": "u"},
        {"sendto": "c", "conn": "u"},
        {"expect_datagram": "c", "conn": "u"},
        {"expect_datagram": "b", "conn": "u"},
    ]
    impair = {"to_program": {"duplicate_at": [1], "reorder_at": [2]}}
    result = drive(steps, port, impair=impair, transport="udp")
    assert result["status"] == "passed", result
    assert relay_events(result) == [
        ("duplicated", "relay duplicated datagram 1 to the program"),
        (
            "note",
            "relay held back datagram 2 to the program: the next one overtakes it (reordering)",
        ),
    ]


def test_udp_delay_is_applied(drive: Drive, udp_peers: UdpPeers):
    port = udp_peers.start(udp_echo)
    steps = [
        {"udp_bind": "u"},
        {"sendto": "slow", "conn": "u"},
        {"expect_no_datagram": 0.2, "conn": "u"},
        {"expect_datagram": "slow", "conn": "u", "timeout": 2},
    ]
    result = drive(steps, port, impair={"from_program": {"delay": 0.4}}, transport="udp")
    assert result["status"] == "passed", result


def test_udp_client_role_relay_takes_the_run_port(drive: Drive):
    """The program sends to the run's port, where the relay listens; the driver's socket gets
    the datagrams and replies to last_sender, through the relay, back to the program."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind((HOST, 0))
        port = probe.getsockname()[1]
    control = FakeControl(running=False)
    replies: list[bytes] = []

    def client() -> None:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.settimeout(3)
            for i in range(3):
                sock.sendto(f"req {i}".encode(), (HOST, port))
                replies.append(sock.recvfrom(100)[0])
        control.exit(0)

    control.on_start = lambda: threading.Thread(target=client, daemon=True).start()
    steps: list[dict[str, Any]] = [{"udp_bind": "s", "port": "assigned"}, {"start": None}]
    for i in range(3):
        steps += [
            {"expect_datagram": f"req {i}", "conn": "s"},
            {"sendto": f"ok {i}", "conn": "s", "to": "last_sender"},
        ]
    steps += [{"expect_exit": 0}]
    impair = {"seed": 3, "to_program": {"duplicate_at": [2]}}
    result = drive(steps, port, control, role="client", impair=impair, transport="udp")
    assert result["status"] == "passed", result
    # ok 1 was duplicated: the client reads the copy as the reply to req 2
    assert replies == [b"ok 0", b"ok 1", b"ok 1"], replies


def test_tcp_one_byte_segments_reach_the_program(drive: Drive, tcp_peers: TcpPeers):
    seen: list[int] = []

    def count_reads(conn: socket.socket) -> None:
        data = b""
        while len(data) < 10:
            chunk = conn.recv(100)
            if not chunk:
                break
            seen.append(len(chunk))
            data += chunk
        conn.sendall(data)

    port = tcp_peers.start(count_reads)
    steps = [{"connect": "main"}, {"send": "0123456789"}, {"expect": "0123456789"}]
    impair = {"to_program": {"segment": 1, "gap": 0.02}}
    result = drive(steps, port, impair=impair)
    assert result["status"] == "passed", result
    assert seen == [1] * 10, seen
    notes = [e["note"] for e in result["events"] if e["conn"] == "relay"]
    assert "relay connection 1: to the program: 1-byte writes" in notes, notes


def test_tcp_coalesce_joins_separate_writes(drive: Drive, tcp_peers: TcpPeers):
    reads: list[bytes] = []

    def first_read(conn: socket.socket) -> None:
        reads.append(conn.recv(100))
        conn.sendall(b"ok\n")

    port = tcp_peers.start(first_read)
    steps = [
        {"connect": "main"},
        {"send": "ab", "chunks": 1, "gap": 0.05},
        {"expect_line": "ok"},
    ]
    result = drive(steps, port, impair={"to_program": {"coalesce": 0.3}})
    assert result["status"] == "passed", result
    assert reads == [b"ab"], reads


def test_tcp_reset_after_n_bytes(drive: Drive, tcp_peers: TcpPeers):
    port = tcp_peers.start(echo)
    steps = [{"connect": "main"}, {"send": "0123456789"}, {"expect": "0123456789", "timeout": 2}]
    result = drive(steps, port, impair={"to_program": {"reset_after": 4}})
    assert result["status"] == "failed", result
    assert "reset" in result["reason"], result["reason"]
    notes = [e["note"] for e in result["events"] if e["conn"] == "relay"]
    assert "relay reset both connections after 4 bytes to the program" in notes, notes


def test_tcp_relay_waits_for_a_late_program(drive: Drive, free_port, tcp_peers: TcpPeers):
    port, sock = free_port
    late = threading.Timer(0.3, lambda: (sock.listen(8), tcp_peers.start(echo, listener=sock)))
    late.start()
    try:
        steps = [{"connect": "main"}, {"send": "hi\n"}, {"expect": "hi\n"}]
        result = drive(steps, port, impair={"from_program": {"delay": 0.05}})
    finally:
        late.join()
    assert result["status"] == "passed", result


def test_a_bad_impairment_is_a_driver_error(drive: Drive):
    result = drive([{"udp_bind": "u"}], 9, impair={"to_program": {"loss": 2}}, transport="udp")
    assert result["status"] == "error", result
    assert result["reason"] == (
        "invalid driver request: impair.to_program.loss is a probability, at most 1"
    ), result["reason"]


def test_relay_threads_end_with_the_run(drive: Drive, udp_peers: UdpPeers):
    port = udp_peers.start(udp_echo)
    drive(ping_steps(3), port, impair={"to_program": {"loss": 0.5}}, transport="udp")
    time.sleep(0.1)
    left = [t.name for t in threading.enumerate() if t.name.startswith("driver relay")]
    assert left == [], left
