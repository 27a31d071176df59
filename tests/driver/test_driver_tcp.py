"""The TCP steps against real loopback servers: connect, send, expect, and listen/accept."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import random
import socket
import threading
import time

from driver_doubles import (
    HOST,
    Drive,
    FakeControl,
    TcpPeers,
    echo,
    echo_by_halves,
    never_answer,
)


def events_of(result: dict, kind: str, conn: str = "main") -> list[dict]:
    return [e for e in result["events"] if e["kind"] == kind and e["conn"] == conn]


def received(result: dict, conn: str = "main") -> int:
    return sum(e["size"] for e in events_of(result, "recv", conn))


# --- connect ------------------------------------------------------------------------------------


def test_connect_retries_until_the_program_listens(drive: Drive, free_port, tcp_peers: TcpPeers):
    port, sock = free_port
    # The "program" starts listening 0.3 s after the test starts, on the bound socket.
    late = threading.Timer(0.3, lambda: (sock.listen(8), tcp_peers.start(echo, listener=sock)))
    late.start()
    try:
        result = drive([{"connect": "main"}, {"send": "hi\n"}, {"expect": "hi\n"}], port)
    finally:
        late.cancel()
    assert result["status"] == "passed", result
    retries = events_of(result, "connect_retry")
    assert len(retries) == 1, result["events"]  # one summary, not one event per attempt
    assert "attempts failed (connection refused)" in retries[0]["note"], retries
    connect = events_of(result, "connect")[0]
    assert connect["t"] >= 0.25, connect


def test_connect_refused_until_the_deadline_fails_with_the_port(drive: Drive, free_port):
    port, _ = free_port
    started = time.monotonic()
    result = drive([{"connect": "main"}], port, connect_timeout=0.4)
    assert time.monotonic() - started < 2, "the connect deadline was not kept"
    assert result["status"] == "failed", result
    assert result["step"] == "0", result
    assert result["reason"].startswith(
        f"step 0 (connect): could not connect to {HOST}:{port} within 0.4 s: connection refused, "
    ), result["reason"]
    assert result["reason"].endswith("(is the program listening on that port?)"), result["reason"]
    assert len(events_of(result, "connect_retry")) == 1, result["events"]


def test_connect_fails_at_once_when_the_program_has_exited(drive: Drive, free_port):
    port, _ = free_port
    control = FakeControl()
    control.exit(3)
    started = time.monotonic()
    result = drive([{"connect": "main"}], port, control, connect_timeout=5)
    assert time.monotonic() - started < 1, "waited out the deadline for a dead program"
    assert result["status"] == "failed", result
    assert result["reason"] == (
        f"step 0 (connect): the program exited (code 3) before it listened on port {port}"
    ), result


# --- send and expect ------------------------------------------------------------------------------


def test_byte_by_byte_send_arrives_whole(drive: Drive, tcp_peers: TcpPeers):
    port = tcp_peers.start(echo)
    message = "fragmented but whole\n"
    steps = [
        {"connect": "main"},
        {"send": message, "chunks": 1, "gap": 0.002},
        {"expect": message},
    ]
    result = drive(steps, port)
    assert result["status"] == "passed", result
    sends = events_of(result, "send")
    assert [e["size"] for e in sends] == [1] * len(message), sends
    assert b"".join(base64.b64decode(e["data_b64"]) for e in sends) == message.encode()


def test_chunk_list_sizes_repeat_the_last_one(drive: Drive, tcp_peers: TcpPeers):
    port = tcp_peers.start(echo)
    steps = [
        {"connect": "main"},
        {"send": "abcdefghij", "chunks": [1, 4], "gap": 0},
        {"expect": "abcdefghij"},
    ]
    result = drive(steps, port)
    assert result["status"] == "passed", result
    assert [e["size"] for e in events_of(result, "send")] == [1, 4, 4, 1], result["events"]


def test_two_messages_in_one_write_come_back_in_order(drive: Drive, tcp_peers: TcpPeers):
    port = tcp_peers.start(echo)
    steps = [{"connect": "main"}, {"send": ["first\n", "second\n"]}, {"expect": "first\nsecond\n"}]
    result = drive(steps, port)
    assert result["status"] == "passed", result
    assert [e["size"] for e in events_of(result, "send")] == [13], result["events"]


def test_one_mebibyte_random_echo_passes_with_a_small_result(drive: Drive, tcp_peers: TcpPeers):
    port = tcp_peers.start(echo)
    payload = {"random": {"size": 1 << 20, "seed": 42}}
    result = drive([{"connect": "main"}, {"send": payload}, {"expect": payload}], port)
    assert result["status"] == "passed", result["reason"]
    assert len(json.dumps(result)) < 200_000, "the result carries megabytes"
    whole = random.Random(42).randbytes(1 << 20)
    send = events_of(result, "send")[0]
    assert send["size"] == 1 << 20, send
    assert send["sha256"] == hashlib.sha256(whole).hexdigest(), send
    assert len(base64.b64decode(send["data_b64"])) == 4096, "preview not cut to preview_bytes"
    assert received(result) == 1 << 20, result["events"]
    assert len(events_of(result, "recv")) <= 3, "received chunks were not merged"


def test_a_large_mismatch_gives_the_offset_and_a_preview_around_it(
    drive: Drive, tcp_peers: TcpPeers
):
    def corrupt_echo(conn: socket.socket) -> None:
        data = bytearray()
        while len(data) < 100_000 and (chunk := conn.recv(65536)):
            data += chunk
        data[70_000] ^= 0xFF
        conn.sendall(data)

    port = tcp_peers.start(corrupt_echo)
    payload = {"random": {"size": 100_000, "seed": 1}}
    result = drive([{"connect": "main"}, {"send": payload}, {"expect": payload}], port)
    assert result["status"] == "failed", result
    assert result["reason"].startswith(
        "step 2 (expect): the bytes received on 'main' differ from the expected ones at byte "
        "70000 (expected 100000 bytes, received "
    ), result["reason"]
    cmp = result["comparison"]
    assert cmp["kind"] == "bytes", cmp
    assert cmp["offset"] == 70_000 - 256, cmp
    expected = base64.b64decode(cmp["expected_b64"])
    got = base64.b64decode(cmp["got_b64"])
    assert len(expected) == len(got) == 4096, (len(expected), len(got))
    assert expected[256] != got[256] and expected[:256] == got[:256], "difference not in view"


def test_slow_reader_gets_every_byte(drive: Drive, tcp_peers: TcpPeers):
    port = tcp_peers.start(echo)
    payload = {"random": {"size": 262144, "seed": 7}}
    steps = [
        {"connect": "main"},
        {"send": payload, "drain": False},
        {"sleep": 0.1},
        {"expect": payload, "read_size": 4096, "read_gap": 0.0005, "timeout": 10},
    ]
    result = drive(steps, port)
    assert result["status"] == "passed", result["reason"]
    recv = events_of(result, "recv")
    assert sum(e["size"] for e in recv) == 262144, recv
    assert all(e["sha256"] for e in recv if e["size"] > 4096), recv


def test_echo_by_halves_is_reassembled(drive: Drive, tcp_peers: TcpPeers):
    port = tcp_peers.start(echo_by_halves)
    steps = [{"connect": "main"}, {"send": "hello, echo\n"}, {"expect_line": "hello, echo"}]
    result = drive(steps, port)
    assert result["status"] == "passed", result


def test_wrong_bytes_fail_with_both_quoted(drive: Drive, tcp_peers: TcpPeers):
    port = tcp_peers.start(echo)
    result = drive([{"connect": "main"}, {"send": "hellO\n"}, {"expect": "hello\n"}], port)
    assert result["status"] == "failed", result
    assert result["reason"] == (
        "step 2 (expect): received 'hellO\\n' on 'main' instead of 'hello\\n'"
    ), result["reason"]
    cmp = result["comparison"]
    assert (cmp["kind"], cmp["offset"]) == ("bytes", 0), cmp
    assert base64.b64decode(cmp["expected_b64"]) == b"hello\n", cmp


def test_expect_timeout_says_what_was_awaited_and_received(drive: Drive, tcp_peers: TcpPeers):
    port = tcp_peers.start(never_answer)
    steps = [{"connect": "main"}, {"send": "hello"}, {"expect": "hello, world", "timeout": 0.3}]
    started = time.monotonic()
    result = drive(steps, port)
    assert time.monotonic() - started < 2, "the step deadline was not kept"
    assert result["status"] == "timeout", result
    assert result["reason"] == (
        "step 2 (expect): waited 0.3 s for 12 bytes on 'main', got 0 bytes"
    ), result["reason"]
    assert events_of(result, "timeout"), result["events"]


def test_test_deadline_cuts_a_long_step_short(drive: Drive, tcp_peers: TcpPeers):
    port = tcp_peers.start(never_answer)
    steps = [{"connect": "main"}, {"expect": "x", "timeout": 20}]
    started = time.monotonic()
    result = drive(steps, port, test_timeout=0.5)
    assert time.monotonic() - started < 2, "the test deadline was not kept"
    assert result["status"] == "timeout", result
    assert "(the rest of the test's 0.5 s limit) for 1 byte on 'main'" in result["reason"], result


def test_send_to_a_reset_connection_fails_clearly(drive: Drive, tcp_peers: TcpPeers):
    def reset_at_once(conn: socket.socket) -> None:
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\0\0\0\0\0\0\0")

    port = tcp_peers.start(reset_at_once)
    steps = [{"connect": "main"}, {"sleep": 0.1}, {"send": {"random": {"size": 1 << 20}}}]
    result = drive(steps, port)
    assert result["status"] == "failed", result
    assert result["reason"].startswith(
        "step 2 (send): the program closed the connection 'main' (reset) while we were sending"
    ), result["reason"]


# --- listen and accept (student clients) ---------------------------------------------------------


def _client_program(port: int, message: bytes) -> FakeControl:
    """A fake program whose start() launches a TCP client thread: it sends and reads back."""
    control = FakeControl(running=False)
    got: list[bytes] = []

    def client() -> None:
        with socket.create_connection((HOST, port), timeout=5) as sock:
            sock.sendall(message)
            got.append(sock.recv(100))
        control.exit(0)

    control.on_start = lambda: threading.Thread(target=client, daemon=True).start()
    control.got = got  # type: ignore[attr-defined]
    return control


def test_listen_and_accept_a_student_client(drive: Drive, free_port):
    port, sock = free_port
    sock.close()  # the driver listens on this port itself
    control = _client_program(port, b"HELO\n")
    steps = [
        {"listen": "server"},
        {"start": None},
        {"accept": "main", "listener": "server"},
        {"expect_line": "HELO"},
        {"send": "250 ok\n"},
        {"expect_eof": "main"},
        {"expect_exit": 0},
    ]
    result = drive(steps, port, control, role="client")
    assert result["status"] == "passed", result
    assert control.got == [b"250 ok\n"], control.got  # type: ignore[attr-defined]
    kinds = [e["kind"] for e in result["events"]]
    assert kinds[:3] == ["listen", "process", "accept"], kinds


def test_accept_timeout_says_the_program_did_not_connect(drive: Drive, free_port):
    port, sock = free_port
    sock.close()
    steps = [{"listen": "server"}, {"accept": "main", "listener": "server", "timeout": 0.3}]
    result = drive(steps, port, role="client")
    assert result["status"] == "timeout", result
    assert result["reason"] == ("step 1 (accept): the program did not connect within 0.3 s"), (
        result["reason"]
    )


def test_accept_fails_at_once_when_the_program_exited(drive: Drive, free_port):
    port, sock = free_port
    sock.close()
    control = FakeControl()
    control.exit(1)
    steps = [{"listen": "server"}, {"accept": "main", "listener": "server", "timeout": 5}]
    started = time.monotonic()
    result = drive(steps, port, control, role="client")
    assert time.monotonic() - started < 1, "waited out the deadline for a dead program"
    assert result["status"] == "failed", result
    assert result["reason"] == (
        f"step 1 (accept): the program exited (code 1) without connecting to port {port}"
    ), result["reason"]


def never_read(conn: socket.socket) -> None:
    """Accept and never read: the client's send fills every buffer, then blocks."""
    while conn.fileno() != -1:
        time.sleep(0.05)


