"""The interface every backend implements, and what they share."""

from __future__ import annotations

import signal
from abc import ABC, abstractmethod
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from grader.driver.state import ProgramState
from grader.driver.verdict import exit_text
from grader.program import ProgramPlan
from grader.results import BuildResult
from grader.spec import LoadedAssignment, TestSpec
from grader.submission import Submission

PREVIEW_BYTES = 4096


@dataclass
class TestRun:
    """What a backend observed while one test ran."""

    __test__: ClassVar[bool] = False  # not a pytest class

    driver: dict[str, Any]
    stdout: bytes = b""
    stderr: bytes = b""
    output_truncated: bool = False
    diagnostics: list[str] = field(default_factory=list)
    duration: float = 0.0
    # A server the backend started: whether it listened (TCP) or bound (UDP) before it ended;
    # None when the backend did not watch for it (the scenario starts the program).
    ready: bool | None = None
    # How the program ended when it ended by itself during the test (not stopped by the grader).
    ended: ProgramState | None = None


class Sandbox(Protocol):
    """One submission's place to build and run, open for the duration of its grading."""

    timings: dict[str, float]
    """Seconds spent in the sandbox's own phases (network, containers, copy, teardown ...)."""

    def build(self) -> BuildResult:
        """Build the program once (a no-op result for languages that need none)."""

    def run_test(self, test: TestSpec) -> TestRun:
        """Run one test's scenario against a fresh start of the program; always tear down."""


class Backend(ABC):
    """A way to run student programs: local processes or Docker containers."""

    name: ClassVar[str]
    isolated: ClassVar[bool]

    @abstractmethod
    def open(
        self, loaded: LoadedAssignment, submission: Submission, plan: ProgramPlan
    ) -> AbstractContextManager[Sandbox]:
        """A sandbox for one submission; leaving the context removes everything it made."""

    def image_id(self) -> str | None:
        return None


def driver_request(
    loaded: LoadedAssignment, test: TestSpec, host: str, port: int
) -> dict[str, Any]:
    """The JSON request the driver receives for one test (see grader/driver/__init__.py)."""
    limits = loaded.spec.limits
    return {
        "steps": [step.model_dump(mode="json") for step in test.scenario],
        "role": loaded.spec.role,
        "host": host,
        "port": port,
        "step_timeout": limits.step_timeout,
        "connect_timeout": limits.connect_timeout,
        "test_timeout": limits.test_timeout,
        "preview_bytes": PREVIEW_BYTES,
        "transport": loaded.spec.transport,
        "impair": None if test.impair is None else test.impair.model_dump(mode="json"),
    }


def port_note(found: int, given: int, transport: str, *, fixed: bool) -> str:
    """What the report says when port discovery found the program elsewhere; fixed: the port
    given is the handout's own (the spec's `port`), not one from the command line."""
    verb = "listens" if transport == "tcp" else "is bound"
    if fixed:
        return (
            f"your program {verb} on port {found}, not on the handout's port {given}: the "
            f"grader found it there this time, but use port {given} (or the port given on the "
            "command line) as the handout says"
        )
    return (
        f"your program {verb} on port {found}, not on the port it was given on the command "
        f"line ({given}): the grader found it there this time, but take the port from the "
        "command line as the handout says"
    )


def ended_before_ready(state: ProgramState, port: int, transport: str) -> dict[str, Any]:
    """The driver's result for a server the backend saw end before it listened (TCP) or bound
    (UDP): nothing could talk to it, so the scenario is not run (nor its waits)."""
    verb = "listened on" if transport == "tcp" else "bound"
    return {
        "status": "failed",
        "reason": f"the program {exit_text(state)} before it {verb} port {port}",
        "step": None,
        "comparison": None,
        "events": [{"t": 0.0, "conn": "program", "kind": "process", "note": exit_text(state)}],
        "duration": 0.0,
    }


def ended_by_itself(state: ProgramState, stopped_by_us: bool, started: bool) -> ProgramState | None:
    """The program's end for TestRun.ended: None while it runs or when the grader stopped it."""
    if not started or stopped_by_us or state["running"]:
        return None
    return state


def describe_exit(state: ProgramState) -> str:
    """A sentence on how the program ended, for diagnostics."""
    killed_by = state["signal"]
    if killed_by is not None:
        try:
            name = signal.Signals(killed_by).name
        except ValueError:
            name = f"signal {killed_by}"
        meaning = {
            "SIGSEGV": " (segmentation fault: a bad pointer or array index)",
            "SIGABRT": " (abort: an assertion or a double free)",
            "SIGPIPE": " (broken pipe: it wrote to a connection the peer had closed; ignore "
            "SIGPIPE or send with MSG_NOSIGNAL)",
            "SIGKILL": " (killed)",
            "SIGBUS": " (bus error)",
            "SIGFPE": " (arithmetic error, e.g. division by zero)",
        }.get(name, "")
        return f"your program was killed by {name}{meaning}"
    return f"your program exited with code {state['exit_code']}"
