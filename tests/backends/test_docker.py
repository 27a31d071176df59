"""The docker backend on a real engine: verdicts, isolation, limits, cleanup and diagnostics."""

from __future__ import annotations

import contextlib
import json
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from grader.backends.docker import DockerBackend, Engine, engine_answers
from grader.backends.docker_exec import PROGRAM_USER
from grader.backends.docker_labels import LABEL_OWNER, owner_label
from grader.backends.docker_sandbox import DockerSandbox
from grader.backends.local import LocalBackend
from grader.errors import BackendError
from grader.grading import grade
from grader.program import plan_program
from grader.results import SubmissionResult
from grader.spec import LoadedAssignment, load_assignment
from grader.submission import Submission, load_submission

ROOT = Path(__file__).resolve().parents[2]
PROGRAMS = Path(__file__).parent / "programs"
ECHO_TEST = """\
  - name: echo
    points: 1
    description: One line is echoed.
    scenario:
      - connect: main
      - send: "echo\\n"
      - expect: "echo\\n"
"""


def write_assignment(
    tmp_path: Path, run: str, tests: str = ECHO_TEST, *, extra: str = "", name: str = "tiny"
) -> LoadedAssignment:
    folder = tmp_path / "assignments" / name
    folder.mkdir(parents=True)
    (folder / "assignment.yaml").write_text(
        f"id: {name}\ntitle: Tiny\nsummary: A test assignment.\nrole: server\ntransport: tcp\n"
        f"languages:\n  python: {{entry: server.py, run: {json.dumps(run)}}}\n{extra}"
        f"tests:\n{tests}"
    )
    return load_assignment(folder)


def write_submission(tmp_path: Path, program: str, name: str = "student") -> Submission:
    folder = tmp_path / name
    folder.mkdir()
    shutil.copy(PROGRAMS / program, folder / "server.py")
    return load_submission(folder)


def grade_on(backend: Any, loaded: LoadedAssignment, submission: Submission) -> SubmissionResult:
    return grade(loaded, submission, backend, rerun_command=str)


def owned_by(engine: Engine, owner: str) -> list[str]:
    """Names of the containers and networks the grader process `owner` made and left."""
    filters = {"label": f"{LABEL_OWNER}={owner}"}
    containers = engine.api.containers(all=True, filters=filters)
    networks = engine.api.networks(filters=filters)
    return sorted([c["Names"][0].lstrip("/") for c in containers] + [n["Name"] for n in networks])


def in_student(sandbox: DockerSandbox, *argv: str, timeout: float = 10) -> Any:
    """Run a probe in the sandbox's student container; its JSON answer."""
    outcome = sandbox.engine.run(sandbox.student_id, list(argv), timeout=timeout, cap=65536)
    assert outcome.exit_code == 0, outcome.output
    return json.loads(outcome.output)


@pytest.fixture(autouse=True)
def nothing_left_behind(request: pytest.FixtureRequest) -> Iterator[None]:
    """After each docker test, passed or failed, no container or network of ours remains."""
    yield
    if request.node.get_closest_marker("docker"):
        backend = request.getfixturevalue("docker_backend")
        assert owned_by(backend.engine, owner_label()) == []


@pytest.fixture
def probe_sandbox(tmp_path: Path, docker_backend: DockerBackend) -> Iterator[DockerSandbox]:
    loaded = write_assignment(tmp_path, "python3 server.py {port}")
    submission = write_submission(tmp_path, "probe.py")
    plan = plan_program(loaded.spec, "python", submission)
    with docker_backend.open(loaded, submission, plan) as sandbox:
        yield sandbox


# --- Verdicts -----------------------------------------------------------------------------------