def test_a_send_the_program_never_reads_times_out(drive: Drive, tcp_peers: TcpPeers):
    port = tcp_peers.start(never_read)
    steps = [
        {"connect": "main"},
        {"send": {"random": {"size": 32 << 20}}, "drain": False, "timeout": 0.5},
    ]
    result = drive(steps, port)
    assert result["status"] == "timeout", result
    reason = result["reason"]
    assert reason.startswith(
        "step 1 (send): waited 0.5 s to send 33554432 bytes on 'main', sent "
    ), reason
    assert reason.endswith(
        ": the program stopped reading (this step does not read the replies meanwhile)"
    ), reason
    assert [e["kind"] for e in result["events"]][-1] == "timeout", result["events"]


def test_a_flooding_program_is_failed_with_the_size_and_the_driver_stays_small(
    drive: Drive, tcp_peers: TcpPeers
):
    """100 MB nobody asked for, sent while the driver sends: it keeps 16 MiB and counts the rest."""
    import resource  # noqa: PLC0415 -- only this test measures the driver's memory

    flood = 100_000_000

    def flooder(conn: socket.socket) -> None:
        block = b"x" * (1 << 20)
        with contextlib.suppress(OSError):
            for _ in range(flood // len(block)):
                conn.sendall(block)
            conn.sendall(b"x" * (flood % len(block)))
            while conn.recv(1 << 16):  # then reads what it is sent, until the grader closes
                pass

    port = tcp_peers.start(flooder)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    steps = [
        {"connect": "main"},
        {"send": {"random": {"size": 1 << 22, "seed": 1}}, "chunks": 65536, "gap": 0.05},
        {"expect": "hello\n"},
    ]
    result = drive(steps, port, step_timeout=30)
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert result["status"] == "failed", result
    assert result["step"] == "2", result
    assert "that no step asked for (the grader keeps 16.8 MB unread" in result["reason"], result
    assert " MB on 'main'" in result["reason"]
    assert grown_kib < 80 * 1024, f"the driver grew by {grown_kib} KiB"
