"""The TCP read checks: lines, patterns, sizes, hashes, the end of a connection, silence."""

from __future__ import annotations

import base64
import hashlib
import random
import socket
import time

from driver_doubles import Drive, TcpPeers, answer_then_close, answer_then_reset, echo


def kinds(result: dict, conn: str = "main") -> list[str]:
    return [e["kind"] for e in result["events"] if e["conn"] == conn]


def greeter(conn: socket.socket) -> None:
    """Sends a greeting of several lines at once, then echoes."""
    conn.sendall(b"220 welcome\r\nVERSION 1.2\n")
    echo(conn)


def test_expect_line_strips_crlf_and_keeps_the_rest(drive: Drive, tcp_peers: TcpPeers):
    port = tcp_peers.start(greeter)
    steps = [
        {"connect": "main"},
        {"expect_line": "220 welcome"},
        {"expect_line": "VERSION 1.2"},
        {"send": "a\nb\n"},
        {"expect_line": "a"},
        {"expect": "b\n"},
    ]
    result = drive(steps, port)
    assert result["status"] == "passed", result


def test_expect_line_mismatch_quotes_the_line(drive: Drive, tcp_peers: TcpPeers):
    port = tcp_peers.start(greeter)
    result = drive([{"connect": "main"}, {"expect_line": "220 hello"}], port)
    assert result["status"] == "failed", result
    assert result["reason"] == (
        "step 1 (expect_line): received the line '220 welcome' on 'main' instead of '220 hello'"
    ), result["reason"]
    assert result["comparison"]["kind"] == "line", result["comparison"]


def test_expect_line_without_newline_times_out(drive: Drive, tcp_peers: TcpPeers):
    port = tcp_peers.start(echo)
    steps = [{"connect": "main"}, {"send": "no newline"}, {"expect_line": "x", "timeout": 0.3}]
    result = drive(steps, port)
    assert result["status"] == "timeout", result
    assert result["reason"] == (
        "step 2 (expect_line): waited 0.3 s for a line on 'main', got 10 bytes without an end "
        "of line (\\n)"
    ), result["reason"]


def test_expect_regex_consumes_only_the_match(drive: Drive, tcp_peers: TcpPeers):
    port = tcp_peers.start(greeter)
    steps = [
        {"connect": "main"},
        {"expect_regex": r"220 \w+\r?\n"},
        {"expect_regex": r"version (\d+)\.(\d+)\n", "flags": ["IGNORECASE"]},
        {"send": "tail"},
        {"expect": "tail"},
    ]
    result = drive(steps, port)
    assert result["status"] == "passed", result


def test_expect_regex_failure_after_eof(drive: Drive, tcp_peers: TcpPeers):
    port = tcp_peers.start(answer_then_close)
    steps = [{"connect": "main"}, {"send": "x"}, {"expect_regex": r"\d+\n"}]
    result = drive(steps, port)
    assert result["status"] == "failed", result
    assert result["reason"] == (
        "step 2 (expect_regex): the program closed the connection 'main' after 2 bytes, which "
        "do not match /\\d+\\n/"
    ), result["reason"]
    cmp = result["comparison"]
    assert (cmp["kind"], base64.b64decode(cmp["got_b64"])) == ("regex", b"hi"), cmp


def test_an_invalid_regex_is_a_driver_error(drive: Drive, tcp_peers: TcpPeers):
    port = tcp_peers.start(echo)
    result = drive([{"connect": "main"}, {"expect_regex": "(unclosed"}], port)
    assert result["status"] == "error", result
    assert result["reason"].startswith(
        "step 1 (expect_regex): the regular expression /(unclosed/ is invalid"
    ), result


def test_expect_bytes_and_sha256(drive: Drive, tcp_peers: TcpPeers):
    port = tcp_peers.start(echo)
    data = random.Random(3).randbytes(70_000)
    digest = hashlib.sha256(data).hexdigest()
    steps = [
        {"connect": "main"},
        {"send": {"random": {"size": 70_000, "seed": 3}}},
        {"expect_bytes": 10},
        {"send": {"random": {"size": 70_000, "seed": 3}}},
        {"expect_bytes": 69_990},
        {"expect_sha256": {"size": 70_000, "sha256": digest}},
    ]
    result = drive(steps, port)
    assert result["status"] == "passed", result


def test_expect_sha256_mismatch_shows_both_hashes(drive: Drive, tcp_peers: TcpPeers):
    port = tcp_peers.start(echo)
    wrong = "0" * 64
    steps = [
        {"connect": "main"},
        {"send": {"repeat": "ab", "times": 5000}},
        {"expect_sha256": {"size": 10_000, "sha256": wrong}},
    ]
    result = drive(steps, port)
    got = hashlib.sha256(b"ab" * 5000).hexdigest()
    assert result["status"] == "failed", result
    assert result["reason"] == (
        f"step 2 (expect_sha256): the 10000 bytes received on 'main' have sha256 {got[:12]}…, "
        "expected 000000000000…"
    ), result["reason"]
    cmp = result["comparison"]
    assert base64.b64decode(cmp["expected_b64"]) == f"10000 bytes with sha256 {wrong}".encode()
    assert cmp["got_size"] == 10_000, cmp


def test_half_close_then_expect_and_eof(drive: Drive, tcp_peers: TcpPeers):
    port = tcp_peers.start(echo)
    steps = [
        {"connect": "main"},
        {"send": "last words\n"},
        {"half_close": "main"},
        {"expect": "last words\n"},
        {"expect_eof": "main"},
    ]
    result = drive(steps, port)
    assert result["status"] == "passed", result
    assert kinds(result) == ["connect", "send", "half_close", "recv", "eof"], result["events"]


