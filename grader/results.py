"""Grading results: the facts every report, export and gradebook is rendered from."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, NonNegativeFloat, NonNegativeInt

from grader.late import Lateness

Status = Literal["passed", "failed", "error", "timeout", "skipped"]
Visibility = Literal["visible", "hidden", "after_due_date"]
EventKind = Literal[
    "connect",
    "connect_retry",
    "send",
    "recv",
    "eof",
    "rst",
    "timeout",
    "half_close",
    "close",
    "reset",
    "listen",
    "accept",
    "udp_bind",
    "datagram_out",
    "datagram_in",
    "process",
    "stdin",
    "note",
    "error",
    "dropped",
    "duplicated",
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", ser_json_bytes="base64", val_json_bytes="base64")


class Event(_Model):
    """One thing that happened on the wire or to the program, timed from the test's start."""

    t: NonNegativeFloat = Field(description="Seconds since the test started.")
    conn: str = Field(description="Connection or socket name ('program' for process events).")
    kind: EventKind = Field(description="What happened.")
    size: NonNegativeInt = Field(default=0, description="Bytes moved (whole size, even if cut).")
    data: bytes = Field(default=b"", description="The bytes, cut to the preview cap.")
    sha256: str | None = Field(default=None, description="SHA-256 of all the bytes when cut.")
    note: str | None = Field(default=None, description="Detail: address, exit code, error text.")


class Comparison(_Model):
    """What a failed check wanted and what it received."""

    kind: str = Field(description="How 'expected' is read: bytes, line, regex, sha256, eof ...")
    expected: bytes = Field(description="The expected bytes, pattern or description.")
    got: bytes = Field(description="What was received (cut to the preview cap).")
    got_size: NonNegativeInt = Field(description="How many bytes were received in all.")
    offset: NonNegativeInt = Field(
        default=0,
        description="Where both previews start in the stream: past 0 when the first difference "
        "lies beyond the preview cap.",
    )


class TestResult(_Model):
    """The verdict on one test of the assignment."""

    __test__ = False  # not a pytest class

    name: str = Field(description="The test's name in the spec.")
    description: str = Field(description="What the test checks, as shown to students.")
    visibility: Visibility = Field(description="Who sees the details of this test.")
    points: float = Field(ge=0, description="Points earned.")
    max_points: float = Field(ge=0, description="Points available.")
    extra_credit: bool = Field(
        default=False, description="Bonus points: not counted in the submission's maximum."
    )
    status: Status = Field(description="passed, failed, error, timeout or skipped.")
    reason: str = Field(default="", description="One line: why it did not pass.")
    failed_step: str | None = Field(
        default=None, description="Path of the failing step, e.g. '4' or '2.client 3.1'."
    )
    comparison: Comparison | None = Field(
        default=None, description="Expected vs got, if a check failed."
    )
    transcript: list[Event] = Field(default_factory=list, description="The conversation, timed.")
    stdout_tail: bytes = Field(default=b"", description="End of the program's standard output.")
    stderr_tail: bytes = Field(default=b"", description="End of the program's standard error.")
    output_truncated: bool = Field(
        default=False, description="The program wrote more than the output cap."
    )
    diagnostics: list[str] = Field(
        default_factory=list,
        description="Findings about the program: exit signal, bind address ...",
    )
    hint: str | None = Field(default=None, description="Advice shown when the test does not pass.")
    duration: NonNegativeFloat = Field(default=0, description="Seconds the test took.")
    rerun: str = Field(default="", description="Command that re-runs only this test.")


class BuildResult(_Model):
    """How the submission was built (or why it could not be)."""

    ok: bool = Field(description="Whether the build succeeded (true when nothing needed building).")
    language: str = Field(description="Language detected: python or c.")
    command: str = Field(default="", description="The build command, empty when none was needed.")
    log: str = Field(default="", description="Compiler output, cut to the output cap.")
    duration: NonNegativeFloat = Field(default=0, description="Seconds the build took.")
    program: str | None = Field(
        default=None,
        description="The executable the build made and the tests ran, when the handout's name "
        "was missing (a Makefile with another target).",
    )


class SourceLine(_Model):
    """One numbered line of a submitted file."""

    number: NonNegativeInt = Field(description="Line number, from 1.")
    text: str = Field(description="The line, without its end.")


