"""The summary's "Needs attention": every student who needs a look, each with the reason."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from batch_samples import TESTS, assignment, build_failure, entry, graded

from grader.late import LatePolicy
from grader.report.gradebook import gradebook_csv
from grader.report.summary import build_summary
from grader.results import BatchEntry, SourceLine, StartupCrash, Student

DUE = datetime(2026, 11, 20, 23, 59, tzinfo=UTC)


def _crashed() -> BatchEntry:
    result = graded("crash", [False] * len(TESTS)).model_copy(
        update={
            "startup_crash": StartupCrash(
                test="echo-one",
                summary="IndentationError: unexpected indent",
                ended="exited with code 1",
                file="server.py",
                line=12,
                source=[SourceLine(number=12, text="      conn.send(data)")],
            )
        }
    )
    return entry("crash", result)


def _timed_out() -> BatchEntry:
    result = graded("slow", [False] * len(TESTS))
    tests = [t.model_copy(update={"status": "timeout", "reason": "no reply"}) for t in result.tests]
    return entry("slow", result.model_copy(update={"tests": tests}))


def _late() -> BatchEntry:
    result = graded("tardy", [True] * len(TESTS))
    when = DUE + timedelta(hours=30)
    late = LatePolicy(due=DUE, penalty=10).assess(result.score, when, "Gradescope created_at")
    return entry("tardy", result, late=late)


def test_every_kind_of_trouble_is_listed_with_its_reason() -> None:
    rejected = entry(
        "2001",
        None,
        message="handin.zip: not a zip archive",
        student=Student(id="2001", name="Ana María"),
    )
    fine = entry("fine", graded("fine", [True] * len(TESTS)))
    entries = [
        entry("cbuild", build_failure("cbuild")),
        _crashed(),
        _timed_out(),
        rejected,
        _late(),
        fine,
    ]
    view = build_summary(assignment(), entries, {})
    listed = {(g.kind, p.id, p.name, p.headline) for g in view.problems for p in g.problems}
    assert listed == {
        (
            "build_failed",
            "cbuild",
            "Student cbuild",
            "The build failed: gcc -Wall -o server server.c",
        ),
        (
            "crashed_at_start",
            "crash",
            "Student crash",
            "your program crashed at start: IndentationError: unexpected indent (server.py, "
            "line 12) (exited with code 1)",
        ),
        (
            "timed_out",
            "slow",
            "Student slow",
            "every test timed out: "
            + "; ".join(f"{name}: no reply" for name, *_ in TESTS)[:117]
            + "\u2026",
        ),
        ("rejected", "2001", "Ana María", "handin.zip: not a zip archive"),
        (
            "late",
            "tardy",
            "Student tardy",
            "1 d 6 h late: 2 days at 10%, -20%; raw 60, penalty 12, final 48 (handed in "
            "2026-11-22T05:59:00+00:00, by the Gradescope created_at)",
        ),
    }
    assert view.problem_count == 5, "fine needs no look"
    late_row = next(r for r in view.rows if r.id == "tardy")
    assert (late_row.score, late_row.late) == ("48", "late: \u221220% (raw 60)")


def test_the_gradebook_says_why_a_graded_program_needs_a_look() -> None:
    rows = {
        r[0]: r[-1]
        for r in csv.reader(
            io.StringIO(
                gradebook_csv(
                    assignment(),
                    [
                        _crashed(),
                        entry("cbuild", build_failure("cbuild")),
                        entry("fine", graded("fine", [True] * len(TESTS))),
                    ],
                )
            )
        )
    }
    assert rows == {
        "id": "message",
        "crash": "your program crashed at start: IndentationError: unexpected indent "
        "(server.py, line 12)",
        "cbuild": "the build failed: gcc -Wall -o server server.c",
        "fine": "",
    }
