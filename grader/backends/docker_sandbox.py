"""One submission on the docker backend: its network, containers, build, tests and diagnostics."""

from __future__ import annotations

import contextlib
import io
import json
import random
import tarfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, cast

from grader import __version__
from grader.backends.base import (
    TestRun,
    describe_exit,
    driver_request,
    ended_before_ready,
    ended_by_itself,
    port_note,
)
from grader.backends.docker_exec import (
    OUTPUT_BUDGET,
    PROGRAM_UID,
    PROGRAM_USER,
    STDOUT,
    WORK,
    DockerProgram,
    DriverPipe,
    ExecStream,
)
from grader.backends.docker_labels import (
    LABEL,
    LABEL_OWNER,
    LABEL_RUN,
    LABEL_SUBMISSION,
    LABEL_VERSION,
    owner_label,
)
from grader.backends.docker_redirect import DRIVER_USER, Redirection, redirects
from grader.backends.process_tree import DAEMONIZED
from grader.driver.stdio import ControlChannelError, serve
from grader.entry import built_executable
from grader.errors import BackendError
from grader.program import ProgramPlan
from grader.results import BuildResult
from grader.scenario import scenario_has
from grader.sockets import ListeningSocket, parse_proc_net, wrong_port_diagnostics
from grader.spec import LoadedAssignment, TestSpec
from grader.submission import Submission
from grader.untrusted import read_file

if TYPE_CHECKING:
    from grader.backends.docker import Engine  # which imports this module to make sandboxes

STUDENT, TESTER = "student", "tester"  # the containers' names on the run's network
UNPACK = f"tar -x -f - -C {WORK}"
# A shell kept in the student container that signals every program process on request: kill
# -1 spares the caller, and a line on an open connection is faster than a new exec. Asked
# "alive", it counts the other processes of its user, the program's (process_tree.py), by their
# /proc entries: builtins only, no fork.
COUNT = 'n=0; for d in /proc/[0-9]*; do [ -O "$d" ] && [ "$d" != "/proc/$$" ] && n=$((n+1)); done'
KEEPER = (
    f'while read -r sig; do if [ "$sig" = alive ]; then {COUNT}; echo "$n"; '
    'else kill -"$sig" -1 2>/dev/null; echo done; fi; done'
)
KEEPER_TIMEOUT = 2.0
DRIVER_MARGIN = 15.0  # seconds the driver may run past test_timeout before we stop it
DRIVER_EXIT = 1.0  # seconds the driver may take to exit after its result
PROBE_TIMEOUT = 10.0
# Watches /proc/net/{argv[1]}[6] (tcp or udp) until a socket listens (TCP) or is bound
# unconnected (UDP), on port argv[2] (0: any port but Docker's resolver on 127.0.0.11), then
# prints the tables as JSON and exits 0; "{}" and 1 after argv[3] s; 2 when its stdin closes
# (the grader saw the program end and stopped waiting).
WATCH = """\
import json, select, sys, time
transport, port = sys.argv[1], int(sys.argv[2])
until = time.monotonic() + float(sys.argv[3])
def ready(text):
    for fields in (line.split() for line in text.splitlines()[1:]):
        if len(fields) < 4 or fields[1].startswith("0B00007F:"):
            continue
        if port and not fields[1].endswith(":%04X" % port):
            continue
        if fields[3] == "0A" if transport == "tcp" else fields[2].endswith(":0000"):
            return True
    return False
while time.monotonic() < until:
    tables = {}
    for name in (transport, transport + "6"):
        try:
            tables[name] = open("/proc/net/" + name).read()
        except OSError:
            tables[name] = ""
    if any(ready(text) for text in tables.values()):
        print(json.dumps(tables), flush=True)
        sys.exit(0)
    if select.select([sys.stdin], [], [], 0.02)[0]:
        sys.exit(2)
print("{}", flush=True)
sys.exit(1)
"""
WATCH_POLL = 0.05  # seconds between two looks at whether the program still runs
# (path, mtime) of the executable files in the work dir, as JSON: what a Makefile built.
EXECUTABLES = """\
import json, os
found = []
for folder, _, names in os.walk("/work"):
    for name in names:
        path = os.path.join(folder, name)
        if os.path.isfile(path) and not os.path.islink(path) and os.stat(path).st_mode & 0o111:
            found.append([os.path.relpath(path, "/work"), os.stat(path).st_mtime])
print(json.dumps(sorted(found)))
"""
# a random port per test (a hardcoded port is diagnosed, not lucky), below the ephemeral range
# that the driver's own connections use in a shared network namespace
PORTS = (20000, 32768)

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


