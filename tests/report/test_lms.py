"""Canvas and Moodle gradebook files, column by column against fixtures from their documentation."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

from batch_samples import assignment, batch, entry, graded

from grader.late import LatePolicy
from grader.report.lms import canvas_csv, moodle_csv
from grader.results import BatchEntry, Student

FIXTURES = Path(__file__).parent / "lms"


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def fixture(name: str) -> list[list[str]]:
    return rows((FIXTURES / name).read_text(encoding="utf-8"))


def plain() -> list[BatchEntry]:
    """The sample batch without its hostile ids (the gradebook's own tests cover those)."""
    return [e for e in batch() if e.student.id.isalnum() or "-" in e.student.id]


def expected_grade(e: BatchEntry) -> str:
    if e.final_score is not None:
        return f"{e.final_score:g}"
    return "0" if e.status == "rejected" else ""


def late_entry() -> BatchEntry:
    result = graded("1007", [True] * 7)
    policy = LatePolicy(due=datetime(2026, 11, 20, 23, 59, tzinfo=UTC), penalty=10)
    late = policy.assess(result.score, datetime(2026, 11, 21, 1, 0, tzinfo=UTC), "file time")
    return entry("1007", result, late=late, student=Student(id="1007", name="Jane Doe"))


def test_canvas_has_the_documented_columns_one_assignment_and_the_points_row() -> None:
    documented = fixture("canvas-import.csv")
    entries = [*plain(), late_entry()]
    ours = rows(canvas_csv(assignment(), entries, "TCP echo server (4242)"))
    assert ours[0] == documented[0], "the header, assignment column included"
    assert ours[1] == documented[1], "Points Possible, as Canvas writes it"
    by_id = {row[1]: row for row in ours[2:]}
    assert len(by_id) == len(entries)
    for e in entries:
        row = by_id[e.student.id]
        assert row[0] == (e.student.name or e.student.id)
        assert row[2:] == ["", "", "", expected_grade(e)], "no SIS ids or section: matched by ID"
    assert by_id["1007"][0] == "Jane Doe" and by_id["1007"][5] == "54", "the final score"


def test_canvas_column_defaults_to_the_title_that_canvas_matches_by_name() -> None:
    assert rows(canvas_csv(assignment(), []))[0][-1] == "TCP echo server"


def test_moodle_has_the_worksheet_columns_then_one_per_test() -> None:
    documented = fixture("moodle-worksheet.csv")
    spec = assignment()
    entries = [*plain(), late_entry()]
    ours = rows(moodle_csv(spec, entries))
    tests = [f"{t.name} (points)" for t in spec.tests]
    assert ours[0] == documented[0] + tests
    by_id = {row[0]: row for row in ours[1:]}
    assert len(by_id) == len(entries)
    for e in entries:
        row = by_id[f"Participant {e.student.id}"]
        assert row[1:7] == [
            e.student.name or "",
            e.student.email or "",
            "Submitted for grading",
            expected_grade(e),
            "60",
            "Yes",
        ], row
        if e.result is None:
            assert row[8:] == ["", e.message, *[""] * len(spec.tests)], row
            continue
        assert row[8] == e.result.started_at.isoformat(timespec="seconds")
        earned = {t.name: f"{t.points:g}" for t in e.result.tests}
        assert row[10:] == [earned.get(t.name, "") for t in spec.tests]
        first = e.result.tests[0]
        assert row[9].startswith(f"{first.name}: {first.status}, {first.points:g}/"), row[9]
    late = by_id["Participant 1007"]
    assert (late[1], late[4]) == ("Jane Doe", "54")
    assert late[7] == "2026-11-21T01:00:00+00:00", "the submission time"
    assert late[9].endswith(
        "Late: 1 h 1 min late: 1 day at 10%, -10%; score 60, penalty 6, final 54"
    )
