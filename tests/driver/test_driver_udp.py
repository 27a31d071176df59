"""The UDP steps against loopback peers: exact and regex replies, silence, counts, sources."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

from driver_doubles import HOST, Drive, FakeControl, UdpPeers


def udp_echo(data: bytes, sender: Any, sock: socket.socket) -> None:
    sock.sendto(data, sender)


def kinds(result: dict) -> list[str]:
    return [e["kind"] for e in result["events"]]


def test_udp_echo_exact_and_regex(drive: Drive, udp_peers: UdpPeers):
    port = udp_peers.start(udp_echo)
    steps = [
        {"udp_bind": "u"},
        {"sendto": "ping 1", "conn": "u"},
        {"expect_datagram": "ping 1", "conn": "u"},
        {"sendto": {"hex": "00 ff 10"}, "conn": "u"},
        {"expect_datagram": {"hex": "00ff10"}, "conn": "u"},
        {"sendto": "time 12:30", "conn": "u"},
        {"expect_datagram": None, "regex": r"time \d\d:\d\d", "conn": "u"},
    ]
    result = drive(steps, port)
    assert result["status"] == "passed", result
    assert kinds(result) == ["udp_bind"] + ["datagram_out", "datagram_in"] * 3, result["events"]
    first_in = result["events"][2]
    assert first_in["note"] == f"from {HOST}:{port}", first_in


def test_udp_wrong_datagram_fails_with_both_quoted(drive: Drive, udp_peers: UdpPeers):
    port = udp_peers.start(lambda data, sender, sock: sock.sendto(data.upper(), sender))
    steps = [
        {"udp_bind": "u"},
        {"sendto": "ping", "conn": "u"},
        {"expect_datagram": "ping", "conn": "u"},
    ]
    result = drive(steps, port)
    assert result["status"] == "failed", result
    assert result["reason"] == (
        "step 2 (expect_datagram): received the datagram 'PING' on 'u' instead of 'ping'"
    ), result["reason"]
    assert result["comparison"]["kind"] == "datagram", result["comparison"]


def test_udp_regex_must_match_the_whole_datagram(drive: Drive, udp_peers: UdpPeers):
    port = udp_peers.start(udp_echo)
    steps = [
        {"udp_bind": "u"},
        {"sendto": "12 apples", "conn": "u"},
        {"expect_datagram": None, "regex": r"\d+", "conn": "u"},
    ]
    result = drive(steps, port)
    assert result["status"] == "failed", result
    assert result["reason"] == (
        "step 2 (expect_datagram): the datagram '12 apples' received on 'u' does not match /\\d+/"
    ), result["reason"]


def test_a_reply_from_another_port_fails(drive: Drive, udp_peers: UdpPeers):
    other = udp_peers.socket()
    other_port = other.getsockname()[1]
    port = udp_peers.start(lambda data, sender, sock: other.sendto(data, sender))
    steps = [
        {"udp_bind": "u"},
        {"sendto": "ping", "conn": "u"},
        {"expect_datagram": "ping", "conn": "u"},
    ]
    result = drive(steps, port)
    assert result["status"] == "failed", result
    assert result["reason"] == (
        f"step 2 (expect_datagram): the reply on 'u' came from {HOST}:{other_port}, not from "
        f"the server's address {HOST}:{port} (reply with the socket the request arrived on)"
    ), result["reason"]


def test_no_datagram_holds_for_a_silent_server_and_timeout_wording(
    drive: Drive, udp_peers: UdpPeers
):
    port = udp_peers.start(lambda data, sender, sock: None)
    steps = [
        {"udp_bind": "u"},
        {"sendto": "anyone?", "conn": "u"},
        {"expect_no_datagram": 0.2, "conn": "u"},
        {"expect_datagram": "x", "conn": "u", "timeout": 0.2},
    ]
    result = drive(steps, port)
    assert result["status"] == "timeout", result
    assert result["reason"] == (
        "step 3 (expect_datagram): waited 0.2 s for a datagram on 'u', none arrived"
    ), result["reason"]


def test_an_unexpected_datagram_fails_expect_no_datagram(drive: Drive, udp_peers: UdpPeers):
    port = udp_peers.start(udp_echo)
    steps = [
        {"udp_bind": "u"},
        {"sendto": "echo me", "conn": "u"},
        {"expect_no_datagram": 1, "conn": "u"},
    ]
    result = drive(steps, port)
    assert result["status"] == "failed", result
    assert result["reason"].startswith(
        f"step 2 (expect_no_datagram): a datagram arrived on 'u' from {HOST}:{port} "
    ), result["reason"]
    assert result["reason"].endswith("into 1.0 s when none was expected: 'echo me'"), result


def test_count_datagrams_within_bounds(drive: Drive, udp_peers: UdpPeers):
    def burst(data: bytes, sender: Any, sock: socket.socket) -> None:
        for i in range(int(data)):
            sock.sendto(f"tick {i}".encode(), sender)

    port = udp_peers.start(burst)
    steps = [
        {"udp_bind": "u"},
        {"sendto": "3", "conn": "u"},
        {"count_datagrams": 0.3, "min": 3, "max": 3, "conn": "u"},
        {"sendto": "2", "conn": "u"},
        {"count_datagrams": 0.3, "min": 3, "conn": "u"},
    ]
    result = drive(steps, port)
    assert result["status"] == "failed", result
    assert result["reason"] == (
        "step 4 (count_datagrams): 2 datagrams arrived on 'u' in 0.3 s, expected at least 3"
    ), result["reason"]


def test_udp_client_role_replies_to_the_last_sender(drive: Drive, free_port):
    port, sock = free_port
    sock.close()
    replies: list[bytes] = []
    control = FakeControl(running=False)

    def student_client() -> None:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(5)
            time.sleep(0.05)  # the grader binds the port first
            s.sendto(b"hello server", (HOST, port))
            replies.append(s.recvfrom(100)[0])
        control.exit(0)

    control.on_start = lambda: threading.Thread(target=student_client, daemon=True).start()
    steps = [
        {"udp_bind": "srv", "port": "assigned"},
        {"start": None},
        {"expect_datagram": "hello server", "conn": "srv"},
        {"sendto": "hello client", "conn": "srv", "to": "last_sender"},
        {"expect_exit": 0},
    ]
    result = drive(steps, port, control, role="client")
    assert result["status"] == "passed", result
    assert replies == [b"hello client"], replies


def test_replying_before_any_datagram_arrived_fails(drive: Drive, udp_peers: UdpPeers):
    port = udp_peers.start(udp_echo)
    steps = [{"udp_bind": "u"}, {"sendto": "hi", "conn": "u", "to": "last_sender"}]
    result = drive(steps, port)
    assert result["status"] == "failed", result
    assert result["reason"] == (
        "step 1 (sendto): no datagram has arrived on 'u' yet: there is nobody to reply to"
    ), result["reason"]


def _pinger(port: int, control: FakeControl, replies: list[bytes], count: int) -> None:
    """A student client: sends 'Ping i t' and reads each reply."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(5)
        time.sleep(0.05)  # the grader binds the port first
        for i in range(1, count + 1):
            s.sendto(f"Ping {i} 1700000000.5".encode(), (HOST, port))
            replies.append(s.recvfrom(100)[0])
    control.exit(0)