@pytest.mark.docker
@pytest.mark.parametrize("language", ["python", "c"])
def test_tcp_echo_model_scores_full_marks_with_the_local_verdicts(
    language: str, docker_backend: DockerBackend, tcp_echo: Path
) -> None:
    loaded = load_assignment(tcp_echo)
    submission = load_submission(ROOT / "reference" / "tcp-echo" / language)
    on_docker = grade_on(docker_backend, loaded, submission)
    on_local = grade_on(LocalBackend(), loaded, submission)
    reasons = {t.name: f"{t.reason} {t.diagnostics}" for t in on_docker.tests if t.reason}
    assert on_docker.full_marks and on_docker.score >= on_docker.max_score, reasons
    assert [(t.name, t.status) for t in on_docker.tests] == [
        (t.name, t.status) for t in on_local.tests
    ]
    assert (on_docker.backend, on_docker.image_id) == ("docker", docker_backend.image_id())
    assert on_docker.image_id and on_docker.image_id.startswith("sha256:")


@pytest.mark.docker
@pytest.mark.parametrize("topology", ["separate", "shared"])
def test_client_assignment_reaches_the_reference_server(
    topology: str, tmp_path: Path, docker_backend: DockerBackend
) -> None:
    """The student client connects to {host}: the tester by name, or localhost when shared."""
    tests = """\
  - name: hello
    points: 1
    description: The client says hello and prints the answer.
    scenario:
      - listen: server
      - start:
      - accept: conn
        listener: server
      - expect: "hello\\n"
        conn: conn
      - send: "welcome\\n"
        conn: conn
      - expect_output: welcome
"""
    folder = tmp_path / "assignments" / "client"
    folder.mkdir(parents=True)
    (folder / "assignment.yaml").write_text(
        "id: client\ntitle: Client\nsummary: A client.\nrole: client\ntransport: tcp\n"
        f"topology: {topology}\n"
        "languages:\n  python: {entry: client.py, run: 'python3 client.py {host} {port}'}\n"
        f"tests:\n{tests}"
    )
    student = tmp_path / "student"
    student.mkdir()
    (student / "client.py").write_text(
        "import socket, sys\n"
        "s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)\n"
        "s.sendall(b'hello\\n')\n"
        "print(s.makefile().readline().strip(), flush=True)\n"
    )
    result = grade_on(docker_backend, load_assignment(folder), load_submission(student))
    assert result.tests[0].status == "passed", result.tests[0].reason


@pytest.mark.docker
def test_udp_server_is_sent_nothing_before_it_binds_its_port(
    tmp_path: Path, docker_backend: DockerBackend
) -> None:
    """A datagram sent before the bind would be lost: the test starts once the port is bound."""
    tests = """\
  - name: echo
    points: 1
    description: One datagram is echoed.
    scenario:
      - udp_bind: main
      - sendto: ping
      - expect_datagram: ping
"""
    loaded = write_assignment(
        tmp_path, "python3 server.py {port}", tests, extra="limits: {step_timeout: 1.5}\n"
    )
    loaded = loaded.model_copy(
        update={"spec": loaded.spec.model_copy(update={"transport": "udp"})}
    )
    student = tmp_path / "student"
    student.mkdir()
    (student / "server.py").write_text(
        "import socket, sys, time\n"
        "time.sleep(0.8)\n"
        "sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
        "sock.bind(('0.0.0.0', int(sys.argv[1])))\n"
        "while True:\n"
        "    data, addr = sock.recvfrom(65535)\n"
        "    sock.sendto(data, addr)\n"
    )
    result = grade_on(docker_backend, loaded, load_submission(student))
    assert result.tests[0].status == "passed", result.tests[0].reason


@pytest.mark.docker
def test_shared_topology_serves_a_server_bound_to_localhost(
    tmp_path: Path, docker_backend: DockerBackend
) -> None:
    loaded = write_assignment(
        tmp_path, "python3 server.py 127.0.0.1 {port}", extra="topology: shared\n"
    )
    result = grade_on(docker_backend, loaded, write_submission(tmp_path, "misbehave.py"))
    assert result.tests[0].status == "passed", result.tests[0].reason


