"""Docker: a client that dials a hard-coded destination reaches the reference peer, says where."""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from pathlib import Path
from typing import Any

import pytest

from grader.backends.docker_labels import LABEL_RUN
from grader.backends.docker_redirect import Flow, parse_conntrack
from grader.backends.local import LocalBackend
from grader.driver.redirect import answer
from grader.errors import SpecError
from grader.grading import grade
from grader.program import plan_program
from grader.results import SubmissionResult
from grader.spec import LoadedAssignment, load_assignment
from grader.submission import load_submission

# A bulletin client as the textbook writes it: the server's name and port are constants.
TCP_CLIENT = """\
import sys
from socket import *
serverName = {host}
serverPort = {port}
clientSocket = socket(AF_INET, SOCK_STREAM)
try:
    clientSocket.connect((serverName, serverPort))
except ConnectionRefusedError:
    print("error: connection refused", file=sys.stderr)
    sys.exit(1)
clientSocket.send("GET news\\r\\n".encode())
while True:
    data = clientSocket.recv(1024)
    if not data:
        break
    sys.stdout.write(data.decode())
clientSocket.close()
"""
# A pinger as the textbook writes it: three pings, one second of patience each.
UDP_CLIENT = """\
import sys, time
from socket import *
serverName = {host}
serverPort = {port}
clientSocket = socket(AF_INET, SOCK_DGRAM)
clientSocket.settimeout(1.5)
for seq in range(1, 4):
    start = time.time()
    clientSocket.sendto(f"Ping {{seq}} {{start}}".encode(), (serverName, serverPort))
    try:
        reply, server = clientSocket.recvfrom(1024)
        print(reply.decode(), "RTT:", time.time() - start)
    except timeout:
        print("Request timed out")
"""
ARGV = ("sys.argv[1]", "int(sys.argv[2])")  # the host and port given on the command line

TCP_SPEC = """\
id: tcp-dial
title: Bulletin client
summary: Sends one request line and prints the answer, read until the server closes.
role: client
transport: tcp
languages:
  python: {entry: client.py, run: "python3 client.py {host} {port}"}
limits: {step_timeout: 3, test_timeout: 20}
tests:
  - name: answer
    points: 10
    description: The request line is sent and the answer printed.
    scenario: &answer
      - listen: server
      - start:
      - accept: main
        listener: server
        timeout: 10
      - expect: "GET news\\r\\n"
      - send: "Bulletin: news\\r\\nAll is well.\\r\\n"
      - close: main
      - expect_output: "Bulletin: news\\r\\nAll is well.\\r\\n"
        match: exact
      - expect_exit: 0
  - name: refused
    points: 5
    description: Nothing listens; the client says so on stderr and exits nonzero.
    scenario:
      - start:
      - expect_exit: nonzero
        timeout: 10
      - expect_output: refused
        stream: stderr
        match: contains
  - name: given-host-port
    points: 5
    description: The client dials the host and port given on its command line.
    redirect: false
    scenario: *answer
"""
UDP_SPEC = """\
id: udp-dial
title: Pinger
summary: Three pings to localhost:12000, each answered or timed out after one second.
role: client
transport: udp
topology: shared
port: 12000
languages:
  python: {entry: client.py, run: "python3 client.py {host} {port}"}
limits: {step_timeout: 3, test_timeout: 20}
tests:
  - name: pings
    points: 10
    description: Three pings, each answered at once and printed.
    scenario: &pings
      - udp_bind: server
        port: assigned
      - start:
      - {expect_datagram: null, regex: 'Ping 1 \\S+', conn: server, timeout: 10}
      - {echo: server, transform: upper}
      - {expect_datagram: null, regex: 'Ping 2 \\S+', conn: server}
      - {echo: server, transform: upper}
      - {expect_datagram: null, regex: 'Ping 3 \\S+', conn: server}
      - {echo: server, transform: upper}
      - expect_exit: 0
      - expect_output: '(?s)(PING \\d .*){3}'
        match: regex
  - name: timeout
    points: 5
    description: Ping 2 is dropped; the client waits and goes on.
    scenario:
      - udp_bind: server
        port: assigned
      - start:
      - {expect_datagram: null, regex: 'Ping 1 \\S+', conn: server, timeout: 10}
      - {echo: server, transform: upper}
      - {expect_datagram: null, regex: 'Ping 2 \\S+', conn: server}
      - {expect_no_datagram: 0.5, conn: server}  # the client waits 1.5 s
      - {expect_datagram: null, regex: 'Ping 3 \\S+', conn: server, timeout: 3}
      - {echo: server, transform: upper}
      - expect_exit: 0
      - expect_output: Request timed out
        match: contains
  - name: given-host-port
    points: 5
    description: The client sends to the host and port given on its command line.
    redirect: false
    scenario: *pings
"""


