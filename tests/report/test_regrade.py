"""The regrade diff: who changed, by how much, in which tests; and its CSV."""

from __future__ import annotations

import csv
import io

from batch_samples import batch, entry, graded

from grader.report.regrade import StudentChange, TestChange, regrade_csv, regrade_diff

ALL, NONE = [True] * 7, [False] * 7


def test_unchanged_runs_give_an_empty_diff() -> None:
    entries = batch()
    assert regrade_diff(entries, list(reversed(entries))) == []


def test_score_and_test_changes_are_reported() -> None:
    before = [
        entry("amy", graded("amy", [True] * 6 + [False])),
        entry("ben", graded("ben", ALL)),
        entry("cat", graded("cat", NONE)),
    ]
    after = [
        entry("amy", graded("amy", ALL)),
        entry("ben", graded("ben", [False] + [True] * 6)),
        entry("cat", graded("cat", NONE)),
    ]
    assert regrade_diff(before, after) == [
        StudentChange(
            student_id="amy",
            name="Student amy",
            old_status="graded",
            new_status="graded",
            old_score=50,
            new_score=60,
            tests=(TestChange("concurrent-10", "timeout", "passed"),),
        ),
        StudentChange(
            student_id="ben",
            name="Student ben",
            old_status="graded",
            new_status="graded",
            old_score=60,
            new_score=50,
            tests=(TestChange("echo-one", "passed", "failed"),),
        ),
    ]
    assert [c.delta for c in regrade_diff(before, after)] == [10, -10]


def test_status_changes_new_and_gone_students() -> None:
    before = [
        entry("amy", status="infrastructure_error", message="engine down"),
        entry("ben", graded("ben", ALL)),
    ]
    after = [entry("amy", graded("amy", ALL)), entry("dan", graded("dan", NONE))]
    changes = {c.student_id: c for c in regrade_diff(before, after)}
    assert set(changes) == {"amy", "ben", "dan"}
    assert (changes["amy"].old_status, changes["amy"].new_status) == ("not graded", "graded")
    assert changes["amy"].delta is None and changes["amy"].tests == ()
    assert (changes["ben"].new_status, changes["ben"].new_score) == ("absent", None)
    assert (changes["dan"].old_status, changes["dan"].new_score) == ("absent", 0)


def test_csv_lists_each_change() -> None:
    before = [entry("amy", graded("amy", [True] * 6 + [False])), entry("=bad", graded("x", ALL))]
    after = [entry("amy", graded("amy", ALL)), entry("=bad", message="no source file")]
    rows = list(csv.DictReader(io.StringIO(regrade_csv(regrade_diff(before, after)), newline="")))
    assert rows == [
        {
            "id": "'=bad",
            "name": "Student =bad",
            "old_status": "graded",
            "new_status": "rejected",
            "old_score": "60",
            "new_score": "",
            "delta": "",
            "tests": "",
        },
        {
            "id": "amy",
            "name": "Student amy",
            "old_status": "graded",
            "new_status": "graded",
            "old_score": "50",
            "new_score": "60",
            "delta": "+10",
            "tests": "concurrent-10: timeout -> passed",
        },
    ]