# --- Isolation ----------------------------------------------------------------------------------


@pytest.mark.docker
def test_student_container_cannot_reach_the_host_or_leave_its_network(
    probe_sandbox: DockerSandbox,
) -> None:
    canary = socket.socket()
    canary.bind(("0.0.0.0", 0))  # a host service on every interface
    canary.listen()
    canary.settimeout(0.1)
    port = canary.getsockname()[1]
    accepted: list[object] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                accepted.append(canary.accept()[1])

    watcher = threading.Thread(target=accept)
    watcher.start()
    try:
        api = probe_sandbox.engine.api
        network = api.inspect_network(probe_sandbox.name)
        gateway = network["IPAM"]["Config"][0]["Gateway"]
        # the gateway is the host's side of the network: it must not answer
        outcome = in_student(probe_sandbox, "python3", "server.py", "connect", gateway,
                             str(port), "3")
        assert outcome != "connected"
        # every route out goes through that silent gateway; IPv6 is the loopback's alone
        routes = in_student(probe_sandbox, "python3", "server.py", "routes")
        via = {gw for _, destination, gw in routes if gw != "00000000"}
        assert via <= {socket.inet_aton(gateway)[::-1].hex().upper()}, routes
        inet6 = in_student(probe_sandbox, "python3", "server.py", "ipv6").splitlines()
        assert [line.split()[-1] for line in inet6] == ["lo"], inet6
        bridge = subprocess.run(
            ["ip", "-4", "addr", "show", "dev", f"br-{network['Id'][:12]}"],
            capture_output=True, text=True, check=True,
        ).stdout
        assert "inet " not in bridge, "the host has an IPv4 address on the grading network"
    finally:
        stop.set()
        watcher.join()
        canary.close()
    assert accepted == [], "the canary on the host was reached from the student container"


@pytest.mark.docker
def test_two_submissions_graded_at_once_cannot_reach_each_other(
    tmp_path: Path, docker_backend: DockerBackend
) -> None:
    loaded = write_assignment(tmp_path, "python3 server.py {port}")
    first = write_submission(tmp_path, "probe.py", "first")
    second = write_submission(tmp_path, "probe.py", "second")
    plan = plan_program(loaded.spec, "python", first)
    with docker_backend.open(loaded, first, plan) as a, docker_backend.open(
        loaded, second, plan
    ) as b:
        _, server = b.engine.attach(
            b.student_id, ["python3", "server.py", "serve", "7000", "8"], PROGRAM_USER
        )
        try:
            frame = server.read_frame(time.monotonic() + 5)
            assert frame is not None and frame[1].startswith(b'"listening"'), frame
            address = b.engine.api.inspect_container(b.student_id)["NetworkSettings"][
                "Networks"
            ][b.name]["IPAddress"]
            assert in_student(b, "python3", "server.py", "connect", address, "7000", "2") == (
                "connected"
            ), "the probe itself does not work"
            assert in_student(a, "python3", "server.py", "connect", address, "7000", "2") != (
                "connected"
            )
        finally:
            server.close()