class StartupCrash(_Model):
    """The program ended before it listened or bound (a server) or before it connected or sent
    (a client), in the first test run: every other test would see the same."""

    test: str = Field(description="The test in which it was seen.")
    summary: str = Field(
        description="What ended it: the exception line ('IndentationError: unexpected indent'), "
        "else the last line it printed, else how it exited."
    )
    ended: str = Field(description="How it ended: 'exited with code 1', 'killed by SIGSEGV'.")
    file: str | None = Field(default=None, description="The submitted file the error is in.")
    line: NonNegativeInt | None = Field(default=None, description="The line of the error.")
    source: list[SourceLine] = Field(
        default_factory=list, description="The lines around the error, from the submitted file."
    )

    @property
    def headline(self) -> str:
        """One line for the top of the report."""
        where = f" ({self.file}, line {self.line})" if self.file and self.line else ""
        return f"your program crashed at start: {self.summary}{where}"


class SubmissionResult(_Model):
    """The whole grade of one submission against one assignment."""

    assignment_id: str = Field(description="Assignment id.")
    assignment_title: str = Field(description="Assignment title.")
    spec_hash: str = Field(description="SHA-256 of the assignment spec file.")
    submission_id: str = Field(description="Submission id (folder or file name, or student id).")
    submission_hash: str = Field(description="SHA-256 over the submission's files and their names.")
    grader_version: str = Field(description="Version of socket-grader that graded it.")
    backend: str = Field(description="Backend: local or docker.")
    image_id: str | None = Field(default=None, description="Docker image id (docker backend).")
    started_at: datetime = Field(description="When grading started (UTC).")
    build: BuildResult = Field(description="The build step.")
    timings: dict[str, float] = Field(default_factory=dict, description="Seconds spent per phase.")
    notes: list[str] = Field(
        default_factory=list, description="Things the student should know about this run."
    )
    entry: str | None = Field(
        default=None,
        description="The file that was run (or, for C, the unit whose main was built), when it "
        "was found by what it does rather than by the handout's name.",
    )
    entry_ambiguity: str | None = Field(
        default=None,
        description="Why no file could be chosen as the program (the candidates, one line): "
        "nothing was run.",
    )
    startup_crash: StartupCrash | None = Field(
        default=None, description="The program crashed at start: the other tests were not run."
    )
    score: float = Field(ge=0, description="Points earned.")
    max_score: float = Field(ge=0, description="Points available.")
    tests: list[TestResult] = Field(description="One result per test, in spec order.")

    @property
    def full_marks(self) -> bool:
        """Every test passed but, perhaps, the extra credit (a bonus on top of full marks)."""
        return all(t.status == "passed" for t in self.tests if not t.extra_credit)

    @property
    def grader_errors(self) -> list[TestResult]:
        """The tests the grader itself failed to run (status "error"): no verdict on the
        program, so no grade to record."""
        return [t for t in self.tests if t.status == "error"]


class Student(_Model):
    """Who a submission belongs to, as recovered from file names and the roster."""

    id: str = Field(description="Student id: from the LMS export, the roster, or the folder name.")
    name: str | None = Field(default=None, description="Full name, when known.")
    email: str | None = Field(default=None, description="Email, when the roster gives one.")


BatchStatus = Literal["graded", "rejected", "infrastructure_error"]


class BatchEntry(_Model):
    """One student's line in a batch: graded, rejected (unreadable input) or not gradable now."""

    student: Student = Field(description="Whose submission this is.")
    source: str = Field(description="What was found in the input folder (file or folder name).")
    status: BatchStatus = Field(
        description="graded: a result exists; rejected: the input cannot be graded (a bad "
        "archive, no source file) — the student's problem; infrastructure_error: the grader "
        "could not grade it (engine down) — not the student's problem, retried next run."
    )
    message: str = Field(default="", description="Why it was rejected or not graded.")
    result: SubmissionResult | None = Field(default=None, description="The grade, when graded.")
    submitted_at: datetime | None = Field(
        default=None,
        description="When this submission was handed in (LMS metadata, else the file time): "
        "an older one found in a later input never replaces it.",
    )
    late: Lateness | None = Field(
        default=None,
        description="When it was handed in and what the late policy took (raw score, penalty, "
        "final score); None when the batch has no late policy.",
    )

    @property
    def final_score(self) -> float | None:
        """What goes to the gradebook: the score after the late penalty; None without a grade."""
        if self.result is None:
            return None
        return self.late.final_score if self.late else self.result.score