def write_spec(tmp_path: Path, text: str) -> LoadedAssignment:
    name = text.split("\n", 1)[0].removeprefix("id: ")
    folder = tmp_path / "assignments" / name
    folder.mkdir(parents=True)
    (folder / "assignment.yaml").write_text(text)
    return load_assignment(folder)


def grade_client(
    tmp_path: Path, backend: Any, spec: str, program: str, host: str, port: str
) -> SubmissionResult:
    student = tmp_path / "student"
    student.mkdir()
    (student / "client.py").write_text(program.format(host=host, port=port))
    return grade(write_spec(tmp_path, spec), load_submission(student), backend, rerun_command=str)


def verdicts(result: SubmissionResult) -> dict[str, str]:
    return {t.name: t.status for t in result.tests}


def notes(result: SubmissionResult) -> str:
    return "\n".join(f"{t.name}: {d}" for t in result.tests for d in t.diagnostics)


# --- Graded on docker ---------------------------------------------------------------------------

TCP_CASES = {
    "another-port": ("'127.0.0.1'", "12001", "127.0.0.1 port 12001 (TCP)"),
    "lan-address": ("'10.20.30.40'", "6789", "10.20.30.40 port 6789 (TCP)"),
    "mail-server-name": ("'smtp.example.com'", "25", "smtp.example.com port 25 (TCP)"),
}
UDP_CASES = {
    "localhost": ("'localhost'", "12000", None),  # the handout's own host and port
    "another-port": ("'localhost'", "12001", "127.0.0.1 port 12001 (UDP)"),
    "lan-address": ("'10.1.2.3'", "12000", "10.1.2.3 port 12000 (UDP)"),
    "mail-server-name": ("'smtp.example.com'", "12000", "smtp.example.com port 12000 (UDP)"),
}


@pytest.mark.docker
@pytest.mark.parametrize("case", TCP_CASES)
def test_tcp_client_that_dials_a_hardcoded_destination_reaches_the_peer(
    case: str, tmp_path: Path, docker_backend: Any
) -> None:
    """Every redirected test passes, with a note naming where the client dialed; the test of
    taking host and port from the command line fails, and says where it dialed."""
    host, port, place = TCP_CASES[case]
    result = grade_client(tmp_path, docker_backend, TCP_SPEC, TCP_CLIENT, host, port)
    assert verdicts(result)["answer"] == verdicts(result)["refused"] == "passed", notes(result)
    assert verdicts(result)["given-host-port"] != "passed"
    answer, refused, given = result.tests
    assert len(answer.diagnostics) == 1 and place in answer.diagnostics[0], notes(result)
    assert "sent it to its own server" in answer.diagnostics[0], notes(result)
    # a refused connection leaves no trace in connection tracking: no note, no false one
    assert refused.diagnostics == [], notes(result)
    assert place in given.diagnostics[0], notes(result)
    assert "did not send it to its server" in given.diagnostics[0], notes(result)
    assert any(e.conn == "redirect" for e in given.transcript), given.transcript