def test_expect_all_reads_to_the_end(drive: Drive, tcp_peers: TcpPeers):
    port = tcp_peers.start(echo)
    steps = [
        {"connect": "main"},
        {"send": ["one\n", "two\n"]},
        {"half_close": "main"},
        {"expect_all": "one\ntwo\n"},
    ]
    result = drive(steps, port)
    assert result["status"] == "passed", result


def test_early_eof_says_after_how_many_bytes(drive: Drive, tcp_peers: TcpPeers):
    port = tcp_peers.start(answer_then_close)
    result = drive([{"connect": "main"}, {"send": "x"}, {"expect": "hi there"}], port)
    assert result["status"] == "failed", result
    assert result["reason"] == (
        "step 2 (expect): expected 8 bytes on 'main', but the program closed the connection "
        "'main' after 2 bytes"
    ), result["reason"]
    assert "eof" in kinds(result) and "rst" not in kinds(result), result["events"]


def test_reset_is_told_apart_from_eof(drive: Drive, tcp_peers: TcpPeers):
    port = tcp_peers.start(answer_then_reset)
    result = drive([{"connect": "main"}, {"send": "x"}, {"expect": "hi there"}], port)
    assert result["status"] == "failed", result
    assert result["reason"] == (
        "step 2 (expect): expected 8 bytes on 'main', but the program reset the connection "
        "'main' after 2 bytes"
    ), result["reason"]
    assert "rst" in kinds(result) and "eof" not in kinds(result), result["events"]


def test_expect_eof_on_a_reset_says_reset_instead_of_closed(drive: Drive, tcp_peers: TcpPeers):
    port = tcp_peers.start(answer_then_reset)
    steps = [{"connect": "main"}, {"send": "x"}, {"expect": "hi"}, {"expect_eof": "main"}]
    result = drive(steps, port)
    assert result["status"] == "failed", result
    assert result["reason"] == (
        "step 3 (expect_eof): the connection 'main' was reset instead of closed: the program "
        "aborted it (RST) rather than closing it"
    ), result["reason"]


def test_expect_eof_with_extra_bytes_shows_them(drive: Drive, tcp_peers: TcpPeers):
    port = tcp_peers.start(answer_then_close)
    result = drive([{"connect": "main"}, {"send": "x"}, {"expect_eof": "main"}], port)
    assert result["status"] == "failed", result
    assert result["reason"] == (
        "step 2 (expect_eof): the program sent 2 more bytes on 'main' where it should have closed "
        "it: 'hi'"
    ), result["reason"]
    assert result["comparison"]["kind"] == "eof", result["comparison"]


def test_expect_eof_on_an_open_connection_times_out(drive: Drive, tcp_peers: TcpPeers):
    port = tcp_peers.start(echo)
    result = drive([{"connect": "main"}, {"expect_eof": "main", "timeout": 0.2}], port)
    assert result["status"] == "timeout", result
    assert result["reason"] == (
        "step 1 (expect_eof): waited 0.2 s for the program to close 'main'; it stayed open"
    ), result["reason"]


def test_expect_silence_holds_and_breaks(drive: Drive, tcp_peers: TcpPeers):
    port = tcp_peers.start(echo)
    started = time.monotonic()
    quiet = drive([{"connect": "main"}, {"expect_silence": 0.2}], port)
    assert quiet["status"] == "passed", quiet
    assert 0.2 <= time.monotonic() - started < 1.5, "silence not waited for"

    def chatty(conn: socket.socket) -> None:
        time.sleep(0.1)
        conn.sendall(b"boo")
        echo(conn)

    port = tcp_peers.start(chatty)
    noisy = drive([{"connect": "main"}, {"expect_silence": 1}], port)
    assert noisy["status"] == "failed", noisy
    assert noisy["reason"].startswith("step 1 (expect_silence): the program sent 3 bytes on"), noisy
    assert noisy["reason"].endswith("into 1.0 s of expected silence: 'boo'"), noisy["reason"]


def test_expect_silence_is_broken_by_a_close(drive: Drive, tcp_peers: TcpPeers):
    port = tcp_peers.start(answer_then_close)
    result = drive(
        [{"connect": "main"}, {"send": "x"}, {"expect": "hi"}, {"expect_silence": 1}], port
    )
    assert result["status"] == "failed", result
    assert result["reason"].startswith(
        "step 3 (expect_silence): the program closed the connection 'main'"
    ), result["reason"]


def test_close_and_reset_steps_are_recorded(drive: Drive, tcp_peers: TcpPeers):
    port = tcp_peers.start(echo)
    steps = [
        {"connect": "rude"},
        {"send": "bye", "conn": "rude"},
        {"reset": "rude"},
        {"connect": "polite"},
        {"send": "hi", "conn": "polite"},
        {"expect": "hi", "conn": "polite"},
        {"close": "polite"},
    ]
    result = drive(steps, port)
    assert result["status"] == "passed", result
    assert kinds(result, "rude")[-1] == "reset", result["events"]
    assert kinds(result, "polite")[-1] == "close", result["events"]


def test_unknown_connection_is_a_scenario_error(drive: Drive, tcp_peers: TcpPeers):
    port = tcp_peers.start(echo)
    result = drive([{"connect": "main"}, {"send": "x", "conn": "other"}], port)
    assert result["status"] == "error", result
    assert result["reason"] == (
        "step 1 (send): there is no open TCP connection named 'other' at this point"
    ), result["reason"]