@pytest.mark.docker
def test_containers_are_hardened(probe_sandbox: DockerSandbox) -> None:
    api = probe_sandbox.engine.api
    limits = probe_sandbox.loaded.spec.limits
    for container_id in (probe_sandbox.student_id, probe_sandbox.tester_id):
        found = api.inspect_container(container_id)
        host = found["HostConfig"]
        assert host["CapDrop"] == ["ALL"]
        assert host["SecurityOpt"] == ["no-new-privileges"]
        assert host["Init"] is True
        assert host["ReadonlyRootfs"] is True
        assert host["Privileged"] is False
        assert host["Memory"] == host["MemorySwap"] > 0
        assert host["PidsLimit"] > 0 and host["NanoCpus"] > 0
        assert not host["Binds"] and not found["Mounts"], "no host path may be mounted"
        assert {u["Name"] for u in host["Ulimits"]} == {"nofile", "core", "fsize"}
        assert host["LogConfig"] == {
            "Type": "json-file", "Config": {"max-size": "1m", "max-file": "1"}
        }
        assert found["Config"]["User"] == "65534:65534"
    student = api.inspect_container(probe_sandbox.student_id)["HostConfig"]
    assert (student["Memory"], student["PidsLimit"], student["NanoCpus"]) == (
        limits.memory_mb << 20, limits.pids, int(limits.cpus * 1e9)
    )
    assert f"size={limits.tmpfs_mb}m" in student["Tmpfs"]["/work"]
    outcome = probe_sandbox.engine.run(
        probe_sandbox.student_id, ["sh", "-c", "id -u; touch /etc/x || echo read-only"],
        timeout=10, cap=4096,
    )
    assert outcome.output.split(b"\n")[0] == b"10001"
    assert b"read-only" in outcome.output


# --- Limits -------------------------------------------------------------------------------------

MISBEHAVIOURS = """\
  - name: flood
    points: 1
    description: Floods stdout while it echoes.
    scenario:
      - connect: main
      - send: "flood\\n"
      - expect: "flooding\\n"
      - sleep: 0.5
      - send: "still here\\n"
      - expect: "still here\\n"
  - name: stubborn
    points: 1
    description: Ignores SIGTERM.
    scenario:
      - connect: main
      - send: "stubborn\\n"
      - expect: "ok\\n"
      - stop:
      - expect_exit: any
  - name: hog
    points: 1
    description: Allocates memory without end.
    scenario:
      - connect: main
      - send: "hog\\n"
      - expect: "never\\n"
  - name: fork
    points: 1
    description: Starts a fork bomb, then a second client comes.
    scenario:
      - connect: main
      - send: "fork\\n"
      - expect: "forking\\n"
      - sleep: 1
      - connect: second
      - send: "echo\\n"
        conn: second
      - expect: "echo\\n"
        conn: second
  - name: fill
    points: 1
    description: Fills the work dir.
    scenario:
      - connect: main
      - send: "fill\\n"
      - expect: "never\\n"
""" + ECHO_TEST

LIMITS = (
    "limits: {memory_mb: 64, pids: 32, tmpfs_mb: 8, output_cap: 4096, step_timeout: 3, "
    "connect_timeout: 3, test_timeout: 15}\n"
)


@pytest.mark.docker
def test_misbehaving_programs_are_stopped_with_a_clear_verdict(
    tmp_path: Path, docker_backend: DockerBackend
) -> None:
    loaded = write_assignment(
        tmp_path, "python3 server.py 0.0.0.0 {port}", MISBEHAVIOURS, extra=LIMITS
    )
    started = time.monotonic()
    result = grade_on(docker_backend, loaded, write_submission(tmp_path, "misbehave.py"))
    assert time.monotonic() - started < 60
    tests = {t.name: t for t in result.tests}

    flood = tests["flood"]
    assert (flood.status, flood.output_truncated) == ("passed", True), flood.reason
    assert len(flood.stdout_tail) <= 4096

    stubborn = tests["stubborn"]
    assert stubborn.status == "passed", stubborn.reason
    notes = [e.note for e in stubborn.transcript if e.kind == "process"]
    assert "stopped (killed by signal 9)" in notes, notes

    assert tests["hog"].status != "passed"
    assert "killed: out of memory (64 MiB)" in tests["hog"].diagnostics

    fork = tests["fork"]
    assert fork.status != "passed"
    assert any("process limit (32 processes" in d for d in fork.diagnostics), fork.diagnostics

    fill = tests["fill"]
    assert fill.status != "passed"
    assert "your program exited with code 1" in fill.diagnostics
    assert any("work dir /work is full (8 MiB)" in d for d in fill.diagnostics), fill.diagnostics
    assert b"No space left on device" in fill.stderr_tail

    # the same sandbox serves the next test, and the next submission is graded as usual
    assert tests["echo"].status == "passed", tests["echo"].reason
    again = write_assignment(tmp_path, "python3 server.py 0.0.0.0 {port}", name="again")
    after = grade_on(docker_backend, again, write_submission(tmp_path, "misbehave.py", "next"))
    assert after.score == after.max_score, after.tests[0].reason


