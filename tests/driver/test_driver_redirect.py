"""The driver's side of docker's redirection: the DNS responder and the catcher, on loopback."""

from __future__ import annotations

import socket
import struct
import threading
import time

from driver_doubles import HOST, Drive


def free_port(kind: socket.SocketKind) -> int:
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def query(name: str, qtype: int) -> bytes:
    labels = b"".join(bytes([len(p)]) + p.encode() for p in name.split("."))
    header = struct.pack("!HHHHHH", 0xBEEF, 0x0100, 1, 0, 0, 0)
    return header + labels + b"\0" + struct.pack("!HH", qtype, 1)


def test_lookups_are_answered_with_the_one_address_and_recorded(drive: Drive) -> None:
    dns = free_port(socket.SOCK_DGRAM)
    replies: list[bytes] = []

    def look_up() -> None:
        time.sleep(0.2)  # the driver binds the responder before its first step
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.settimeout(3)
            for qtype in (1, 28):  # A, then AAAA
                sock.sendto(query("smtp.gmail.com", qtype), (HOST, dns))
                replies.append(sock.recv(512))

    client = threading.Thread(target=look_up)
    client.start()
    config = {"dns_port": dns, "answer": "172.18.0.2", "catch": None}
    result = drive([{"sleep": 1.0}], 1, role="client", redirect=config)
    client.join()
    assert result["status"] == "passed", result
    a, aaaa = replies
    assert a[:2] == b"\xbe\xef" and a.endswith(bytes([172, 18, 0, 2])), a
    assert aaaa[:2] == b"\xbe\xef" and aaaa[6:8] == b"\0\0", aaaa  # no answer: IPv4 only
    notes = [e["note"] for e in result["events"] if e["conn"] == "dns"]
    assert notes == [
        "the program looked up smtp.gmail.com (A): answered 172.18.0.2",
        "the program looked up smtp.gmail.com (AAAA): no address of this type",
    ], result["events"]


def test_a_connection_to_the_catch_port_is_reset_and_recorded(drive: Drive) -> None:
    catch = free_port(socket.SOCK_STREAM)
    seen: list[str] = []

    def dial() -> None:
        time.sleep(0.2)
        try:  # the reset may come before connect returns
            with socket.create_connection((HOST, catch), timeout=3) as sock:
                seen.append(repr(sock.recv(10)))
        except ConnectionResetError:
            seen.append("reset")

    client = threading.Thread(target=dial)
    client.start()
    config = {"dns_port": None, "answer": "172.18.0.2", "catch": catch}
    result = drive([{"sleep": 1.0}], 1, role="client", redirect=config)
    client.join()
    assert seen == ["reset"], seen
    (note,) = [e["note"] for e in result["events"] if e["conn"] == "redirect"]
    # not redirected here: SO_ORIGINAL_DST is the address dialed
    assert note.startswith(f"the program dialed {HOST}:{catch}, not the host and port"), note


def test_a_port_in_use_is_the_graders_error(drive: Drive) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as taken:
        taken.bind((HOST, 0))
        config = {"dns_port": taken.getsockname()[1], "answer": "172.18.0.2", "catch": None}
        result = drive([{"sleep": 0.1}], 1, role="client", redirect=config)
    assert result["status"] == "error", result
    assert "could not start its side of the redirection" in result["reason"], result
