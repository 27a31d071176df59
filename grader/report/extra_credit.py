"""Extra credit as every output states it: bonus points above the maximum, never counted in it."""

from __future__ import annotations

from grader.results import SubmissionResult
from grader.spec import Assignment

NAME = "extra credit"


def _number(value: float) -> str:
    return f"{round(value, 2):g}"


def earned(result: SubmissionResult) -> float:
    """Points the result earned on extra-credit tests."""
    return sum(t.points for t in result.tests if t.extra_credit)


def available(assignment: Assignment) -> float:
    """Points of the assignment's extra-credit tests (0 when it has none)."""
    return sum(t.points for t in assignment.tests if t.extra_credit)


def label(got: float, possible: float) -> str:
    """'+5 extra credit' when all of it was earned, else '+2 of 5 extra credit'; '' when the
    assignment offers none."""
    if not possible:
        return ""
    if got >= possible:
        return f"+{_number(got)} {NAME}"
    return f"+{_number(got)} of {_number(possible)} {NAME}"


def result_label(result: SubmissionResult) -> str:
    """The label of what a result earned, against the extra credit its tests offered."""
    return label(earned(result), sum(t.max_points for t in result.tests if t.extra_credit))


def required_passed(result: SubmissionResult) -> bool:
    """Every test but the extra credit passed: full marks, whatever the bonus."""
    return result.build.ok and result.full_marks
