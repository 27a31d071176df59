"""The local backend: programs run on loopback and nothing of them outlives a test."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from grader.api import check
from grader.backends.local import LocalProgram
from grader.backends.ports import lease_port
from grader.spec import load_assignment

SPEC = """\
id: tiny
title: Tiny echo
summary: Echo one line.
role: server
transport: tcp
languages:
  python: {{entry: server.py, run: "python3 server.py {{port}} {pidfile}"}}
limits: {{step_timeout: 1.5, connect_timeout: 3}}
tests:
  - name: echo
    points: 1
    description: One line is echoed.
    scenario:
      - connect: main
      - send: "hi\\n"
      - expect: "hi\\n"
"""

# A server that starts a grandchild (which would outlive a careless grader), records both pids,
# then behaves as the mode says: echo, crash, hang (accept and never answer), or ignore SIGTERM.
SERVER = """\
import os, signal, socket, subprocess, sys
port, pidfile, mode = int(sys.argv[1]), sys.argv[2], {mode!r}
child = subprocess.Popen(["sleep", "300"])
with open(pidfile, "w") as f:
    f.write(f"{{os.getpid()}} {{child.pid}}")
if mode == "crash":
    print("boom", file=sys.stderr)
    sys.exit(3)
if mode == "stubborn":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", port))
srv.listen()
print("listening", flush=True)
while True:
    conn, _ = srv.accept()
    data = conn.recv(100)
    if mode != "hang":
        conn.sendall(data)
"""


def make(tmp_path: Path, mode: str) -> tuple[Path, Path, Path]:
    pidfile = tmp_path / "pids"
    assignment = tmp_path / "tiny"
    assignment.mkdir()
    (assignment / "assignment.yaml").write_text(SPEC.format(pidfile=pidfile))
    submission = tmp_path / mode
    submission.mkdir()
    (submission / "server.py").write_text(SERVER.format(mode=mode))
    return assignment, submission, pidfile


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie has exited; only its parent's reaping is missing
    stat = Path(f"/proc/{pid}/stat").read_text()
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def assert_all_gone(pidfile: Path) -> None:
    pids = [int(p) for p in pidfile.read_text().split()]
    deadline = time.monotonic() + 3
    while any(alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [p for p in pids if alive(p)], f"processes left behind: {pids}"


def test_passing_program_leaves_no_process(tmp_path: Path) -> None:
    assignment, submission, pidfile = make(tmp_path, "echo")
    result = check(assignment, submission, backend="local")
    assert [t.status for t in result.tests] == ["passed"], result.tests[0].reason
    assert result.score == 1 and result.backend == "local"
    assert any("without isolation" in note for note in result.notes), result.notes
    assert b"listening" in result.tests[0].stdout_tail
    assert_all_gone(pidfile)


def test_crashing_program_is_a_result_with_its_exit_code(tmp_path: Path) -> None:
    assignment, submission, pidfile = make(tmp_path, "crash")
    result = check(assignment, submission, backend="local")
    test = result.tests[0]
    assert test.status == "failed", test
    assert "your program exited with code 3" in test.diagnostics, test.diagnostics
    assert b"boom" in test.stderr_tail
    assert_all_gone(pidfile)


def test_hanging_program_times_out_and_is_killed(tmp_path: Path) -> None:
    assignment, submission, pidfile = make(tmp_path, "hang")
    started = time.monotonic()
    result = check(assignment, submission, backend="local")
    assert result.tests[0].status == "timeout", result.tests[0]
    assert time.monotonic() - started < 6
    assert_all_gone(pidfile)


def test_program_ignoring_sigterm_is_killed(tmp_path: Path) -> None:
    assignment, submission, pidfile = make(tmp_path, "stubborn")
    loaded = load_assignment(assignment)
    program = LocalProgram(
        ["python3", str(submission / "server.py"), "0", str(pidfile)], submission, 1000
    )
    program.start()
    deadline = time.monotonic() + 5
    while not pidfile.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.2)  # let it install its SIGTERM handler
    state = program.stop()
    assert state["running"] is False and state["signal"] == signal.SIGKILL, state
    assert loaded.spec.id == "tiny"
    assert_all_gone(pidfile)


def test_work_dir_is_removed_and_submission_untouched(tmp_path: Path) -> None:
    assignment, submission, _ = make(tmp_path, "echo")
    before = sorted(p.name for p in submission.iterdir())
    work_dirs = Path(tempfile.gettempdir()).glob("grader-tiny-*")
    existing = set(work_dirs)
    result = check(assignment, submission, backend="local")
    assert result.tests[0].status == "passed", result.tests[0]
    assert set(Path(tempfile.gettempdir()).glob("grader-tiny-*")) == existing
    assert sorted(p.name for p in submission.iterdir()) == before


def test_interrupted_check_kills_the_program_and_exits_130(tmp_path: Path) -> None:
    assignment, submission, pidfile = make(tmp_path, "hang")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "grader.cli",
            "check",
            str(assignment),
            str(submission),
            "--backend",
            "local",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 10
    while not pidfile.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert pidfile.exists(), "the student program never started"
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=10)
    assert proc.returncode == 130, stderr
    assert b"interrupted" in stderr
    assert b"Traceback" not in stderr, stderr
    assert_all_gone(pidfile)


@pytest.mark.parametrize("sig", [signal.SIGTERM])
def test_terminated_check_kills_the_program(tmp_path: Path, sig: signal.Signals) -> None:
    assignment, submission, pidfile = make(tmp_path, "hang")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "grader.cli",
            "check",
            str(assignment),
            str(submission),
            "--backend",
            "local",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 10
    while not pidfile.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    proc.send_signal(sig)
    _, stderr = proc.communicate(timeout=10)
    assert proc.returncode == 130, stderr
    assert_all_gone(pidfile)


FILE_SERVER = """\
import socket, sys
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", int(sys.argv[1])))
srv.listen()
while True:
    conn, _ = srv.accept()
    name = conn.recv(100).decode().strip()
    with open(name, "rb") as f:  # relative to the working directory, as students do
        conn.sendall(f.read())
    conn.close()
