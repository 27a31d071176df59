"""The docker backend: each submission built and run in hardened containers on its own network."""

from __future__ import annotations

import importlib
import io
import json
import os
import random
import socket
import tarfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, ClassVar, cast

import requests

from grader import __version__, images
from grader.backends.base import Backend, TestRun, describe_exit, driver_request
from grader.backends.docker_exec import (
    EXIT_WAIT,
    IDLE_USER,
    OUTPUT_BUDGET,
    PROGRAM_UID,
    PROGRAM_USER,
    DockerProgram,
    DriverPipe,
    ExecStream,
)
from grader.capture import OutputCapture
from grader.driver.stdio import ControlChannelError, serve
from grader.errors import BackendError
from grader.program import ProgramPlan
from grader.results import BuildResult
from grader.scenario import scenario_has
from grader.sockets import ListeningSocket, parse_proc_net, wrong_port_diagnostics
from grader.spec import LoadedAssignment, TestSpec
from grader.submission import Submission

LABEL = "socket-grader"  # on every container and network the grader makes
LABEL_RUN = "socket-grader.run"
LABEL_SUBMISSION = "socket-grader.submission"
LABEL_VERSION = "socket-grader.version"
LABEL_OWNER = "socket-grader.owner"  # host/boot id/pid/start time of the grader process

WORK = "/work"
STUDENT, TESTER = "student", "tester"  # the containers' names on the run's network
ENVIRONMENT = {
    "HOME": WORK, "LANG": "C.UTF-8", "PYTHONUNBUFFERED": "1", "PYTHONDONTWRITEBYTECODE": "1",
}
# Every attached exec waits for one line on stdin before it runs the command, so that no
# output can be sent before we hold the connection (the SDK's HTTP parser would swallow it).
GATE = ["sh", "-c", 'read -r _ && exec "$@"', "sh"]
UNPACK = f"tar -x -f - -C {WORK}"
# A shell kept in the student container that signals every program process on request: kill
# -1 spares the caller, and a line on an open connection is faster than a new exec.
KEEPER = 'while read -r sig; do kill -"$sig" -1 2>/dev/null; echo done; done'
KEEPER_TIMEOUT = 2.0

CLIENT_TIMEOUT = 60.0  # seconds an engine API call may take
PING_TIMEOUT = 2.0
DRIVER_MARGIN = 15.0  # seconds the driver may run past test_timeout before we stop it
DRIVER_EXIT = 1.0  # seconds the driver may take to exit after its result
PROBE_TIMEOUT = 10.0
POLL = 0.01
# a random port per test (a hardcoded port is diagnosed, not lucky), below the ephemeral range
# that the driver's own connections use in a shared network namespace
PORTS = (20000, 32768)
TESTER_LIMITS = {"mem_mb": 512, "pids": 256, "tmpfs_mb": 16}

# One process, no fork (a fork bomb may hold every pid): the listening sockets, the cgroup's
# OOM kills and failed forks, and the work dir's free space, as one JSON line.
PROBE = """\
import json, os
out = {}
for name in ("tcp", "tcp6", "udp", "udp6"):
    try:
        out[name] = open("/proc/net/" + name).read()
    except OSError:
        out[name] = ""
for key, paths in (("oom_kill", ("memory/memory.oom_control", "memory.events")),
                   ("max", ("pids/pids.events", "pids.events"))):
    for path in paths:
        try:
            for line in open("/sys/fs/cgroup/" + path):
                k, _, v = line.partition(" ")
                if k == key:
                    out[key] = int(v)
        except OSError:
            pass
st = os.statvfs("/work")
out["work_free"] = st.f_bavail * st.f_frsize
print(json.dumps(out))
"""

# The SDK has no type information, and mypy run from the repository root would take the
# docker/ folder (the image recipe) for it; imported by name, it is Any to mypy.
docker: Any = importlib.import_module("docker")
# Errors the SDK raises when the engine or the connection to it fails.
SDK_ERRORS = (docker.errors.DockerException, requests.RequestException)
NotFound = docker.errors.NotFound


