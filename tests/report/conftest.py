"""Sample grading results of the tcp-echo assignment, built in code, for the report tests."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from grader.results import BuildResult, Comparison, Event, SubmissionResult, TestResult

STARTED = datetime(2026, 11, 25, 8, 12, 56, tzinfo=UTC)
NOTES = [
    "Run the failing test alone: the command is under each test in this report.",
    "recv returns whatever has arrived, which may be part of a message or several messages: loop.",
]


def rerun(name: str) -> str:
    return f"grader run assignments/tcp-echo submissions/alice --test {name}"


def ev(t: float, conn: str, kind: str, data: bytes = b"", note: str | None = None) -> Event:
    return Event(t=t, conn=conn, kind=kind, size=len(data), data=data, note=note)  # type: ignore[arg-type]


def passed_test() -> TestResult:
    return TestResult(
        name="echo-one",
        description="One message is echoed back.",
        visibility="visible",
        points=10,
        max_points=10,
        status="passed",
        transcript=[
            ev(0.0, "main", "connect", note="127.0.0.1:40123"),
            ev(0.0011, "main", "send", b"hello, echo\n"),
            ev(0.0019, "main", "recv", b"hello, echo\n"),
            ev(0.0024, "main", "close"),
        ],
        stdout_tail=b"listening on 0.0.0.0:40123\n",
        duration=0.0312,
        rerun=rerun("echo-one"),
    )


def failed_test() -> TestResult:
    return TestResult(
        name="echo-crlf",
        description="Line endings come back unchanged: a CR LF pair stays a CR LF pair.",
        visibility="visible",
        points=0,
        max_points=10,
        status="failed",
        reason="The echo differs from what was sent: the line ending changed.",
        failed_step="3",
        comparison=Comparison(kind="bytes", expected=b"hello\r\n", got=b"hello\n\x00", got_size=7),
        transcript=[
            ev(0.0, "main", "connect", note="127.0.0.1:40123"),
            ev(0.0012, "main", "send", b"hello\r\n"),
            ev(0.0021, "main", "recv", b"hello\n\x00"),
        ],
        stdout_tail=b"got 7 bytes: 'hello\\r\\n'\r\n",
        stderr_tail=b"warning:\tstripping \\r\n",
        diagnostics=["The program wrote a zero byte: a C string terminator sent by mistake?"],
        hint="Send back exactly the bytes you received: do not rewrite line endings "
        "or add a '\\0'.",
        duration=0.0458,
        rerun=rerun("echo-crlf"),
    )


def timeout_test() -> TestResult:
    return TestResult(
        name="second-client",
        description="After the first client leaves, a second client is served.",
        visibility="visible",
        points=0,
        max_points=10,
        status="timeout",
        reason="No reply on connection second within 5.0 s (expected 12 bytes, received 0).",
        failed_step="8",
        transcript=[
            ev(0.0, "first", "connect", note="127.0.0.1:40123"),
            ev(0.0011, "first", "send", b"I am first\n"),
            ev(0.0019, "first", "recv", b"I am first\n"),
            ev(0.0024, "first", "half_close"),
            ev(0.0031, "first", "eof"),
            ev(0.0035, "first", "close"),
            ev(0.0042, "second", "connect", note="127.0.0.1:40123"),
            ev(0.0049, "second", "send", b"I am second\n"),
            ev(5.0051, "second", "timeout", note="waited 5.0 s for 12 bytes, got 0"),
            ev(5.0060, "program", "process", note="still running; stopped with SIGTERM"),
            ev(5.0102, "second", "rst", note="connection reset by peer"),
        ],
        stdout_tail=b"listening on 0.0.0.0:40123\nclient connected\nclient left\n",
        diagnostics=[
            "The program was still running but never accepted the second connection: "
            "is accept() outside a loop?",
        ],
        hint="Put accept in a loop; do not exit or close the listening socket after one client.",
        duration=5.0213,
        rerun=rerun("second-client"),
    )


def error_test() -> TestResult:
    payload = random.Random(42).randbytes(1 << 20)
    preview = payload[:4096]
    return TestResult(
        name="large-1mib",
        description="One MiB of binary data (including zero bytes) comes back intact.",
        visibility="visible",
        points=0,
        max_points=10,
        status="error",
        reason="Your program crashed (signal 11, SIGSEGV) while echoing.",
        failed_step="3",
        comparison=Comparison(
            kind="sha256",
            expected=b"1048576 bytes, sha256 " + hashlib.sha256(payload).hexdigest().encode(),
            got=preview[:64],
            got_size=65536,
        ),
        transcript=[
            ev(0.0, "main", "connect", note="127.0.0.1:40123"),
            Event(
                t=0.0102,
                conn="main",
                kind="send",
                size=len(payload),
                data=preview,
                sha256=hashlib.sha256(payload).hexdigest(),
            ),
            Event(
                t=0.0188,
                conn="main",
                kind="recv",
                size=65536,
                data=preview,
                sha256=hashlib.sha256(payload[:65536]).hexdigest(),
            ),
            ev(0.0191, "program", "process", note="killed by signal 11 (SIGSEGV)"),
            ev(0.0193, "main", "rst", note="connection reset by peer"),
        ],
        stderr_tail=b"",
        output_truncated=False,
        diagnostics=["The program was killed by signal 11 (segmentation fault)."],
        hint="Loop on recv and use sendall; do not treat the data as a C string.",
        duration=0.0871,
        rerun=rerun("large-1mib"),
    )


def hidden_test() -> TestResult:
    return TestResult(
        name="restart-reuseaddr",
        description="SECRET-DESCRIPTION of the hidden test",
        visibility="hidden",
        points=0,
        max_points=5,
        status="failed",
        reason="SECRET-REASON: bind failed",
        failed_step="4",
        comparison=Comparison(
            kind="bytes", expected=b"SECRET-EXPECTED", got=b"SECRET-GOT", got_size=10
        ),
        transcript=[ev(0.0, "again", "send", b"SECRET-BYTES")],
        stdout_tail=b"SECRET-STDOUT",
        stderr_tail=b"SECRET-STDERR",
        diagnostics=["SECRET-DIAGNOSTIC"],
        hint="SECRET-HINT",
        duration=1.5,
        rerun="SECRET-RERUN",
    )


def later_test() -> TestResult:
    return TestResult(
        name="concurrent-10",
        description="LATER-DESCRIPTION: ten clients at once",
        visibility="after_due_date",
        points=10,
        max_points=10,
        status="passed",
        transcript=[ev(0.0, "main", "connect", note="LATER-NOTE")],
        stdout_tail=b"LATER-STDOUT",
        duration=0.4,
        rerun="LATER-RERUN",
    )


def skipped_test() -> TestResult:
    return TestResult(
        name="slow-reader",
        description="A client that reads slowly still gets every byte.",
        visibility="visible",
        points=0,
        max_points=5,
        status="skipped",
        reason="Not run: the submission used up its total time limit.",
        rerun=rerun("slow-reader"),
    )


def submission(tests: list[TestResult], **changes: object) -> SubmissionResult:
    fields: dict[str, object] = {
        "assignment_id": "tcp-echo",
        "assignment_title": "TCP echo server",
        "spec_hash": "5" * 64,
        "submission_id": "alice",
        "submission_hash": "a1" * 32,
        "grader_version": "0.1.0",
        "backend": "docker",
        "image_id": "sha256:0123456789abcdef0123456789abcdef",
        "started_at": STARTED,
        "build": BuildResult(ok=True, language="python", duration=0.0),
        "timings": {"build": 0.01, "tests": 6.72},
        "notes": NOTES,
        "score": sum(t.points for t in tests),
        "max_score": sum(t.max_points for t in tests),
        "tests": tests,
    }
    fields.update(changes)
    return SubmissionResult.model_validate(fields)


def realistic() -> SubmissionResult:
    return submission(
        [
            passed_test(),
            failed_test(),
            timeout_test(),
            error_test(),
            skipped_test(),
            hidden_test(),
            later_test(),
        ]
    )


def build_failed() -> SubmissionResult:
    log = (
        "server.c: In function \x1b[1m\u2018main\u2019\x1b[0m:\n"
        "server.c:42:5: \x1b[1;31merror:\x1b[0m expected \u2018;\u2019 before \u2018return\u2019\n"
        "   42 |     return 0\n"
        "      |     ^~~~~~\n"
    )
    tests = [
        TestResult(
            name=t.name,
            description=t.description,
            visibility="visible",
            points=0,
            max_points=t.max_points,
            status="skipped",
            reason="Not run: the build failed.",
            rerun=rerun(t.name),
        )
        for t in (passed_test(), failed_test(), timeout_test())
    ]
    return submission(
        tests,
        submission_id="bob",
        backend="local",
        image_id=None,
        build=BuildResult(
            ok=False,
            language="c",
            command="gcc -Wall -Wextra -O2 -pthread -o server server.c",
            log=log,
            duration=0.41,
        ),
        timings={"build": 0.41},
    )


@pytest.fixture
def realistic_result() -> SubmissionResult:
    return realistic()


@pytest.fixture
def build_failed_result() -> SubmissionResult:
    return build_failed()


@pytest.fixture
def make_submission() -> Callable[..., SubmissionResult]:
    """The builder of a SubmissionResult around a list of TestResults (keyword overrides)."""
    return submission


@pytest.fixture
def make_event() -> Callable[..., Event]:
    """The builder of an Event whose size is the length of its data."""
    return ev