"""


def test_spec_files_are_placed_in_the_working_directory(tmp_path: Path) -> None:
    assignment = tmp_path / "tiny"
    (assignment / "pages").mkdir(parents=True)
    (assignment / "pages" / "index.html").write_text("<h1>graded copy</h1>")
    spec = SPEC.format(pidfile="unused").replace("limits:", "files: pages\nlimits:")
    spec = spec.replace('send: "hi\\n"', 'send: "index.html\\n"').replace(
        'expect: "hi\\n"', 'expect_all: "<h1>graded copy</h1>"'
    )
    (assignment / "assignment.yaml").write_text(spec)
    submission = tmp_path / "sub"
    submission.mkdir()
    (submission / "server.py").write_text(FILE_SERVER)
    (submission / "index.html").write_text("the student's own copy is replaced")
    result = check(assignment, submission, backend="local")
    assert result.tests[0].status == "passed", result.tests[0].reason


UDP_SPEC = """\
id: slow-udp
title: Slow UDP echo
summary: Echo one datagram.
role: server
transport: udp
languages:
  python: {entry: server.py, run: "python3 server.py {port}"}
limits: {step_timeout: 1.5, connect_timeout: 5}
tests:
  - name: echo
    points: 1
    description: One datagram is echoed.
    scenario:
      - udp_bind: main
      - sendto: ping
      - expect_datagram: ping
"""

# Binds only after a pause: a datagram sent at once would be lost without a trace.
SLOW_UDP_SERVER = """\
import socket, sys, time
time.sleep(0.8)
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind(("0.0.0.0", int(sys.argv[1])))
while True:
    data, addr = sock.recvfrom(65535)
    sock.sendto(data, addr)
"""


def test_udp_server_is_sent_nothing_before_it_binds_its_port(tmp_path: Path) -> None:
    assignment = tmp_path / "slow-udp"
    assignment.mkdir()
    (assignment / "assignment.yaml").write_text(UDP_SPEC)
    submission = tmp_path / "sub"
    submission.mkdir()
    (submission / "server.py").write_text(SLOW_UDP_SERVER)
    result = check(assignment, submission, backend="local")
    assert result.tests[0].status == "passed", result.tests[0].reason


GREETER = """\
import socket, sys
srv = socket.socket()  # no SO_REUSEADDR, as in many textbook servers
srv.bind(("127.0.0.1", int(sys.argv[1])))
srv.listen()
while True:
    conn, _ = srv.accept()
    conn.sendall(b"hello\\n")
    conn.close()  # the server closes first: its side of the connection enters TIME_WAIT
"""


def test_fixed_port_server_without_reuseaddr_starts_again_for_the_next_test(
    tmp_path: Path,
) -> None:
    """The driver resets connections the program closed first, so no TIME_WAIT holds its port."""
    assignment = tmp_path / "tiny"
    assignment.mkdir()
    test = """
  - name: {name}
    points: 1
    description: A greeting, then the server closes.
    scenario:
      - connect: main
      - expect_all: "hello\\n"
"""
    with lease_port() as port:  # a port nothing uses; the spec then fixes it
        pass
    head = SPEC.format(pidfile="unused").split("tests:")[0]
    spec = head.replace("limits:", f"port: {port}\nlimits:")
    (assignment / "assignment.yaml").write_text(
        spec + "tests:" + test.format(name="first") + test.format(name="second")
    )
    submission = tmp_path / "sub"
    submission.mkdir()
    (submission / "server.py").write_text(GREETER)
    result = check(assignment, submission, backend="local")
    assert [(t.name, t.status) for t in result.tests] == [
        ("first", "passed"),
        ("second", "passed"),
    ], [[*t.diagnostics, t.reason] for t in result.tests]