# --- Diagnostics --------------------------------------------------------------------------------


@pytest.mark.docker
@pytest.mark.parametrize(
    ("run", "hint"),
    [
        ("python3 server.py 127.0.0.1 {port}", "bind to 0.0.0.0 (all interfaces)"),
        ("python3 server.py 0.0.0.0 6789", "nothing listens on port"),
    ],
    ids=["loopback-bind", "fixed-port"],
)
def test_unreachable_server_is_told_where_it_listens(
    run: str, hint: str, tmp_path: Path, docker_backend: DockerBackend
) -> None:
    # without discovery: the diagnostic is what a test that checks the port from argv shows
    extra = "port_discovery: false\nlimits: {connect_timeout: 1.5}\n"
    loaded = write_assignment(tmp_path, run, extra=extra)
    result = grade_on(docker_backend, loaded, write_submission(tmp_path, "misbehave.py"))
    test = result.tests[0]
    assert test.status != "passed"
    assert any(hint in d for d in test.diagnostics), test.diagnostics


# --- Cleanup ------------------------------------------------------------------------------------

SLOW_TEST = """\
  - name: slow
    points: 1
    description: Waits long enough to be interrupted.
    scenario:
      - connect: main
      - sleep: 30
"""


def start_grader(tmp_path: Path, engine: Engine) -> tuple[subprocess.Popen[bytes], str]:
    """A `grader check` in another process, once it is mid-test; and its owner label."""
    loaded = write_assignment(tmp_path, "python3 server.py 0.0.0.0 {port}", SLOW_TEST, name="slow")
    submission = write_submission(tmp_path, "misbehave.py", "slow-student")
    grader = subprocess.Popen(
        [sys.executable, "-c", "from grader.cli import main; main()", "check",
         str(loaded.directory), str(submission.path), "--backend", "docker"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    owner = owner_label(grader.pid)
    deadline = time.monotonic() + 30
    while len(owned_by(engine, owner)) < 3:  # the network and both containers
        assert grader.poll() is None and time.monotonic() < deadline, "the grader did not start"
        time.sleep(0.1)
    time.sleep(1.5)  # into the test's sleep
    return grader, owner


@pytest.mark.docker
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_interrupted_grader_removes_what_it_made(
    signum: int, tmp_path: Path, docker_backend: DockerBackend
) -> None:
    grader, owner = start_grader(tmp_path, docker_backend.engine)
    grader.send_signal(signum)
    assert grader.wait(30) == 130
    assert owned_by(docker_backend.engine, owner) == []


@pytest.mark.docker
def test_startup_sweep_removes_what_a_killed_grader_left_and_spares_live_runs(
    tmp_path: Path, docker_backend: DockerBackend, probe_sandbox: DockerSandbox
) -> None:
    engine = docker_backend.engine
    grader, owner = start_grader(tmp_path, engine)
    grader.kill()
    grader.wait(10)
    left = owned_by(engine, owner)
    assert len(left) == 3, left
    DockerBackend()  # a new grader starts: it sweeps
    assert owned_by(engine, owner) == []
    # this process is alive: its sandbox survived the sweep
    assert engine.api.inspect_container(probe_sandbox.student_id)["State"]["Running"]


# --- Errors -------------------------------------------------------------------------------------


def test_unreachable_engine_is_a_backend_error_with_a_tip(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-engine.sock")
    started = time.monotonic()
    assert engine_answers() is False
    assert time.monotonic() - started < 3
    with pytest.raises(BackendError, match=r"no Docker engine answers.*tip: start it"):
        DockerBackend()
