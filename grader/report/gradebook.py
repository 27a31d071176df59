"""The generic gradebook CSV: a row per student with score, maximum and points per test."""

from __future__ import annotations

import csv
import io

from grader.report import extra_credit
from grader.report.bytes_view import printable
from grader.results import BatchEntry
from grader.spec import Assignment

FIXED_COLUMNS = ("id", "name", "email", "score", "max")
# Only for an assignment with extra-credit tests: the bonus earned, included in score, never in max.
EXTRA_COLUMN = "extra_credit"
TRAILING_COLUMNS = ("status", "message")
# Only when the batch has a late policy: score is then the final score, after the penalty.
LATE_COLUMNS = ("raw_score", "late_penalty", "late", "submitted_at", "time_source")
# A spreadsheet reads a cell starting with one of these as a formula: such text is prefixed
# with an apostrophe so that a student's name cannot run anything (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(text: str) -> str:
    """Student text made safe for a spreadsheet: control characters escaped, no formula."""
    text = printable(text)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def points(value: float) -> str:
    """Points as a gradebook expects them: a plain decimal number, no exponent, no '.0'."""
    return f"{round(value, 2):f}".rstrip("0").rstrip(".")


def _has_extra(assignment: Assignment) -> bool:
    return any(t.extra_credit for t in assignment.tests)


def header(assignment: Assignment, late: bool = False) -> list[str]:
    """The header row: id, name, email, score, max, (extra_credit), one column per test
    (an extra-credit test's marked so), (the late columns), status, message."""
    extra = [EXTRA_COLUMN] if _has_extra(assignment) else []
    tests = [
        f"{t.name} ({extra_credit.NAME})" if t.extra_credit else t.name for t in assignment.tests
    ]
    return [*FIXED_COLUMNS, *extra, *tests, *(LATE_COLUMNS if late else ()), *TRAILING_COLUMNS]


def late_cells(entry: BatchEntry) -> list[str]:
    """raw_score, late_penalty, late (yes/no), submitted_at (ISO 8601) and time_source."""
    late = entry.late
    if late is None or entry.result is None:
        return ["", "", "", "", ""]
    when = late.submitted_at.isoformat(timespec="seconds") if late.submitted_at else ""
    flag = "yes" if late.late else "no"
    return [points(late.raw_score), points(late.penalty), flag, when, cell(late.source)]


def message(entry: BatchEntry) -> str:
    """Why it was not graded; for a grade that needs a look, why (the build, the program)."""
    result = entry.result
    if entry.message or result is None:
        return entry.message
    if not result.build.ok:
        return f"the build failed: {result.build.command}"
    if result.entry_ambiguity:
        return result.entry_ambiguity
    return result.startup_crash.headline if result.startup_crash else ""


def row(assignment: Assignment, entry: BatchEntry, late: bool = False) -> list[str]:
    """One student's row; score and test columns are empty when the entry has no grade."""
    student = entry.student
    fixed = [cell(student.id), cell(student.name or ""), cell(student.email or "")]
    result = entry.result
    has_extra = _has_extra(assignment)
    if result is None:
        scores = ["", points(assignment.max_score)] + [""] * (len(assignment.tests) + has_extra)
    else:
        earned = {t.name: t.points for t in result.tests}
        final = entry.final_score if entry.final_score is not None else result.score
        scores = [points(final), points(result.max_score)]
        if has_extra:
            scores.append(points(extra_credit.earned(result)))
        scores += [points(earned[t.name]) if t.name in earned else "" for t in assignment.tests]
    lateness = late_cells(entry) if late else []
    return [*fixed, *scores, *lateness, entry.status, cell(message(entry))]


def gradebook_csv(assignment: Assignment, entries: list[BatchEntry]) -> str:
    """The whole gradebook: UTF-8 text, a header row, then one row per entry sorted by id."""
    out = io.StringIO()
    writer = csv.writer(out)  # RFC 4180: quoted as needed, CRLF line ends
    late = any(e.late is not None for e in entries)
    writer.writerow(header(assignment, late))
    for entry in sorted(entries, key=lambda e: e.student.id):
        writer.writerow(row(assignment, entry, late))
    return out.getvalue()
