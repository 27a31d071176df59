"""Port discovery: a server that hardcodes its port is found where it listens, with a note."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest

from grader.backends.local import LocalBackend
from grader.grading import grade
from grader.spec import load_assignment
from grader.submission import load_submission

SPEC = """\
id: {name}
title: Hardcoded port
summary: A server that may ignore the port it is given.
role: server
transport: {transport}
port: {handout}
port_discovery: true
languages:
  python: {{entry: server.py, run: "python3 server.py {{port}}"}}
limits: {{step_timeout: 2, connect_timeout: 5}}
tests:
  - name: echo
    points: 1
    description: One message is echoed.
    scenario:
{scenario}
"""
TCP_SCENARIO = """\
      - connect: main
      - send: "hi\\n"
      - expect: "hi\\n"
"""
UDP_SCENARIO = """\
      - udp_bind: main
      - sendto: hi
      - expect_datagram: hi
"""
# The classic real submission: the port is a constant, argv is ignored; it binds a little late.
TCP_SERVER = """\
import socket, time
time.sleep(0.3)
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("", {hardcoded}))
srv.listen()
while True:
    conn, _ = srv.accept()
    conn.sendall(conn.recv(100))
    conn.close()
"""
UDP_SERVER = """\
import socket, time
time.sleep(0.3)
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind(("", {hardcoded}))
while True:
    data, addr = sock.recvfrom(2048)
    sock.sendto(data, addr)
"""


def free_port(kind: int) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def grade_hardcoded(tmp_path: Path, backend: Any, transport: str, hardcoded: int | None) -> Any:
    kind = socket.SOCK_STREAM if transport == "tcp" else socket.SOCK_DGRAM
    handout = free_port(kind)
    hardcoded = hardcoded or handout
    name = f"hardcoded-{transport}"
    folder = tmp_path / "assignments" / name
    folder.mkdir(parents=True)
    scenario = TCP_SCENARIO if transport == "tcp" else UDP_SCENARIO
    (folder / "assignment.yaml").write_text(
        SPEC.format(name=name, transport=transport, handout=handout, scenario=scenario.rstrip())
    )
    student = tmp_path / "student"
    student.mkdir()
    program = TCP_SERVER if transport == "tcp" else UDP_SERVER
    (student / "server.py").write_text(program.format(hardcoded=hardcoded))
    result = grade(load_assignment(folder), load_submission(student), backend, rerun_command=str)
    return result, handout, hardcoded


@pytest.mark.parametrize("transport", ["tcp", "udp"])
def test_local_finds_a_hardcoded_port_and_says_it_is_not_the_handouts(
    tmp_path: Path, transport: str
) -> None:
    kind = socket.SOCK_STREAM if transport == "tcp" else socket.SOCK_DGRAM
    result, handout, hardcoded = grade_hardcoded(
        tmp_path, LocalBackend(), transport, free_port(kind)
    )
    test = result.tests[0]
    assert test.status == "passed", test.reason
    verb = "listens" if transport == "tcp" else "is bound"
    assert test.diagnostics == [
        f"your program {verb} on port {hardcoded}, not on the handout's port {handout}: the "
        f"grader found it there this time, but use port {handout} (or the port given on the "
        "command line) as the handout says"
    ], test.diagnostics


def test_local_the_handouts_port_needs_no_note(tmp_path: Path) -> None:
    result, _, _ = grade_hardcoded(tmp_path, LocalBackend(), "tcp", None)
    assert result.tests[0].status == "passed", result.tests[0].reason
    assert result.tests[0].diagnostics == []


def _spec_folder(tmp_path: Path, name: str, text: str) -> Path:
    folder = tmp_path / "assignments" / name
    folder.mkdir(parents=True)
    (folder / "assignment.yaml").write_text(text)
    return folder


def _default_spec(name: str, test_option: str = "") -> str:
    """The spec without a fixed port and without port_discovery: discovery is the default."""
    text = SPEC.format(name=name, transport="tcp", handout=1, scenario=TCP_SCENARIO.rstrip())
    text = text.replace("port: 1\n", "").replace("port_discovery: true\n", "")
    return text.replace("    points: 1\n", f"    points: 1\n{test_option}")


def test_discovery_is_on_by_default_and_names_the_port_given(tmp_path: Path) -> None:
    folder = _spec_folder(tmp_path, "default", _default_spec("default"))
    student = tmp_path / "student"
    student.mkdir()
    hardcoded = free_port(socket.SOCK_STREAM)
    (student / "server.py").write_text(TCP_SERVER.format(hardcoded=hardcoded))
    result = grade(
        load_assignment(folder), load_submission(student), LocalBackend(), rerun_command=str
    )
    (test,) = result.tests
    assert test.status == "passed", test.reason
    (note,) = test.diagnostics
    assert note.startswith(f"your program listens on port {hardcoded}, not on the port it was ")
    assert "take the port from the command line" in note


def test_a_test_without_discovery_checks_the_port_given(tmp_path: Path) -> None:
    text = _default_spec("argv", "    port_discovery: false\n")
    folder = _spec_folder(tmp_path, "argv", text)
    student = tmp_path / "student"
    student.mkdir()
    (student / "server.py").write_text(TCP_SERVER.format(hardcoded=free_port(socket.SOCK_STREAM)))
    result = grade(
        load_assignment(folder), load_submission(student), LocalBackend(), rerun_command=str
    )
    (test,) = result.tests
    assert test.status != "passed"
    assert any("listens on port" in d for d in test.diagnostics), test.diagnostics


def test_port_discovery_is_for_servers(tmp_path: Path) -> None:
    from grader.errors import SpecError  # noqa: PLC0415

    text = _default_spec("client").replace("role: server", "role: client")
    folder = _spec_folder(tmp_path, "client", text + "port_discovery: true\n")
    with pytest.raises(SpecError, match="port_discovery is for server assignments"):
        load_assignment(folder)


@pytest.mark.docker
@pytest.mark.parametrize("transport", ["tcp", "udp"])
def test_docker_finds_a_hardcoded_port_not_dockers_resolver(
    tmp_path: Path, docker_backend: Any, transport: str
) -> None:
    """Docker's DNS resolver listens on 127.0.0.11 at random TCP and UDP ports in every
    container of a user-defined network: discovery must pick the program's port, not those."""
    result, handout, hardcoded = grade_hardcoded(tmp_path, docker_backend, transport, 6789)
    test = result.tests[0]
    assert test.status == "passed", test.reason
    assert (
        len(test.diagnostics) == 1
        and f"on port {hardcoded}, not on the handout's port {handout}" in test.diagnostics[0]
    ), test.diagnostics
