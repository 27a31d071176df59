"""The local backend: the student program as a process on loopback. It does NOT isolate the code."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, ClassVar

from grader.backends.base import (
    Backend,
    TestRun,
    describe_exit,
    driver_request,
    ended_before_ready,
    ended_by_itself,
    port_note,
)
from grader.backends.ports import lease_port
from grader.backends.process_tree import (
    DAEMONIZED,
    RUN_VAR,
    SETTLE,
    kill_tree,
    new_token,
    signal_tree,
    token_pids,
    tree_state,
    wait_gone,
)
from grader.capture import OutputCapture
from grader.driver.engine import run as run_driver
from grader.driver.state import ProgramState, from_wait_status, program_state
from grader.entry import built_executable, executables
from grader.program import ProgramPlan
from grader.results import BuildResult
from grader.scenario import scenario_has
from grader.sockets import (
    dialed_elsewhere,
    dialed_sockets_of,
    listening_sockets_of,
    wrong_port_diagnostics,
)
from grader.spec import LoadedAssignment, TestSpec
from grader.submission import Submission

HOST = "127.0.0.1"
STOP_GRACE = 1.0
BIND_POLL = 0.02  # seconds between two looks for a UDP server's bound port
NOT_ISOLATED = (
    "This run used the local backend: your program ran as an ordinary process on this machine, "
    "without isolation. Use --backend docker to grade code you have not read."
)


def _child_env(work: Path, token: str = "") -> dict[str, str]:
    keep = ("PATH", "LANG", "LC_ALL", "TZ", "SYSTEMROOT")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update(HOME=str(work), PYTHONUNBUFFERED="1", PYTHONDONTWRITEBYTECODE="1")
    if token:  # every process of the run carries it: the program is its whole tree
        env[RUN_VAR] = token
    return env


class LocalProgram:
    """One run of the student program: every process carrying its token (its own process group
    and what left it, e.g. a daemon); implements the driver's Control."""

    def __init__(self, argv: list[str], cwd: Path, cap: int) -> None:
        self.argv = argv
        self.cwd = cwd
        self.stdout = OutputCapture(cap)
        self.stderr = OutputCapture(cap)
        self.proc: subprocess.Popen[bytes] | None = None
        self._readers: list[threading.Thread] = []
        self.stopped_by_us = False
        self.start_error: str | None = None
        self.token = new_token()
        self.daemonized = False  # its first process exited 0 while its tree ran on

    # --- Control -------------------------------------------------------------------------------
    def start(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            return
        self.stopped_by_us = False
        try:
            self.proc = subprocess.Popen(
                self.argv,
                cwd=self.cwd,
                env=_child_env(self.cwd, self.token),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,  # its own process group, killed as a whole
            )
        except OSError as e:
            self.start_error = f"could not start {self.argv[0]!r}: {e.strerror}"
            self.stderr.append(f"{self.start_error}\n".encode())
            return
        assert self.proc.stdout is not None and self.proc.stderr is not None
        self._readers = [
            threading.Thread(target=self._pump, args=(self.proc.stdout, self.stdout), daemon=True),
            threading.Thread(target=self._pump, args=(self.proc.stderr, self.stderr), daemon=True),
        ]
        for reader in self._readers:
            reader.start()

    def stop(self) -> ProgramState:
        if self.proc is not None and self.state()["running"]:
            self.stopped_by_us = True
            self._signal_group(signal.SIGTERM)
            signal_tree(self.token, signal.SIGTERM)
            self.wait_exit(STOP_GRACE)
        self.kill()
        return self.state()

    def restart(self) -> None:
        self.stop()
        self.start()

    def state(self) -> ProgramState:
        if self.proc is None:
            return program_state(False)
        first = from_wait_status(self.proc.poll())
        state, daemonized = tree_state(first, lambda: bool(self.tree()))
        self.daemonized |= daemonized
        return state

    def final_state(self) -> ProgramState:
        """state() at the end of a test: a first process still exiting while others of its tree
        run (a daemon's parent) is given a moment, so the daemonized note is not a race."""
        if self.proc is not None and self.proc.poll() is None and len(self.tree()) > 1:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(SETTLE)
        return self.state()

    def wait_exit(self, timeout: float) -> ProgramState:
        if self.proc is not None:
            until = time.monotonic() + timeout
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout)
            return wait_gone(self.state, until - time.monotonic())
        return self.state()

    def tree(self) -> set[int]:
        """The processes of this run, the first one included while it runs."""
        return token_pids(self.token)

    def write_stdin(self, data: bytes, close: bool) -> None:
        if self.proc is None or self.proc.stdin is None or self.proc.stdin.closed:
            return
        try:
            self.proc.stdin.write(data)
            self.proc.stdin.flush()
            if close:
                self.proc.stdin.close()
        except (BrokenPipeError, ValueError):
            pass  # the program exited or closed stdin; the scenario's checks will say so

    def output(self, stream: str) -> bytes:
        return (self.stdout if stream == "stdout" else self.stderr).text()

    def discover_port(self, transport: str, expected: int, timeout: float) -> int | None:
        """The port the program listens on (TCP) or is bound to (UDP): the expected one if it
        is among them, else the lowest; None if the program exits or timeout passes first."""
        until = time.monotonic() + timeout
        while self.proc is not None and self.state()["running"] and time.monotonic() < until:
            ports = {
                s.port for s in listening_sockets_of(self.tree()) if s.transport == transport
            }
            if ports:
                return expected if expected in ports else min(ports)
            time.sleep(BIND_POLL)
        return None

    def await_udp_bind(self, port: int, timeout: float) -> bool:
        """Wait until the program has bound its UDP port (True), has exited, or timeout has
        passed (False).

        A UDP server's readiness: TCP has connect to retry, but a datagram sent before the
        program binds its port is lost without a trace. A wrong port waits the whole timeout,
        as a TCP connect does; the test then fails and the diagnostics say where it is bound.
        """
        until = time.monotonic() + timeout
        while self.proc is not None and self.state()["running"] and time.monotonic() < until:
            sockets = listening_sockets_of(self.tree())
            if any(s.transport == "udp" and s.port == port for s in sockets):
                return True
            time.sleep(BIND_POLL)
        return False

    # --- Teardown ------------------------------------------------------------------------------
    def kill(self) -> None:
        """SIGKILL the whole process group and every process carrying the token, reap the
        leader and finish reading its output."""
        if self.proc is None:
            return
        self._signal_group(signal.SIGKILL)
        kill_tree(self.token)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(5)
        for reader in self._readers:
            reader.join(2)
        if self.proc.stdin is not None and not self.proc.stdin.closed:
            with contextlib.suppress(BrokenPipeError):
                self.proc.stdin.close()

    def _signal_group(self, sig: signal.Signals) -> None:
        assert self.proc is not None
        with contextlib.suppress(ProcessLookupError, PermissionError):  # the group is gone already
            os.killpg(self.proc.pid, sig)

    @staticmethod
    def _pump(stream: IO[bytes], capture: OutputCapture) -> None:
        # read1 returns what is available, so the capture is current while the program runs
        reader = getattr(stream, "read1", stream.read)
        while chunk := reader(65536):
            capture.append(chunk)
        stream.close()


