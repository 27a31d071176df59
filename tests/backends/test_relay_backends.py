"""The impairment relay on both backends: a TCP server test through re-segmentation and a reset,
seen in the result's transcript."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from grader.backends.local import LocalBackend
from grader.grading import grade
from grader.spec import load_assignment
from grader.submission import load_submission

SPEC = """\
id: relayed
title: Relayed echo
summary: An echo server behind the impairment relay.
role: server
transport: tcp
languages:
  python: {entry: server.py, run: "python3 server.py {port}"}
limits: {step_timeout: 3}
tests:
  - name: byte-by-byte
    points: 1
    description: The relay forwards in 1-byte writes both ways.
    impair: {to_program: {segment: 1}, from_program: {segment: 1, delay: 0.01}}
    scenario:
      - connect: main
      - send: "hello through the relay\\n"
      - expect: "hello through the relay\\n"
  - name: reset
    points: 1
    description: The relay resets the connection after 5 bytes.
    impair: {to_program: {reset_after: 5}}
    scenario:
      - connect: main
      - send: "0123456789"
      - expect: "0123456789"
"""
SERVER = """\
import socket, sys, threading

def serve(conn):
    with conn:
        while data := conn.recv(4096):
            conn.sendall(data)

srv = socket.create_server(("", int(sys.argv[1])))
while True:
    conn, _ = srv.accept()
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
"""


def grade_relayed(tmp_path: Path, backend: Any) -> Any:
    folder = tmp_path / "assignments" / "relayed"
    folder.mkdir(parents=True)
    (folder / "assignment.yaml").write_text(SPEC)
    student = tmp_path / "student"
    student.mkdir()
    (student / "server.py").write_text(SERVER)
    return grade(load_assignment(folder), load_submission(student), backend, rerun_command=str)


def check(result: Any) -> None:
    passed, reset = result.tests
    assert passed.status == "passed", passed.reason
    notes = [e.note for e in passed.transcript if e.conn == "relay"]
    assert any("to the program: 1-byte writes" in (n or "") for n in notes), notes
    assert reset.status == "failed", reset.reason
    assert "reset" in reset.reason, reset.reason
    notes = [e.note for e in reset.transcript if e.conn == "relay"]
    assert "relay reset both connections after 5 bytes to the program" in notes, notes


def test_relay_on_the_local_backend(tmp_path: Path) -> None:
    check(grade_relayed(tmp_path, LocalBackend()))


@pytest.mark.docker
def test_relay_in_the_tester_container(tmp_path: Path, docker_backend: Any) -> None:
    check(grade_relayed(tmp_path, docker_backend))