@pytest.mark.docker
@pytest.mark.parametrize("case", UDP_CASES)
def test_udp_client_that_sends_to_a_hardcoded_destination_reaches_the_peer(
    case: str, tmp_path: Path, docker_backend: Any
) -> None:
    host, port, place = UDP_CASES[case]
    result = grade_client(tmp_path, docker_backend, UDP_SPEC, UDP_CLIENT, host, port)
    assert verdicts(result)["pings"] == verdicts(result)["timeout"] == "passed", notes(result)
    assert verdicts(result)["given-host-port"] != "passed"
    redirected = [d for t in result.tests[:2] for d in t.diagnostics]
    assert redirected == ([] if place is None else [redirected[0]] * 2), notes(result)
    assert place is None or place in redirected[0], notes(result)
    given = result.tests[2].diagnostics[0]
    assert (place or "127.0.0.1 port 12000 (UDP)") in given, notes(result)
    assert "did not send it to its server" in given, notes(result)


@pytest.mark.docker
@pytest.mark.parametrize(
    ("spec", "program"), [(TCP_SPEC, TCP_CLIENT), (UDP_SPEC, UDP_CLIENT)], ids=["tcp", "udp"]
)
def test_client_that_takes_host_and_port_from_argv_gets_full_marks_and_no_note(
    spec: str, program: str, tmp_path: Path, docker_backend: Any
) -> None:
    result = grade_client(tmp_path, docker_backend, spec, program, *ARGV)
    assert result.score == result.max_score, [t.reason for t in result.tests]
    assert notes(result) == ""
    lookups = {e.data for t in result.tests for e in t.transcript if e.conn == "dns"}
    assert lookups <= {b"tester"}, lookups  # the name a separate client is given, if any


@pytest.mark.docker
def test_nothing_the_client_sends_leaves_its_namespace(
    tmp_path: Path, docker_backend: Any
) -> None:
    """The program user's every destination is local (no route out), and a host service on
    the grading network's gateway is not reached: the connection ends at the (closed) peer."""
    loaded = write_spec(tmp_path, TCP_SPEC)
    student = tmp_path / "student"
    student.mkdir()
    (student / "client.py").write_text(TCP_CLIENT.format(host=ARGV[0], port=ARGV[1]))
    submission = load_submission(student)
    canary = socket.socket()
    canary.bind(("0.0.0.0", 0))  # a host service on every interface
    canary.listen()
    canary.settimeout(0.1)
    accepted: list[object] = []
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                accepted.append(canary.accept()[1])

    watcher = threading.Thread(target=watch)
    watcher.start()
    plan = plan_program(loaded.spec, "python", submission)
    try:
        with docker_backend.open(loaded, submission, plan) as sandbox:
            engine, student_id = sandbox.engine, sandbox.student_id
            gateway = engine.api.inspect_network(sandbox.name)["IPAM"]["Config"][0]["Gateway"]
            for destination in ("8.8.8.8", "10.1.2.3", "192.168.1.1", gateway):
                route = engine.run(
                    student_id, ["ip", "-4", "route", "get", destination, "uid", "10001"],
                    timeout=10, cap=4096, idle_user=True,
                ).output.decode()
                assert route.startswith(f"local {destination} dev lo table 100 "), route
            main = engine.run(
                student_id, ["ip", "-4", "route", "show"], timeout=10, cap=4096, idle_user=True
            ).output.decode()
            assert "default" not in main, main
            dialed = engine.run(
                student_id,
                ["python3", "-c", CONNECT, gateway, str(canary.getsockname()[1])],
                timeout=10, cap=4096,
            ).output.decode()
            assert dialed.strip() == "ConnectionRefusedError", dialed
    finally:
        stop.set()
        watcher.join()
        canary.close()
    assert accepted == [], "the canary on the host was reached from the student's client"
    left = engine.api.containers(all=True, filters={"label": f"{LABEL_RUN}={sandbox.run_id}"})
    assert left == [], "the NET_ADMIN helper (or another container) was left behind"


