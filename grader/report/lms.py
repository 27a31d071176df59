"""LMS gradebook files: Canvas's gradebook import CSV and Moodle's offline grading worksheet.

Canvas (Grades > Import): the header is Student, ID, SIS User ID, SIS Login ID, Section, then
one column per assignment titled "Name (assignment id)"; a "Points Possible" row may follow
the header. Canvas matches a row by ID (the Canvas user id, which a Canvas bulk download puts
in each file name) and takes every other column as an assignment, creating the ones it does
not know: so the file holds exactly one assignment column and no per-test columns.

Moodle (assignment > View all submissions > Upload grading worksheet): the header of the
worksheet Moodle downloads is Identifier, Full name, Email address, Status, Grade, Maximum
Grade, Grade can be changed, Last modified (submission), Last modified (grade), Feedback
comments. The upload finds its columns by these names (it needs Identifier, Grade and Last
modified (grade)) and ignores the others, so the per-test points follow as extra columns.
Identifier is "Participant N", N the number a Moodle download puts in each folder name.
"""

from __future__ import annotations

import csv
import io

from grader.report.gradebook import cell, points
from grader.results import BatchEntry
from grader.spec import Assignment

CANVAS_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
CANVAS_POINTS_ROW = "    Points Possible"  # as Canvas writes it in its own export
MOODLE_COLUMNS = (
    "Identifier",
    "Full name",
    "Email address",
    "Status",
    "Grade",
    "Maximum Grade",
    "Grade can be changed",
    "Last modified (submission)",
    "Last modified (grade)",
    "Feedback comments",
)
MOODLE_PARTICIPANT = "Participant "
FEEDBACK_TESTS = 20  # tests listed in the feedback comments before "and N more"


def _grade(entry: BatchEntry) -> str:
    """The final score; 0 for a rejected submission; empty (left as it is) when not graded."""
    if entry.final_score is not None:
        return points(entry.final_score)
    return "0" if entry.status == "rejected" else ""


def canvas_csv(assignment: Assignment, entries: list[BatchEntry], column: str | None = None) -> str:
    """The Canvas import file; column is the assignment's column title, 'Name (id)' as the
    Canvas gradebook export shows it (default: the assignment's title, matched by name)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*CANVAS_COLUMNS, column or assignment.title])
    writer.writerow([CANVAS_POINTS_ROW, "", "", "", "", points(assignment.max_score)])
    for entry in sorted(entries, key=lambda e: e.student.id):
        student = entry.student
        name = cell(student.name or student.id)
        writer.writerow([name, cell(student.id), "", "", "", _grade(entry)])
    return out.getvalue()


def _feedback(entry: BatchEntry) -> str:
    """Each test's status and points, the late penalty, or why it was not graded."""
    result = entry.result
    if result is None:
        return entry.message
    lines = [
        f"{t.name}: {t.status}, {points(t.points)}/{points(t.max_points)}"
        for t in result.tests[:FEEDBACK_TESTS]
    ]
    if len(result.tests) > FEEDBACK_TESTS:
        lines.append(f"and {len(result.tests) - FEEDBACK_TESTS} more tests")
    late = entry.late
    if late is not None and late.late:
        lines.append(
            f"Late: {late.reason}; score {points(late.raw_score)}, penalty "
            f"{points(late.penalty)}, final {points(late.final_score)}"
        )
    return "; ".join(lines)  # one line: a spreadsheet cell shows control characters escaped


def moodle_csv(assignment: Assignment, entries: list[BatchEntry]) -> str:
    """The Moodle grading worksheet, one row per entry, then a column per test's points."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*MOODLE_COLUMNS, *(f"{t.name} (points)" for t in assignment.tests)])
    for entry in sorted(entries, key=lambda e: e.student.id):
        student, result = entry.student, entry.result
        submitted = entry.late.submitted_at if entry.late and entry.late.submitted_at else None
        earned = {t.name: t.points for t in result.tests} if result else {}
        writer.writerow(
            [
                cell(MOODLE_PARTICIPANT + student.id),
                cell(student.name or ""),
                cell(student.email or ""),
                "Submitted for grading" if entry.source else "No submission",
                _grade(entry),
                points(assignment.max_score),
                "Yes",
                submitted.isoformat(timespec="seconds") if submitted else "",
                result.started_at.isoformat(timespec="seconds") if result else "",
                cell(_feedback(entry)),
                *(points(earned[t.name]) if t.name in earned else "" for t in assignment.tests),
            ]
        )
    return out.getvalue()
