"""What a student may see of a result: hidden tests keep their verdict and lose their details."""

from __future__ import annotations

from grader.results import SubmissionResult, TestResult

REDACTED = {
    "hidden": "hidden test: only its result is shown",
    "after_due_date": "details are shown after the due date",
}


def _redacted(test: TestResult) -> TestResult:
    """A test that is not visible: its verdict and points, none of what it sent or expected."""
    if test.visibility == "visible":
        return test
    return test.model_copy(
        update={
            "reason": REDACTED[test.visibility] if test.status != "passed" else "",
            "failed_step": None,
            "comparison": None,
            "transcript": [],
            "stdout_tail": b"",
            "stderr_tail": b"",
            "diagnostics": [],
            "hint": None,
        }
    )


def student_view(result: SubmissionResult) -> SubmissionResult:
    """The result with every hidden or after-due-date test reduced to its verdict and points."""
    return result.model_copy(update={"tests": [_redacted(t) for t in result.tests]})
