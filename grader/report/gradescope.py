"""Gradescope autograder output: the results.json Gradescope reads for one submission."""

from __future__ import annotations

import json
import re
from typing import Any, Literal

from grader.report import extra_credit
from grader.report.bytes_view import tail_bytes
from grader.results import BatchEntry, TestResult, Visibility
from grader.spec import Assignment

GradescopeVisibility = Literal["visible", "hidden", "after_due_date", "after_published"]
# Our names already are Gradescope's; Gradescope hides a 'hidden' test from the student
# entirely and shows it to instructors, so its details may be written out.
VISIBILITY: dict[Visibility, GradescopeVisibility] = {
    "visible": "visible",
    "hidden": "hidden",
    "after_due_date": "after_due_date",
}
OUTPUT_TAIL = 2000  # bytes of each output stream kept in a test's output
# Characters other than \t and \n that would garble or hide text in Gradescope's output box.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]")


def escape(match: re.Match[str]) -> str:
    """A matched character as a \\xNN or \\uNNNN escape."""
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def readable(text: str) -> str:
    """Text with control and invisible characters written as escapes (line breaks kept)."""
    return _CONTROL.sub(escape, text.replace("\r\n", "\\r\n"))


def output_text(data: bytes, limit: int = OUTPUT_TAIL) -> str:
    """The end of a program's output as readable text, saying how much was cut."""
    tail = tail_bytes(data, limit)
    text = readable(tail.decode("utf-8", errors="backslashreplace"))
    if len(tail) < len(data):
        return f"[first {len(data) - len(tail):,} bytes cut]\n{text}"
    return text


def test_output(test: TestResult) -> str:
    """What a test's output box says: reason, step, hint, diagnostics and output tails."""
    parts = []
    if test.status != "passed":
        if test.reason:
            parts.append(readable(test.reason))
        if test.failed_step:
            parts.append(f"Stopped at step {readable(test.failed_step)} of the scenario.")
        if test.hint:
            parts.append(f"Hint: {readable(test.hint)}")
    parts += [f"Diagnostic: {readable(d)}" for d in test.diagnostics]
    for name, data in (("stdout", test.stdout_tail), ("stderr", test.stderr_tail)):
        if data:
            parts.append(f"--- {name} (end) ---\n{output_text(data)}")
    if test.rerun and test.status != "passed":
        parts.append(f"Re-run this test alone: {readable(test.rerun)}")
    return "\n\n".join(parts)


def _bonus_note(available: float, earned: float | None) -> str:
    """The first line of an extra-credit test's output."""
    what = f"Extra credit: up to {available:g} points on top of the maximum, not counted in it"
    if earned is None:
        return f"{what}."
    return f"{what}; earned {earned:g}."


def _test(number: int, test: TestResult) -> dict[str, Any]:
    """One test; an extra-credit test has max_score 0, so that its score adds to the total
    without raising the maximum (Gradescope lets a score exceed max_score)."""
    output = test_output(test)
    extra_data: dict[str, Any] = {"status": test.status, "execution_time": round(test.duration, 3)}
    name = test.name
    if test.extra_credit:
        name = f"{test.name} ({extra_credit.NAME})"
        output = "\n\n".join(filter(None, [_bonus_note(test.max_points, test.points), output]))
        extra_data["extra_credit"] = test.max_points
    return {
        "name": name,
        "number": str(number),
        "score": test.points,
        "max_score": 0 if test.extra_credit else test.max_points,
        "status": "passed" if test.status == "passed" else "failed",
        "output": output,
        "output_format": "text",
        "visibility": VISIBILITY[test.visibility],
        "extra_data": extra_data,
    }


def gradescope_results(assignment: Assignment, entry: BatchEntry) -> dict[str, Any]:
    """The results.json object for one entry, or for a rejected one a zero with the reason.

    Per Gradescope's autograder specification: top-level score, execution_time (seconds),
    output and tests; each test has name, number, score, max_score, status (passed or
    failed), output, output_format and visibility. Our own status (timeout, error, skipped)
    and the test's duration go to the test's extra_data. An infrastructure error has no
    grade to upload: calling this for one is a mistake.
    """
    result = entry.result
    if result is None:
        if entry.status != "rejected":
            raise ValueError(f"{entry.student.id}: {entry.status} has no Gradescope result")
        reason = readable(entry.message) or "The submission could not be graded."
        return {
            "score": 0,
            "output": f"Your submission could not be graded: {reason}",
            "output_format": "text",
            "visibility": "visible",
            "tests": [
                {
                    "name": f"{t.name} ({extra_credit.NAME})" if t.extra_credit else t.name,
                    "number": str(i),
                    "score": 0,
                    "max_score": 0 if t.extra_credit else t.points,
                    "status": "failed",
                    "output": (f"{_bonus_note(t.points, None)}\n\n" if t.extra_credit else "")
                    + "Not run: the submission could not be graded.",
                    "output_format": "text",
                    "visibility": VISIBILITY[t.visibility],
                }
                for i, t in enumerate(assignment.tests, start=1)
            ],
        }
    notes = [readable(n) for n in result.notes]
    bonus = extra_credit.result_label(result)
    if bonus:
        notes.insert(
            0,
            f"Score: {result.score:g} of {result.max_score:g} points ({bonus}: included in the "
            "score, not in the maximum).",
        )
    late = entry.late
    if late is not None and late.late:
        notes.insert(
            0,
            f"Late: {readable(late.reason)}. Score {late.raw_score:g}, late penalty "
            f"{late.penalty:g}, final score {late.final_score:g}.",
        )
    if not result.build.ok:
        log = readable(result.build.log[-OUTPUT_TAIL:])
        notes.insert(0, f"The build failed ({readable(result.build.command)}):\n{log}")
    return {
        "score": entry.final_score if entry.final_score is not None else result.score,
        "execution_time": round(sum(result.timings.values()), 3),
        "output": "\n\n".join(notes),
        "output_format": "text",
        "visibility": "visible",
        "tests": [_test(i, t) for i, t in enumerate(result.tests, start=1)],
    }


def gradescope_json(assignment: Assignment, entry: BatchEntry) -> str:
    """gradescope_results as JSON text: keys in a fixed order, non-ASCII kept, indented."""
    return json.dumps(gradescope_results(assignment, entry), ensure_ascii=False, indent=2) + "\n"