class LocalSandbox:
    """A temporary work dir holding a copy of the submission; programs run there."""

    def __init__(self, loaded: LoadedAssignment, plan: ProgramPlan, work: Path) -> None:
        self.loaded = loaded
        self.plan = plan
        self.work = work
        self.timings: dict[str, float] = {}

    def build(self) -> BuildResult:
        display = self.plan.build_display()
        if not display:
            return BuildResult(ok=True, language=self.plan.language)
        argv = self.plan.build_argv()
        cap = self.loaded.spec.limits.output_cap
        started = time.monotonic()
        try:
            done = subprocess.run(
                argv,
                cwd=self.work,
                env=_child_env(self.work),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                timeout=self.loaded.spec.limits.build_timeout,
                check=False,
                start_new_session=True,
            )
        except subprocess.TimeoutExpired as e:
            log = (e.output or b"").decode(errors="replace")[-cap:]
            return BuildResult(
                ok=False,
                language=self.plan.language,
                command=display,
                log=f"{log}\nthe build took longer than {e.timeout:g} s",
                duration=time.monotonic() - started,
            )
        except FileNotFoundError as e:
            return BuildResult(
                ok=False,
                language=self.plan.language,
                command=display,
                log=f"{argv[0]} is not installed on this machine ({e})",
            )
        log = done.stdout.decode(errors="replace")[-cap:]
        ok = done.returncode == 0
        program = None
        if ok and self.plan.language == "c" and not (self.work / self.plan.entry).exists():
            program = built_executable(executables(self.work), self.loaded.spec.role)
            if program is None:
                ok = False
                log += f"\nthe build finished but made no executable named {self.plan.entry!r}"
            else:
                self.plan = self.plan.with_entry(program)
        return BuildResult(
            ok=ok,
            language=self.plan.language,
            command=display,
            log=log,
            duration=time.monotonic() - started,
            program=program,
        )

    def run_test(self, test: TestSpec) -> TestRun:
        spec = self.loaded.spec
        diagnostics: list[str] = []
        with lease_port(spec.port) as leased:
            port = leased
            program = LocalProgram(
                self.plan.run_argv(HOST, port), self.work, spec.limits.output_cap
            )
            started = time.monotonic()
            ready: bool | None = None
            try:
                if spec.role == "server" and not scenario_has(test.scenario, "start"):
                    program.start()
                    if spec.discovers_port(test):
                        found = program.discover_port(
                            spec.transport, port, spec.limits.connect_timeout
                        )
                        ready = found is not None
                        if found is not None and found != port:
                            fixed = spec.port is not None
                            diagnostics.append(port_note(found, port, spec.transport, fixed=fixed))
                            port = found
                    elif spec.transport == "udp":
                        ready = program.await_udp_bind(port, spec.limits.connect_timeout)
                if ready is False and not program.state()["running"]:
                    result = ended_before_ready(program.state(), port, spec.transport)
                else:
                    result = run_driver(driver_request(self.loaded, test, HOST, port), program)
                if result["status"] != "passed":
                    diagnostics += self._diagnose(program, port)
                ended = ended_by_itself(
                    program.final_state(), program.stopped_by_us, program.proc is not None
                )
                if program.daemonized:
                    diagnostics.append(DAEMONIZED)
            finally:
                program.kill()
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

    def _diagnose(self, program: LocalProgram, port: int) -> list[str]:
        found: list[str] = []
        if program.start_error:
            found.append(program.start_error)
        state = program.state()
        if program.proc is not None and not state["running"] and not program.stopped_by_us:
            found.append(describe_exit(state))
        elif program.proc is not None and self.loaded.spec.role == "server":
            sockets = listening_sockets_of(program.tree())
            found += wrong_port_diagnostics(sockets, port, self.loaded.spec.transport)
        elif program.proc is not None:
            found += dialed_elsewhere(dialed_sockets_of(program.tree()), HOST, port)
        return found


class LocalBackend(Backend):
    name: ClassVar[str] = "local"
    isolated: ClassVar[bool] = False

    @contextmanager
    def open(
        self, loaded: LoadedAssignment, submission: Submission, plan: ProgramPlan
    ) -> Iterator[LocalSandbox]:
        work = Path(tempfile.mkdtemp(prefix=f"grader-{loaded.spec.id}-"))
        sandbox = LocalSandbox(loaded, plan, work)
        try:
            clock = time.monotonic()
            submission.copy_to(work)
            if plan.entry_copied_from:
                shutil.copy2(work / plan.entry_copied_from, work / plan.entry)
            for rel, path in loaded.workdir_files():
                (work / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, work / rel)
            sandbox.timings["copy"] = time.monotonic() - clock
            yield sandbox
        finally:
            clock = time.monotonic()
            shutil.rmtree(work, ignore_errors=True)
            sandbox.timings["teardown"] = time.monotonic() - clock
