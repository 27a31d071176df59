"""What a student may see of a result: hidden tests keep their name, points and verdict only.

One function, applied at every output a student reads (the console and files of `grader check`,
the per-student report, JUnit and Gradescope files of a batch, the GitHub Classroom output);
the instructor's outputs (the class summary, the gradebook, results.json, the stored entries)
are rendered from the full result.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence

from grader.results import BatchEntry, SubmissionResult, TestResult, Visibility

NOT_SHOWN = {
    "hidden": "hidden test: only its result is shown",
    "after_due_date": "details are shown after the due date",  # as junit.py says it
}


def withheld(visibility: Visibility, *, release_after_due_date: bool = False) -> bool:
    """Whether a test of this visibility has its details withheld from students."""
    if visibility == "after_due_date":
        return not release_after_due_date
    return visibility == "hidden"


def redact_test(test: TestResult) -> TestResult:
    """The test without anything that tells how it failed: no reason beyond a generic line, no
    expected bytes, conversation, program output, diagnostics, hint, step or description."""
    return test.model_copy(
        update={
            "description": "",
            "reason": "" if test.status == "passed" else NOT_SHOWN.get(test.visibility, ""),
            "failed_step": None,
            "comparison": None,
            "transcript": [],
            "stdout_tail": b"",
            "stderr_tail": b"",
            "output_truncated": False,
            "diagnostics": [],
            "hint": None,
        }
    )


def student_view(
    result: SubmissionResult, *, release_after_due_date: bool = False
) -> SubmissionResult:
    """The result as a student may see it.

    A hidden test keeps its name, points, status, duration and re-run command, and loses
    everything else (see redact_test); a note that quotes its reason (a test the grader ran
    twice) is left out. A test shown after the due date is treated the same, since the grader
    knows no due date, unless release_after_due_date: Gradescope, which withholds such a test
    from students until the due date itself, receives its details.
    """
    redacted = {
        t.name
        for t in result.tests
        if withheld(t.visibility, release_after_due_date=release_after_due_date)
    }
    if not redacted:
        return result
    secrets = [t.reason for t in result.tests if t.name in redacted and t.reason]
    return result.model_copy(
        update={
            "tests": [redact_test(t) if t.name in redacted else t for t in result.tests],
            "notes": [n for n in result.notes if not any(s in n for s in secrets)],
        }
    )


def student_entry(entry: BatchEntry, *, release_after_due_date: bool = False) -> BatchEntry:
    """A batch entry with its result in the student view (see student_view)."""
    if entry.result is None:
        return entry
    shown = student_view(entry.result, release_after_due_date=release_after_due_date)
    return entry.model_copy(update={"result": shown})


def rerun_command(
    assignment: str, submission: str, test: str, options: Sequence[str] = ()
) -> str:
    """The command a student types to re-run one test: `grader check tcp-echo server.py
    --test echo-one` (the assignment by id or by the folder they were given)."""
    return shlex.join(["grader", "check", assignment, submission, "--test", test, *options])