CONNECT = """\
import socket, sys
try:
    socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3)
    print("connected")
except OSError as e:
    print(type(e).__name__)
"""


# --- Without docker -----------------------------------------------------------------------------

CONNTRACK = """\
ipv4     2 tcp      6 105 TIME_WAIT src=127.0.0.1 dst=10.1.2.3 sport=50840 dport=25 \
src=127.0.0.1 dst=127.0.0.1 sport=5000 dport=50840 [ASSURED] mark=0 zone=0 use=2
ipv4     2 udp      17 22 src=127.0.0.1 dst=127.0.0.11 sport=43363 dport=53 [UNREPLIED] \
src=127.0.0.1 dst=127.0.0.1 sport=5353 dport=43363 mark=0 zone=0 use=2
"""


def test_conntrack_lines_give_where_each_flow_was_sent_and_where_it_arrived() -> None:
    assert parse_conntrack(CONNTRACK) == [
        Flow("tcp", "127.0.0.1", 50840, "10.1.2.3", 25, "127.0.0.1", 5000),
        Flow("udp", "127.0.0.1", 43363, "127.0.0.11", 53, "127.0.0.1", 5353),
    ]


def _query(name: str, qtype: int) -> bytes:
    labels = b"".join(bytes([len(p)]) + p.encode() for p in name.split("."))
    return struct.pack("!HHHHHH", 0x1234, 0x0100, 1, 0, 0, 0) + labels + b"\0" + struct.pack(
        "!HH", qtype, 1
    )


def test_dns_answers_every_name_with_the_one_address_and_ipv6_with_nothing() -> None:
    query = _query("smtp.gmail.com", 1)
    found = answer(query, "172.18.0.2")
    assert found is not None
    response, name, qtype, answered = found
    assert (name, qtype, answered) == ("smtp.gmail.com", 1, True)
    ident, flags, questions, answers, _, _ = struct.unpack_from("!HHHHHH", response)
    assert (ident, flags & 0x8000, flags & 0xF, questions, answers) == (0x1234, 0x8000, 0, 1, 1)
    assert response[len(query) :] == struct.pack("!HHHIH", 0xC00C, 1, 1, 5, 4) + bytes(
        [172, 18, 0, 2]
    )
    empty = answer(_query("smtp.gmail.com", 28), "172.18.0.2")
    assert empty is not None and empty[3] is False and empty[0][6:8] == b"\0\0"
    assert answer(response, "172.18.0.2") is None  # a response is not a question


def test_redirect_is_for_client_assignments(tmp_path: Path) -> None:
    text = UDP_SPEC.replace("role: client", "role: server").replace("id: udp-dial", "id: srv")
    text = text.replace("      - start:\n", "")
    with pytest.raises(SpecError, match="a test's redirect is for client assignments"):
        write_spec(tmp_path, text)



def test_local_backend_says_where_a_client_that_dialed_elsewhere_is_connected(
    tmp_path: Path,
) -> None:
    """The local backend cannot redirect; a client still connected elsewhere is named."""
    trap = socket.socket()  # a loopback listener that never accepts: the client waits there
    trap.bind(("127.0.0.1", 0))
    trap.listen()
    try:
        port = trap.getsockname()[1]
        student = tmp_path / "student"
        student.mkdir()
        (student / "client.py").write_text(TCP_CLIENT.format(host="'127.0.0.1'", port=port))
        loaded = write_spec(tmp_path, TCP_SPEC.replace("timeout: 10", "timeout: 2"))
        result = grade(
            loaded, load_submission(student), LocalBackend(), rerun_command=str, only=["answer"]
        )
    finally:
        trap.close()
    (test,) = [t for t in result.tests if t.name == "answer"]
    assert test.status != "passed"
    assert len(test.diagnostics) == 1, test.diagnostics
    assert test.diagnostics[0].startswith(
        f"your client is connected to 127.0.0.1 port {port} (TCP), not to the host and port "
        "given on its command line (127.0.0.1 port "
    ), test.diagnostics