def test_echo_replies_with_the_request_transformed(drive: Drive, free_port):
    port, sock = free_port
    sock.close()
    replies: list[bytes] = []
    control = FakeControl(running=False)
    control.on_start = lambda: threading.Thread(
        target=_pinger, args=(port, control, replies, 2), daemon=True
    ).start()
    steps = [
        {"udp_bind": "srv", "port": "assigned"},
        {"start": None},
        {"expect_datagram": None, "regex": r"Ping 1 \S+", "conn": "srv"},
        {"echo": "srv", "transform": "upper"},
        {"expect_datagram": None, "regex": r"Ping 2 \S+", "conn": "srv"},
        {"echo": "srv"},
        {"expect_exit": 0},
    ]
    result = drive(steps, port, control, role="client")
    assert result["status"] == "passed", result
    assert replies == [b"PING 1 1700000000.5", b"Ping 2 1700000000.5"], replies
    assert kinds(result)[-5:-1] == ["datagram_in", "datagram_out"] * 2, result["events"]


def test_echo_before_any_datagram_fails(drive: Drive, udp_peers: UdpPeers):
    port = udp_peers.start(udp_echo)
    result = drive([{"udp_bind": "u"}, {"echo": "u", "transform": "lower"}], port)
    assert result["status"] == "failed", result
    assert result["reason"] == (
        "step 1 (echo): no datagram has arrived on 'u' yet: there is nothing to echo"
    ), result["reason"]