@dataclass(frozen=True)
class ContainerLimits:
    """The resources of one container: the spec's limits for the student, fixed for the tester."""

    memory_mb: int
    pids: int
    cpus: float
    tmpfs_mb: int


TESTER_LIMITS = ContainerLimits(memory_mb=512, pids=256, cpus=1.0, tmpfs_mb=16)


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


def _submission_files(
    loaded: LoadedAssignment, submission: Submission, plan: ProgramPlan
) -> list[tuple[str, bytes, int]]:
    """The submission's files, the entry's copy, then the spec's files (later ones win)."""
    root = submission.root
    files = [
        (rel, data, mode | 0o600)
        for rel in submission.files
        for data, mode in [read_file(root / rel)]
    ]
    if plan.entry_copied_from:
        files += [
            (plan.entry, data, mode) for rel, data, mode in files if rel == plan.entry_copied_from
        ]
    files += [(rel, path.read_bytes(), 0o644) for rel, path in loaded.workdir_files()]
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
        self,
        engine: Engine,
        image_id: str,
        loaded: LoadedAssignment,
        submission: Submission,
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
            LABEL: "1",
            LABEL_RUN: self.run_id,
            LABEL_SUBMISSION: submission.id[:200],
            LABEL_VERSION: __version__,
            LABEL_OWNER: owner_label(),
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
        # a client's every destination reaches the peer, which shares its namespace
        self.redirection = Redirection.plan(loaded.spec) if redirects(loaded.spec) else None
        if self.redirection is not None:
            self.program_host, self.driver_host = self.redirection.program_host, "0.0.0.0"
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
        network_id = self.engine.create_network(self.name, self.labels)
        stack.callback(self.engine.remove_network, network_id)
        self._timed("network")(started)
        started = time.monotonic()
        stack.callback(self.engine.remove_containers, self._containers)
        limits = self.loaded.spec.limits
        separate = self.loaded.spec.topology == "separate" and self.redirection is None
        self.student_id = self._container(
            STUDENT,
            ContainerLimits(limits.memory_mb, limits.pids, limits.cpus, limits.tmpfs_mb),
            self.name,
            alias=STUDENT,
        )
        if not separate:
            # the tester joins the student's network namespace, which exists once it runs
            self.engine.start_containers([self.student_id])
        self.tester_id = self._container(
            TESTER,
            TESTER_LIMITS,
            self.name if separate else f"container:{self.student_id}",
            alias=TESTER if separate else None,
        )
        self.engine.start_containers(
            [self.student_id, self.tester_id] if separate else [self.tester_id]
        )
        self._timed("containers")(started)
        helper = None
        if self.redirection is not None:  # it runs while the files are copied
            helper = self.redirection.begin(
                self.engine, self.image_id, f"{self.name}-netadmin",
                {**self.labels, LABEL: "netadmin"}, self.student_id,
            )
            self._containers.append(helper)
        started = time.monotonic()
        self._copy(self.tester_id, _driver_files())
        stack.callback(self._drop_spare)
        self._spare = self._start_driver()  # starts while the submission is copied and built
        self._copy(self.student_id, _submission_files(self.loaded, self.submission, self.plan))
        self._keeper = self.engine.attach(self.student_id, ["sh", "-c", KEEPER], PROGRAM_USER)[1]
        stack.callback(self._keeper.close)
        self._timed("copy")(started)
        if self.redirection is not None and helper is not None:  # mypy: both or neither
            started = time.monotonic()
            self.redirection.finish(self.engine, helper, self.tester_id, stack)
            self._timed("redirect")(started)
        stack.callback(self._begin_teardown)  # runs first

    def _container(
        self, role: str, limits: ContainerLimits, network: str, alias: str | None
    ) -> str:
        container_id = self.engine.create_container(
            f"{self.name}-{role}",
            self.image_id,
            {**self.labels, LABEL: role},
            limits,
            network,
            alias,
        )
        self._containers.append(container_id)
        return container_id

    def signal_programs(self, signal: str) -> None:
        """Signal every program process through the keeper shell (an exec takes ~50 ms)."""
        if self._ask_keeper(signal) is None:
            self.engine.signal_all(self.student_id, signal)

    def count_programs(self) -> int:
        """How many program processes run (the keeper, or an exec's shell, counts the others)."""
        answer = self._ask_keeper("alive")
        if answer is None:
            argv = ["sh", "-c", f'{COUNT}; echo "$n"']
            answer = self.engine.run(self.student_id, argv, timeout=PROBE_TIMEOUT, cap=64).output
        count = answer.strip()
        return int(count) if count.isdigit() else 0

    def _ask_keeper(self, line: str) -> bytes | None:
        """The keeper's answer to a line; None when there is no keeper any more."""
        if self._keeper is not None:
            try:
                self._keeper.write(f"{line}\n".encode())
                frame = self._keeper.read_frame(time.monotonic() + KEEPER_TIMEOUT)
                if frame is not None:
                    return frame[1]
            except (OSError, TimeoutError):
                pass  # the program killed the keeper (it may: same user): exec instead
            self._keeper = None
        return None

    def _begin_teardown(self) -> None:
        self._teardown_started = time.monotonic()

    def _end_teardown(self) -> None:
        if self._teardown_started is not None:
            self._timed("teardown")(self._teardown_started)

    def _copy(self, container_id: str, files: list[tuple[str, bytes, int]]) -> None:
        """Unpack files into the work dir (a tmpfs: the engine's archive API cannot write there)."""
        outcome = self.engine.run(
            container_id,
            ["sh", "-c", UNPACK],
            timeout=PROBE_TIMEOUT,
            cap=4096,
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
        argv = self.plan.build_argv()
        limits = self.loaded.spec.limits
        started = time.monotonic()
        outcome = self.engine.run(
            self.student_id, argv, timeout=limits.build_timeout, cap=limits.output_cap
        )
        log = outcome.output.decode(errors="replace")[-limits.output_cap :]
        program: str | None = None  # the executable made instead of the handout's
        ok = outcome.exit_code == 0 and not outcome.timed_out
        if outcome.timed_out:
            log += f"\nthe build took longer than {limits.build_timeout:g} s"
        elif not ok:
            probe = self._probe()
            if probe.oom_kills > self._seen.oom_kills:
                log += f"\nthe build was killed: out of memory ({limits.memory_mb} MiB)"
            self._seen = probe
        elif ok and self.plan.language == "c":
            found = self.engine.run(
                self.student_id, ["test", "-e", self.plan.entry], timeout=PROBE_TIMEOUT, cap=1024
            )
            if found.exit_code != 0 and (program := self._made_instead()) is None:
                ok = False
                log += f"\nthe build finished but made no executable named {self.plan.entry!r}"
        return BuildResult(
            ok=ok,
            language=self.plan.language,
            command=display,
            log=log,
            duration=time.monotonic() - started,
            program=program,
        )

    def _made_instead(self) -> str | None:
        """The executable the build made when the handout's is missing (a Makefile with
        another target); the tests then run it."""
        found = self.engine.run(
            self.student_id, ["python3", "-c", EXECUTABLES], timeout=PROBE_TIMEOUT, cap=1 << 20
        )
        listing = [(str(rel), float(t)) for rel, t in json.loads(found.output or b"[]")]
        program = built_executable(listing, self.loaded.spec.role)
        if program is not None:
            self.plan = self.plan.with_entry(program)
        return program

    def run_test(self, test: TestSpec) -> TestRun:
        spec = self.loaded.spec
        port = spec.port or random.randrange(*PORTS)
        if self.redirection is not None:
            port = self.redirection.port_for(test)
        program = DockerProgram(
            self.engine,
            self.student_id,
            self.plan.run_argv(self.program_host, port),
            spec.limits.output_cap,
            self.signal_programs,
            self.count_programs,
        )
        started = time.monotonic()
        diagnostics: list[str] = []
        ready: bool | None = None
        try:
            if spec.role == "server" and not scenario_has(test.scenario, "start"):
                program.start()
                if spec.discovers_port(test):
                    found = self._discover_port(program, port)
                    ready = found is not None
                    if found is not None and found != port:
                        fixed = spec.port is not None
                        diagnostics.append(port_note(found, port, spec.transport, fixed=fixed))
                        port = found
                elif spec.transport == "udp":
                    ready = self._await_ready(program, port) is not None
            request = driver_request(self.loaded, test, self.driver_host, port)
            if self.redirection is not None:
                request["redirect"] = self.redirection.request(test)
            if ready is False and not program.state()["running"]:
                result = ended_before_ready(program.state(), port, spec.transport)
            else:
                result = self._drive(request, program)
            if self.redirection is not None:
                diagnostics += self.redirection.notes(test, port, result)
            if result["status"] != "passed":
                diagnostics += self._diagnose(program, port)
            ended = ended_by_itself(
                program.final_state(), program.stopped_by_us, program.exec_id is not None
            )
            if program.daemonized:
                diagnostics.append(DAEMONIZED)
        finally:
            program.kill()
        self.timings["tests"] = self.timings.get("tests", 0.0) + time.monotonic() - started
        return TestRun(
            ready=ready,
            ended=ended,
            driver=result,
            stdout=program.stdout.tail(),
            stderr=program.stderr.tail(),
            output_truncated=program.stdout.truncated or program.stderr.truncated,
            diagnostics=diagnostics,
            duration=time.monotonic() - started,
        )

    def _discover_port(self, program: DockerProgram, expected: int) -> int | None:
        """The port the program listens on (TCP) or is bound to (UDP) in its namespace: the
        expected one if it is among them, else the lowest; None if the program ends or
        connect_timeout passes first. Docker's resolver (127.0.0.11) is not the program's."""
        tables = self._await_ready(program, None)
        transport = self.loaded.spec.transport
        ports = {
            s.port for text in (tables or {}).values() for s in parse_proc_net(text, transport)
        }
        if not ports:
            return None
        return expected if expected in ports else min(ports)

    def _await_ready(self, program: DockerProgram, port: int | None) -> dict[str, str] | None:
        """The program's /proc/net tables once it listens (TCP) or has bound (UDP) port (None:
        any port); None when it ends first (seen at once) or connect_timeout passes.

        A UDP server's readiness: a datagram sent before the bind is lost without a trace (TCP
        has connect to retry). One watcher runs in the student container for the whole wait.
        """
        from grader.backends.docker import IDLE_USER  # noqa: PLC0415 - docker imports us

        limit = self.loaded.spec.limits.connect_timeout
        argv = ["python3", "-c", WATCH, self.loaded.spec.transport, str(port or 0), f"{limit:.3f}"]
        # not a program process: kill -1 of the programs must spare it
        exec_id, stream = self.engine.attach(self.student_id, argv, IDLE_USER)
        output = bytearray()
        until = time.monotonic() + limit + PROBE_TIMEOUT
        try:
            while time.monotonic() < until:
                try:
                    frame = stream.read_frame(time.monotonic() + WATCH_POLL)
                except TimeoutError:
                    if not program.state()["running"]:
                        return None  # it ended before it was ready: no need to wait longer
                    continue
                if frame is None:
                    break
                if frame[0] == STDOUT:
                    output += frame[1]
        finally:
            stream.close()  # the watcher sees its stdin close and exits
        self.engine.wait_exec(exec_id, DRIVER_EXIT)
        try:
            tables = json.loads(output or b"{}")
        except ValueError:
            # it could not start: every pid of the container is taken (a fork or thread bomb);
            # readiness is unknown, the test runs and its diagnostics say what the program did
            return None
        return cast(dict[str, str], tables) or None

    def _next_driver(self) -> tuple[str, ExecStream]:
        """A driver process for this test, and one started now for the next test.

        A driver waits for its request on stdin, so starting it early hides its start-up (the
        exec and Python's imports, ~90 ms) behind the test before it.
        """
        current = self._spare or self._start_driver()
        self._spare = self._start_driver()
        return current

    def _start_driver(self) -> tuple[str, ExecStream]:
        return self.engine.attach(self.tester_id, ["python3", "-m", "driver"], DRIVER_USER)

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
                "status": "timeout",
                "step": None,
                "comparison": None,
                "events": [],
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
                self.engine.signal_all(self.tester_id, "KILL", DRIVER_USER)

    # --- Diagnostics ---------------------------------------------------------------------------
    def _probe(self) -> Probe:
        """What the student container holds now. When the probe cannot start (every pid of the
        container taken: a fork or thread bomb), the programs are killed through the keeper
        (no fork needed) and the probe runs again: a bomb gets a grade, not an error."""
        found: dict[str, Any] | None = None
        for attempt in range(2):
            if attempt:
                self.signal_programs("KILL")
            outcome = self.engine.run(
                self.student_id,
                ["python3", "-c", PROBE],
                timeout=PROBE_TIMEOUT,
                cap=1 << 20,
                idle_user=True,  # not a program process: kill -1 of the programs must spare it
            )
            with contextlib.suppress(ValueError):
                found = json.loads(outcome.output)
                break
        if found is None:
            raise BackendError(f"the diagnostics probe failed: {outcome.output[-500:]!r}")
        sockets = [
            s
            for name in ("tcp", "tcp6", "udp", "udp6")
            for s in parse_proc_net(found[name], name.rstrip("6"))
        ]
        return Probe(
            sockets,
            found.get("oom_kill", 0),
            found.get("max", 0),
            work_full=found["work_free"] == 0,
        )

    def _diagnose(self, program: DockerProgram, port: int) -> list[str]:
        spec = self.loaded.spec
        limits = spec.limits
        state = program.state()  # before the probe, which may have to kill a bomb
        probe = self._probe()
        oom = probe.oom_kills > self._seen.oom_kills
        forks_failed = probe.failed_forks > self._seen.failed_forks
        self._seen = probe
        found: list[str] = []
        if program.exec_id is not None and not state["running"] and not program.stopped_by_us:
            code = state["exit_code"]
            if oom and state["signal"] == 9:
                found.append(f"killed: out of memory ({limits.memory_mb} MiB)")
                oom = False
            elif code in (126, 127):
                found.append(
                    f"could not start {program.argv[0]!r}: "
                    + program.stderr.tail().decode(errors="replace").strip()[-300:]
                )
            else:
                found.append(describe_exit(state))
        elif state["running"] and spec.role == "server":
            found += wrong_port_diagnostics(
                probe.sockets, port, spec.transport, remote_client=self.remote_client
            )
        if oom:
            found.append(
                f"a process of your program was killed: out of memory ({limits.memory_mb} MiB)"
            )
        if forks_failed:
            found.append(
                f"your program hit the process limit ({limits.pids} processes and "
                "threads): a fork bomb, or threads or children that never end"
            )
        if program.flooded:
            found.append(
                f"your program wrote more than {OUTPUT_BUDGET >> 20} MiB of output in "
                "one test, so the grader stopped reading it and its writes blocked"
            )
        if probe.work_full:
            found.append(
                f"the work dir {WORK} is full ({limits.tmpfs_mb} MiB): your program "
                "wrote too much to disk"
            )
        return found