@contextmanager
def _engine_errors(doing: str) -> Iterator[None]:
    """Turn an SDK error into a BackendError that says what the grader was doing."""
    try:
        yield
    except (*SDK_ERRORS, OSError) as e:  # OSError: the connection of an attached exec
        raise BackendError(f"docker: could not {doing}: {e}") from e


def engine_answers() -> bool:
    """Whether a Docker engine answers a ping within 2 s (False on any error)."""
    try:
        client = docker.from_env(timeout=PING_TIMEOUT)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except (*SDK_ERRORS, OSError):
        return False


# --- The grader process that owns what it creates ----------------------------------------------


def _boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return "unknown"


def _start_time(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (tells a reused pid apart)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def owner_label(pid: int | None = None) -> str:
    pid = os.getpid() if pid is None else pid
    return f"{socket.gethostname()}/{_boot_id()}/{pid}/{_start_time(pid)}"


def owner_gone(owner: str) -> bool:
    """Whether the grader process that made an object has ended (False when we cannot tell)."""
    try:
        host, boot, pid, started = owner.split("/")
        number = int(pid)
    except ValueError:
        return False
    if host != socket.gethostname():
        return False  # another machine sharing this engine: its processes are not ours to see
    return boot != _boot_id() or _start_time(number) != started


# --- The engine ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Swept:
    """What a cleanup sweep removed."""

    containers: list[str] = field(default_factory=list)
    networks: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # left for the next sweep, with the reason


class Engine:
    """A connection to the Docker engine, with the few operations the grader needs."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.api = client.api

    @classmethod
    def connect(cls) -> Engine:
        try:
            client = docker.from_env(timeout=CLIENT_TIMEOUT)
            client.ping()
        except SDK_ERRORS as e:
            raise BackendError(
                f"no Docker engine answers ({e}); tip: start it (`dockerd`, or Docker Desktop) "
                "and check DOCKER_HOST, or use --backend local for code you trust"
            ) from e
        return cls(client)

    # images.ImageEngine
    def image_labels(self, reference: str) -> tuple[str, dict[str, str]] | None:
        with _engine_errors(f"inspect the image {reference}"):
            try:
                found = self.api.inspect_image(reference)
            except NotFound:
                return None
        return str(found["Id"]), dict(found["Config"].get("Labels") or {})

    def import_rootfs(self, tarball: Path, reference: str, labels: dict[str, str]) -> str:
        repository, tag = reference.rsplit(":", 1)
        changes = [f"LABEL {key}={value}" for key, value in labels.items()]
        with _engine_errors(f"import {tarball} as {reference}"):
            self.api.import_image_from_file(str(tarball), repository, tag, changes=changes)
            return str(self.api.inspect_image(reference)["Id"])

    def build_image(
        self, context: Path, reference: str, buildargs: dict[str, str], labels: dict[str, str]
    ) -> str:
        with _engine_errors(f"build {reference} from {context}"):
            try:
                image, _ = self.client.images.build(
                    path=str(context), tag=reference, buildargs=buildargs, labels=labels,
                    rm=True, forcerm=True,
                )
            except docker.errors.BuildError as e:
                log = "".join(str(chunk.get("stream", "")) for chunk in e.build_log)[-2000:]
                raise BackendError(f"docker build of {reference} failed: {e}\n{log}") from e
        return str(image.id)

    # Sweeping
    def sweep(self, *, everything: bool) -> Swept:
        """Remove labelled containers and networks: all of them, or those of ended graders."""
        swept = Swept()
        with _engine_errors("list the grader's containers and networks"):
            containers = self.api.containers(all=True, filters={"label": LABEL})
            networks = self.api.networks(filters={"label": LABEL})
        for found, remove, names in (
            (containers, self.remove_container, swept.containers),
            (networks, self.remove_network, swept.networks),
        ):
            for item in found:
                owner = (item.get("Labels") or {}).get(LABEL_OWNER, "")
                if everything or owner_gone(owner):
                    name = item["Names"][0].lstrip("/") if "Names" in item else item["Name"]
                    try:
                        remove(item["Id"])
                    except BackendError as e:  # e.g. another grader's sweep is removing it
                        swept.failed.append(str(e))
                    else:
                        names.append(name)
        return swept

    def remove_container(self, container_id: str) -> None:
        with _engine_errors(f"remove the container {container_id[:12]}"), suppress(NotFound):
            self.api.remove_container(container_id, force=True)  # NotFound: gone already

    def remove_network(self, network_id: str) -> None:
        with _engine_errors(f"remove the network {network_id[:12]}"), suppress(NotFound):
            self.api.remove_network(network_id)

    # Exec
    def attach(self, container_id: str, argv: list[str], user: str) -> tuple[str, ExecStream]:
        """Start argv in the container with stdin, stdout and stderr attached to us."""
        with _engine_errors(f"start {argv[0]} in a container"):
            exec_id = self.api.exec_create(
                container_id, [*GATE, *argv], stdin=True, user=user, workdir=WORK
            )["Id"]
            response = self.api.exec_start(exec_id, socket=True)
            stream = ExecStream(response._sock)  # the SDK's SocketIO wraps the real socket
            stream.write(b"\n")  # open the gate
        return str(exec_id), stream

    def exec_state(self, exec_id: str) -> tuple[bool, int | None]:
        """Whether the exec'd process runs, and its exit code once it has ended."""
        with _engine_errors("read a process's state"):
            found = self.api.exec_inspect(exec_id)
        return bool(found["Running"]), found["ExitCode"]

    def wait_exec(self, exec_id: str, timeout: float) -> tuple[bool, int | None]:
        deadline = time.monotonic() + timeout
        while True:
            running, code = self.exec_state(exec_id)
            if not running or time.monotonic() >= deadline:
                return running, code
            time.sleep(POLL)

    def run(
        self, container_id: str, argv: list[str], *, timeout: float, cap: int,
        stdin: bytes = b"", user: str = PROGRAM_USER,
    ) -> ExecOutcome:
        """Run argv to its end (or kill every process of `user` at the deadline)."""
        exec_id, stream = self.attach(container_id, argv, user)
        output = OutputCapture(cap)
        timed_out = False
        try:
            stream.write(stdin)
            stream.close_stdin()
            deadline = time.monotonic() + timeout
            while (frame := stream.read_frame(deadline)) is not None:
                output.append(frame[1])
        except TimeoutError:
            timed_out = True
            self.signal_all(container_id, "KILL", user)
        except OSError as e:
            raise BackendError(f"docker: the connection to {argv[0]} broke: {e}") from e
        finally:
            stream.close()
        _, code = self.wait_exec(exec_id, EXIT_WAIT)
        return ExecOutcome(code, output.text(), timed_out)

    def signal_all(self, container_id: str, signal: str, user: str = PROGRAM_USER) -> None:
        """Send a signal to every process of `user` in the container."""
        with _engine_errors(f"send SIG{signal} to the programs"):
            exec_id = self.api.exec_create(
                container_id, ["sh", "-c", f"kill -{signal} -1"], user=user
            )["Id"]
            self.api.exec_start(exec_id)


@dataclass(frozen=True)
class ExecOutcome:
    exit_code: int | None
    output: bytes
    timed_out: bool


# --- The sandbox of one submission --------------------------------------------------------------


def _tar(files: list[tuple[str, bytes, int]]) -> bytes:
    """A tar archive, in memory, of (name, content, mode) owned by the program user."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for name, data, mode in files:
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.uid, info.gid = len(data), mode, PROGRAM_UID, PROGRAM_UID
            info.mtime = int(time.time())
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _submission_files(submission: Submission, plan: ProgramPlan) -> list[tuple[str, bytes, int]]:
    root = submission.path if submission.path.is_dir() else submission.path.parent
    files = [
        (rel, (root / rel).read_bytes(), (root / rel).stat().st_mode & 0o777 | 0o600)
        for rel in submission.files
    ]
    if plan.entry_copied_from:
        files += [(plan.entry, data, mode) for rel, data, mode in files
                  if rel == plan.entry_copied_from]
    return files


def _driver_files() -> list[tuple[str, bytes, int]]:
    package = Path(__file__).resolve().parent.parent / "driver"
    return [(f"driver/{path.name}", path.read_bytes(), 0o644) for path in package.glob("*.py")]


@dataclass
class Probe:
    """What the student container showed about the program after a test that did not pass."""

    sockets: list[ListeningSocket]
    oom_kills: int
    failed_forks: int
    work_full: bool


class DockerSandbox:
    """A submission's network and containers: the student's, and the tester's for the driver."""

    def __init__(
        self, engine: Engine, image_id: str, loaded: LoadedAssignment, submission: Submission,
        plan: ProgramPlan,
    ) -> None:
        self.engine = engine
        self.image_id = image_id
        self.loaded = loaded
        self.submission = submission
        self.plan = plan
        self.run_id = f"{random.getrandbits(48):012x}"
        self.name = f"sg-{self.run_id}"
        self.labels = {
            LABEL: "1", LABEL_RUN: self.run_id, LABEL_SUBMISSION: submission.id[:200],
            LABEL_VERSION: __version__, LABEL_OWNER: owner_label(),
        }
        separate = loaded.spec.topology == "separate"
        server = loaded.spec.role == "server"
        # {host} for the program, and the host the driver connects to (server) or binds (client)
        if separate:
            self.program_host = "0.0.0.0" if server else TESTER
            self.driver_host = STUDENT if server else "0.0.0.0"
        else:
            self.program_host = self.driver_host = "127.0.0.1"
        self.remote_client = separate and server
        self.student_id = ""
        self.tester_id = ""
        self.timings: dict[str, float] = {}
        self._containers: list[str] = []
        self._keeper: ExecStream | None = None
        self._spare: tuple[str, ExecStream] | None = None  # the next test's driver
        self._teardown_started: float | None = None
        self._seen = Probe([], 0, 0, work_full=False)  # cgroup counters up to the last test

    def _timed(self, phase: str) -> Callable[[float], None]:
        def done(started: float) -> None:
            self.timings[phase] = self.timings.get(phase, 0.0) + time.monotonic() - started
        return done

    # --- Setup and teardown --------------------------------------------------------------------
    def create(self, stack: ExitStack) -> None:
        """Make the network and both containers; `stack` removes each of them at the end."""
        stack.callback(self._end_teardown)  # runs last: after every removal
        started = time.monotonic()
        with _engine_errors(f"create the network {self.name}"):
            network_id = self.engine.api.create_network(
                self.name, driver="bridge", internal=True, labels=self.labels,
                # without it, containers reach host services on 0.0.0.0 through the gateway
                options={"com.docker.network.bridge.inhibit_ipv4": "true"},
            )["Id"]
        stack.callback(self.engine.remove_network, network_id)
        self._timed("network")(started)
        started = time.monotonic()
        stack.callback(self._remove_containers)
        limits = self.loaded.spec.limits
        separate = self.loaded.spec.topology == "separate"
        self.student_id = self._container(
            STUDENT, limits.memory_mb, limits.pids, limits.cpus, limits.tmpfs_mb, self.name
        )
        if not separate:
            self._start(self.student_id)  # the tester joins its network namespace: it must exist
        self.tester_id = self._container(
            TESTER, TESTER_LIMITS["mem_mb"], TESTER_LIMITS["pids"], 1.0, TESTER_LIMITS["tmpfs_mb"],
            self.name if separate else f"container:{self.student_id}",
        )
        with ThreadPoolExecutor(2) as pool:  # a start takes ~0.25 s, mostly waiting
            list(pool.map(self._start, [self.student_id, self.tester_id] if separate
                          else [self.tester_id]))
        self._timed("containers")(started)
        started = time.monotonic()
        self._copy(self.tester_id, _driver_files(), UNPACK)
        stack.callback(self._drop_spare)
        self._spare = self._start_driver()  # starts while the submission is copied and built
        self._copy(self.student_id, _submission_files(self.submission, self.plan), UNPACK)
        self._keeper = self.engine.attach(self.student_id, ["sh", "-c", KEEPER], PROGRAM_USER)[1]
        stack.callback(self._keeper.close)
        self._timed("copy")(started)
        stack.callback(self._begin_teardown)  # runs first

    def _start(self, container_id: str) -> None:
        with _engine_errors("start a container"):
            self.engine.api.start(container_id)

    def _remove_containers(self) -> None:
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(self.engine.remove_container, self._containers))

    def signal_programs(self, signal: str) -> None:
        """Signal every program process through the keeper shell (an exec takes ~50 ms)."""
        if self._keeper is not None:
            try:
                self._keeper.write(f"{signal}\n".encode())
                if self._keeper.read_frame(time.monotonic() + KEEPER_TIMEOUT) is not None:
                    return
            except (OSError, TimeoutError):
                pass  # the program killed the keeper (it may: same user): exec instead
            self._keeper = None
        self.engine.signal_all(self.student_id, signal)

    def _begin_teardown(self) -> None:
        self._teardown_started = time.monotonic()

    def _end_teardown(self) -> None:
        if self._teardown_started is not None:
            self._timed("teardown")(self._teardown_started)

    def _container(
        self, role: str, memory_mb: int, pids: int, cpus: float, tmpfs_mb: int, networking: str
    ) -> str:
        """Create a hardened container (not started yet), idle until we exec in it."""
        api = self.engine.api
        shared = networking.startswith("container:")
        host_config = api.create_host_config(
            init=True,
            cap_drop=["ALL"],
            security_opt=["no-new-privileges"],
            pids_limit=pids,
            mem_limit=f"{memory_mb}m",
            memswap_limit=f"{memory_mb}m",  # equal: no swap on top of the memory limit
            nano_cpus=int(cpus * 1e9),
            read_only=True,
            tmpfs={
                WORK: f"rw,exec,nosuid,nodev,size={tmpfs_mb}m,uid={PROGRAM_UID},gid={PROGRAM_UID}",
                "/tmp": f"rw,nosuid,nodev,size={tmpfs_mb}m,mode=1777",  # noqa: S108 - in the container
            },
            shm_size=f"{tmpfs_mb}m",
            ulimits=[
                docker.types.Ulimit(name="nofile", soft=1024, hard=1024),
                docker.types.Ulimit(name="core", soft=0, hard=0),
                docker.types.Ulimit(name="fsize", soft=tmpfs_mb << 20, hard=tmpfs_mb << 20),
            ],
            log_config=docker.types.LogConfig(
                type="json-file", config={"max-size": "1m", "max-file": "1"}
            ),
            network_mode=networking,
            # no IPv6: the host's bridge has a link-local address a container could reach
            sysctls=None if shared else {"net.ipv6.conf.all.disable_ipv6": "1"},
        )
        networking_config = None if shared else api.create_networking_config(
            {networking: api.create_endpoint_config(aliases=[role])}
        )
        with _engine_errors(f"create the {role} container"):
            container_id = str(api.create_container(
                self.image_id, ["sleep", "infinity"], name=f"{self.name}-{role}",
                hostname=None if shared else role, user=IDLE_USER, environment=ENVIRONMENT,
                working_dir=WORK, labels={**self.labels, LABEL: role},
                host_config=host_config, networking_config=networking_config,
            )["Id"])
        self._containers.append(container_id)
        return container_id

    def _copy(self, container_id: str, files: list[tuple[str, bytes, int]], command: str) -> None:
        """Unpack files into the work dir (a tmpfs: the engine's archive API cannot write there)."""
        outcome = self.engine.run(
            container_id, ["sh", "-c", command], timeout=PROBE_TIMEOUT, cap=4096,
            stdin=_tar(files),
        )
        if outcome.exit_code != 0:
            raise BackendError(
                f"could not copy files into the container (tar exited with {outcome.exit_code}): "
                f"{outcome.output.decode(errors='replace').strip()}"
            )

    # --- Sandbox -------------------------------------------------------------------------------
    def build(self) -> BuildResult:
        display = self.plan.build_display()
        if not display:
            return BuildResult(ok=True, language=self.plan.language)
        shell = self.plan.build_shell
        argv = ["sh", "-c", shell] if shell else list(self.plan.build or ())
        limits = self.loaded.spec.limits
        started = time.monotonic()
        outcome = self.engine.run(
            self.student_id, argv, timeout=limits.build_timeout, cap=limits.output_cap
        )
        log = outcome.output.decode(errors="replace")[-limits.output_cap :]
        ok = outcome.exit_code == 0 and not outcome.timed_out
        if outcome.timed_out:
            log += f"\nthe build took longer than {limits.build_timeout:g} s"
        elif ok and self.plan.language == "c":
            found = self.engine.run(
                self.student_id, ["test", "-e", self.plan.entry], timeout=PROBE_TIMEOUT, cap=1024
            )
            if found.exit_code != 0:
                ok = False
                log += f"\nthe build finished but made no executable named {self.plan.entry!r}"
        return BuildResult(
            ok=ok, language=self.plan.language, command=display, log=log,
            duration=time.monotonic() - started,
        )

    def run_test(self, test: TestSpec) -> TestRun:
        spec = self.loaded.spec
        port = spec.port or random.randrange(*PORTS)
        program = DockerProgram(
            self.engine, self.student_id, self.plan.run_argv(self.program_host, port),
            spec.limits.output_cap, self.signal_programs,
        )
        started = time.monotonic()
        diagnostics: list[str] = []
        try:
            if spec.role == "server" and not scenario_has(test.scenario, "start"):
                program.start()
            result = self._drive(driver_request(self.loaded, test, self.driver_host, port), program)
            if result["status"] != "passed":
                diagnostics += self._diagnose(program, port)
        finally:
            program.kill()
        self.timings["tests"] = self.timings.get("tests", 0.0) + time.monotonic() - started
        return TestRun(
            driver=result,
            stdout=program.stdout.tail(),
            stderr=program.stderr.tail(),
            output_truncated=program.stdout.truncated or program.stderr.truncated,
            diagnostics=diagnostics,
            duration=time.monotonic() - started,
        )

    def _next_driver(self) -> tuple[str, ExecStream]:
        """A driver process for this test, and one started now for the next test.

        A driver waits for its request on stdin, so starting it early hides its start-up (the
        exec and Python's imports, ~90 ms) behind the test before it.
        """
        current = self._spare or self._start_driver()
        self._spare = self._start_driver()
        return current

    def _start_driver(self) -> tuple[str, ExecStream]:
        return self.engine.attach(self.tester_id, ["python3", "-m", "driver"], PROGRAM_USER)

    def _drop_spare(self) -> None:
        if self._spare is not None:
            self._spare[1].close()  # it reads the end of its stdin and exits
            self._spare = None

    def _drive(self, request: dict[str, Any], program: DockerProgram) -> dict[str, Any]:
        """Run the driver in the tester container, answering its control calls with program."""
        limit = self.loaded.spec.limits.test_timeout + DRIVER_MARGIN
        started = time.monotonic()
        exec_id, stream = self._next_driver()
        pipe = DriverPipe(stream, started + limit, self.loaded.spec.limits.output_cap)
        try:
            # serve() only calls write, flush and readline
            return serve(request, program, cast(IO[bytes], pipe), cast(IO[bytes], pipe))
        except TimeoutError:
            return {
                "status": "timeout", "step": None, "comparison": None, "events": [],
                "reason": f"the test did not end within {limit:g} s, so the grader stopped it",
                "duration": time.monotonic() - started,
            }
        except (ControlChannelError, OSError) as e:
            stderr = pipe.stderr.tail().decode(errors="replace").strip()[-2000:]
            raise BackendError(f"the driver failed in the tester container: {e}\n{stderr}") from e
        finally:
            stream.close()
            # it ends by itself right after its result; only a stuck driver is killed (and the
            # spare with it: every driver runs as the same user)
            if self.engine.wait_exec(exec_id, DRIVER_EXIT)[0]:
                self._drop_spare()
                self.engine.signal_all(self.tester_id, "KILL")

    # --- Diagnostics ---------------------------------------------------------------------------
    def _probe(self) -> Probe:
        outcome = self.engine.run(
            self.student_id, ["python3", "-c", PROBE], timeout=PROBE_TIMEOUT, cap=1 << 20,
            user=IDLE_USER,
        )
        try:
            found = json.loads(outcome.output)
        except ValueError as e:
            raise BackendError(f"the diagnostics probe failed: {outcome.output[-500:]!r}") from e
        sockets = [s for name in ("tcp", "tcp6", "udp", "udp6")
                   for s in parse_proc_net(found[name], name.rstrip("6"))]
        return Probe(sockets, found.get("oom_kill", 0), found.get("max", 0),
                     work_full=found["work_free"] == 0)

    def _diagnose(self, program: DockerProgram, port: int) -> list[str]:
        spec = self.loaded.spec
        limits = spec.limits
        probe = self._probe()
        oom = probe.oom_kills > self._seen.oom_kills
        forks_failed = probe.failed_forks > self._seen.failed_forks
        self._seen = probe
        found: list[str] = []
        state = program.state()
        if program.exec_id is not None and not state["running"] and not program.stopped_by_us:
            code, sig = state["exit_code"], state["signal"]
            if oom and sig == 9:
                found.append(f"killed: out of memory ({limits.memory_mb} MiB)")
                oom = False
            elif code in (126, 127):
                found.append(f"could not start {program.argv[0]!r}: "
                             + program.stderr.tail().decode(errors="replace").strip()[-300:])
            else:
                found.append(describe_exit(code if isinstance(code, int) else None,
                                           sig if isinstance(sig, int) else None))
        elif state["running"] and spec.role == "server":
            found += wrong_port_diagnostics(probe.sockets, port, spec.transport,
                                            remote_client=self.remote_client)
        if oom:
            found.append(f"a process of your program was killed: out of memory "
                         f"({limits.memory_mb} MiB)")
        if forks_failed:
            found.append(f"your program hit the process limit ({limits.pids} processes and "
                         "threads): a fork bomb, or threads or children that never end")
        if program.flooded:
            found.append(f"your program wrote more than {OUTPUT_BUDGET >> 20} MiB of output in "
                         "one test, so the grader stopped reading it and its writes blocked")
        if probe.work_full:
            found.append(f"the work dir {WORK} is full ({limits.tmpfs_mb} MiB): your program "
                         "wrote too much to disk")
        return found


class DockerBackend(Backend):
    """Hardened containers on an internal network per submission; for code nobody has read."""

    name: ClassVar[str] = "docker"
    isolated: ClassVar[bool] = True

    def __init__(self) -> None:
        self.engine = Engine.connect()
        self._image_id = images.require_runtime(self.engine)
        # what graders killed before they could clean up left behind (never a live grader's)
        self.engine.sweep(everything=False)

    def image_id(self) -> str | None:
        return self._image_id

    @contextmanager
    def open(
        self, loaded: LoadedAssignment, submission: Submission, plan: ProgramPlan
    ) -> Iterator[DockerSandbox]:
        with ExitStack() as stack:
            sandbox = DockerSandbox(self.engine, self._image_id, loaded, submission, plan)
            sandbox.create(stack)
            yield sandbox


def cleanup() -> Swept:
    """Remove every container and network the grader made on this engine (`grader cleanup`)."""
    return Engine.connect().sweep(everything=True)
