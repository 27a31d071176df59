"""The program steps through a Control: a real child process, and an in-memory fake."""

from __future__ import annotations

import base64
import socket
import time

from driver_doubles import Drive, FakeControl, SubprocessControl, TcpPeers, never_answer


def process_notes(result: dict) -> list[str]:
    return [e["note"] for e in result["events"] if e["kind"] == "process"]


def test_stdin_output_and_exit_code_of_a_real_program(drive: Drive, program: SubprocessControl):
    steps = [
        {"start": None},
        {"expect_output": "ready\n", "match": "exact"},
        {"expect_running": None},
        {"stdin": "hello\n"},
        {"expect_output": "got: hello"},
        {"expect_output": r"got: \w+\n$", "match": "regex"},
        {"stdin": "exit 3\n"},
        {"expect_exit": 3},
    ]
    result = drive(steps, 1, program)
    assert result["status"] == "passed", result
    assert process_notes(result) == ["started", "exited with code 3"], result["events"]
    stdin = [e for e in result["events"] if e["kind"] == "stdin"]
    assert [base64.b64decode(e["data_b64"]) for e in stdin] == [b"hello\n", b"exit 3\n"]


def test_closing_stdin_ends_the_program_with_code_zero(drive: Drive, program: SubprocessControl):
    steps = [{"start": None}, {"stdin": "", "eof": True}, {"expect_exit": "any"}]
    result = drive(steps, 1, program)
    assert result["status"] == "passed", result
    nonzero = drive(
        [{"start": None}, {"stdin": "", "eof": True}, {"expect_exit": "nonzero"}], 1, program
    )
    assert nonzero["status"] == "failed", nonzero
    assert nonzero["reason"] == (
        "step 2 (expect_exit): the program exited with code 0, expected a failure (nonzero)"
    ), nonzero["reason"]


def test_restart_and_stop(drive: Drive, program: SubprocessControl):
    steps = [
        {"start": None},
        {"expect_output": "ready"},
        {"restart": None},
        {"expect_running": None},
        {"stop": None},
    ]
    result = drive(steps, 1, program)
    assert result["status"] == "passed", result
    assert process_notes(result) == ["started", "restarted", "stopped (killed by signal 15)"]


def test_expect_output_timeout_says_what_was_awaited(drive: Drive, program: SubprocessControl):
    steps = [
        {"start": None},
        {"expect_output": "ready"},
        {"expect_output": "never printed", "timeout": 0.3},
    ]
    result = drive(steps, 1, program)
    assert result["status"] == "timeout", result
    assert result["reason"] == (
        "step 2 (expect_output): waited 0.3 s for the program's stdout to contain "
        "'never printed'; it wrote 6 bytes"
    ), result["reason"]
    cmp = result["comparison"]
    assert (cmp["kind"], base64.b64decode(cmp["got_b64"])) == ("output", b"ready\n"), cmp


def test_expect_output_fails_at_once_when_the_program_exited(
    drive: Drive, program: SubprocessControl
):
    steps = [
        {"start": None},
        {"stdin": "exit 4\n"},
        {"expect_output": "goodbye", "stream": "stdout", "timeout": 10},
    ]
    started = time.monotonic()
    result = drive(steps, 1, program)
    assert time.monotonic() - started < 2, "waited out the deadline for a dead program"
    assert result["status"] == "failed", result
    assert result["reason"] == (
        "step 2 (expect_output): the program exited with code 4 and its stdout does not contain "
        "'goodbye' (it wrote 6 bytes)"
    ), result["reason"]


def test_expect_exit_timeout_and_wrong_code(drive: Drive, fake: FakeControl):
    running = drive([{"expect_exit": 0, "timeout": 0.2}], 1, fake)
    assert running["status"] == "timeout", running
    assert running["reason"] == (
        "step 0 (expect_exit): waited 0.2 s for the program to exit; it is still running"
    ), running["reason"]
    fake.exit(2)
    wrong = drive([{"expect_exit": 0}], 1, fake)
    assert wrong["status"] == "failed", wrong
    assert wrong["reason"] == (
        "step 0 (expect_exit): the program exited with code 2, expected exit code 0"
    ), wrong["reason"]


def test_expect_running_on_a_crashed_program(drive: Drive, fake: FakeControl):
    fake.running, fake.signal = False, 11
    result = drive([{"expect_running": None}], 1, fake)
    assert result["status"] == "failed", result
    assert result["reason"] == (
        "step 0 (expect_running): the program is not running: it was killed by signal 11"
    ), result["reason"]


def test_a_network_failure_mentions_the_dead_program(
    drive: Drive, fake: FakeControl, tcp_peers: TcpPeers
):
    def dies(conn: socket.socket) -> None:
        conn.recv(100)
        fake.exit(1)  # the "program" crashes while serving

    port = tcp_peers.start(dies)
    result = drive([{"connect": "main"}, {"send": "hi\n"}, {"expect": "hi\n"}], port, fake)
    assert result["status"] == "failed", result
    assert result["reason"] == (
        "step 2 (expect): expected 3 bytes on 'main', but the program closed the connection "
        "'main' after 0 bytes — the program had exited with code 1"
    ), result["reason"]
    assert process_notes(result) == ["exited with code 1"], result["events"]


def test_a_sandbox_failure_is_an_error_not_the_students(drive: Drive, tcp_peers: TcpPeers):
    class BrokenControl(FakeControl):
        def start(self) -> None:
            raise RuntimeError("docker daemon unreachable")

    port = tcp_peers.start(never_answer)
    result = drive([{"start": None}], port, BrokenControl())
    assert result["status"] == "error", result
    assert result["reason"] == (
        "step 0 (start): the grader could not start the program: docker daemon unreachable"
    ), result["reason"]
