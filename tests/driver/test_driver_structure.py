"""parallel, barrier, repeat and sleep: concurrency, paths, substitution and deadlines."""

from __future__ import annotations

import base64
import socket
import time

from driver_doubles import Drive, TcpPeers, echo


def sent_texts(result: dict, conn: str) -> list[bytes]:
    return [
        base64.b64decode(e["data_b64"])
        for e in result["events"]
        if e["kind"] == "send" and e["conn"] == conn
    ]


def test_repeat_substitutes_the_iteration(drive: Drive, tcp_peers: TcpPeers):
    port = tcp_peers.start(echo)
    steps = [
        {"connect": "main"},
        {
            "repeat": [{"send": "message {iteration}\n"}, {"expect": "message {iteration}\n"}],
            "times": 3,
        },
    ]
    result = drive(steps, port)
    assert result["status"] == "passed", result
    assert sent_texts(result, "main") == [b"message 0\n", b"message 1\n", b"message 2\n"]


def test_repeat_failure_path_names_the_iteration(drive: Drive, tcp_peers: TcpPeers):
    def breaks_on_two(conn: socket.socket) -> None:
        while data := conn.recv(100):
            conn.sendall(data.replace(b"2", b"X"))

    port = tcp_peers.start(breaks_on_two)
    steps = [
        {"connect": "main"},
        {"repeat": [{"send": "n{iteration}\n"}, {"expect_line": "n{iteration}"}], "times": 5},
    ]
    result = drive(steps, port)
    assert result["status"] == "failed", result
    assert result["step"] == "1.iteration 2.1", result
    assert result["reason"] == (
        "step 1.iteration 2.1 (expect_line): received the line 'nX' on 'main' instead of 'n2'"
    ), result["reason"]


def test_parallel_clients_have_private_connections(drive: Drive, tcp_peers: TcpPeers):
    port = tcp_peers.start(echo)
    steps = [
        {
            "parallel": [
                {"connect": "main"},
                {"barrier": None},
                {"send": "client {client} says hello\n", "chunks": 3, "gap": 0.001},
                {"expect": "client {client} says hello\n"},
                {"barrier": None},
                {"close": "main"},
            ],
            "clients": 5,
        }
    ]
    result = drive(steps, port)
    assert result["status"] == "passed", result
    for i in range(5):
        assert b"".join(sent_texts(result, f"c{i}.main")) == f"client {i} says hello\n".encode()


def test_one_failing_client_fails_the_test_and_frees_the_others(drive: Drive, tcp_peers: TcpPeers):
    def refuses_client_two(conn: socket.socket) -> None:
        while data := conn.recv(100):
            conn.sendall(b"go away\n" if b"client 2" in data else data)

    port = tcp_peers.start(refuses_client_two)
    steps = [
        {
            "parallel": [
                {"connect": "main"},
                {"send": "client {client}\n"},
                {"expect": "client {client}\n"},
                {"barrier": None, "timeout": 20},  # the others would wait here for client 2
                {"expect_silence": 20},
            ],
            "clients": 4,
        }
    ]
    started = time.monotonic()
    result = drive(steps, port)
    elapsed = time.monotonic() - started
    assert elapsed < 3, f"the other clients kept waiting ({elapsed:.1f} s)"
    assert result["status"] == "failed", result
    assert result["step"] == "0.client 2.2", result
    assert result["reason"] == (
        "client 2: step 2 (expect): received 'go away\\n' on 'main' instead of 'client 2\\n'"
    ), result["reason"]


def test_a_barrier_timeout_names_the_clients_that_did_not_arrive(drive: Drive, tcp_peers: TcpPeers):
    def ignores_client_one(conn: socket.socket) -> None:
        while data := conn.recv(100):
            if b"client 1" not in data:
                conn.sendall(data)

    port = tcp_peers.start(ignores_client_one)
    steps = [
        {
            "parallel": [
                {"connect": "main"},
                {"send": "client {client}\n"},
                {"expect": "client {client}\n", "timeout": 10},
                {"barrier": None, "timeout": 0.3},
            ],
            "clients": 3,
        }
    ]
    started = time.monotonic()
    result = drive(steps, port)
    assert time.monotonic() - started < 3, "the stuck client was not stopped"
    assert result["status"] == "timeout", result
    assert result["reason"].endswith(
        "step 3 (barrier): waited 0.3 s at the barrier for the other clients; client 1 is "
        "still at step 2 (expect)"
    ), result["reason"]


def test_parallel_inside_repeat_gives_the_full_path(drive: Drive, tcp_peers: TcpPeers):
    def fails_late(conn: socket.socket) -> None:
        while data := conn.recv(100):
            conn.sendall(b"?" if data == b"1/1" else data)

    port = tcp_peers.start(fails_late)
    inner = [
        {"connect": "main"},
        {"send": "{iteration}/{client}"},
        {"expect": "{iteration}/{client}"},
    ]
    steps = [{"repeat": [{"parallel": inner, "clients": 2}], "times": 2}]
    result = drive(steps, port)
    assert result["status"] == "failed", result
    assert result["step"] == "0.iteration 1.0.client 1.2", result
    assert result["reason"] == (
        "client 1: step 2 (expect): received '?' on 'main' instead of '1/1'"
    ), result["reason"]


def test_sleep_past_the_test_deadline_is_a_timeout(drive: Drive, tcp_peers: TcpPeers):
    port = tcp_peers.start(echo)
    started = time.monotonic()
    result = drive([{"sleep": 10}], port, test_timeout=0.3)
    assert time.monotonic() - started < 1, "slept past the test deadline"
    assert result["status"] == "timeout", result
    assert result["reason"] == (
        "step 0 (sleep): the test's 0.3 s limit ran out during a 10.0 s sleep"
    ), result["reason"]


def test_a_step_without_an_action_is_an_error(drive: Drive, tcp_peers: TcpPeers):
    port = tcp_peers.start(echo)
    result = drive([{"frobnicate": 1}], port)
    assert result["status"] == "error", result
    assert result["reason"] == (
        "step 0: a step needs exactly one action key; this one has none (its keys: frobnicate)"
    ), result["reason"]


def test_an_invalid_request_is_an_error_result(drive: Drive):
    result = drive([], 0)
    assert result["status"] == "error", result
    assert result["reason"] == "invalid driver request: 'port' must be a port number, not 0"


def test_a_barrier_outside_parallel_waits_for_nobody(drive: Drive, tcp_peers: TcpPeers):
    port = tcp_peers.start(echo)
    result = drive([{"barrier": None, "timeout": 5}], port)
    assert result["status"] == "passed", result
    assert result["duration"] < 1, result
