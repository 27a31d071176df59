"""Acceptance: every reference solution of every assignment scores what it must (local backend)."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.backends.local import LocalBackend
from grader.grading import grade
from grader.spec import discover_assignments, load_assignment
from grader.submission import load_submission
from grader.validation import validate

ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENTS = discover_assignments(ROOT / "assignments")


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS, ids=[a.name for a in ASSIGNMENTS])
def test_reference_solutions_score_what_they_must(assignment: Path) -> None:
    """Models score full marks; each mutant fails exactly its labelled tests (local backend)."""
    loaded = load_assignment(assignment)
    report = validate(loaded, LocalBackend(), jobs=4)
    assert report.problems() == []
    graded = [c for c in report.checks if not c.skipped]
    assert [c.kind for c in graded].count("model") >= 1
    assert all(c.score >= c.max_score for c in graded if c.kind == "model")  # + extra credit


def test_validate_reports_a_mutant_whose_label_is_wrong(tmp_path: Path, tcp_echo: Path) -> None:
    """A wrongly labelled mutant fails validation, which says which expectation broke."""
    assignments = tmp_path / "assignments" / "tcp-echo"
    assignments.mkdir(parents=True)
    (assignments / "assignment.yaml").write_text((tcp_echo / "assignment.yaml").read_text())
    reference = tmp_path / "reference" / "tcp-echo"
    (reference / "python").mkdir(parents=True)
    model = ROOT / "reference" / "tcp-echo" / "python" / "server.py"
    (reference / "python" / "server.py").write_text(model.read_text())
    mutant = reference / "mutants" / "not-really"
    mutant.mkdir(parents=True)
    (mutant / "server.py").write_text(model.read_text())  # correct code, claimed to be buggy
    (mutant / "mutant.yaml").write_text("description: claims a bug it lacks\nfails: [echo-one]\n")
    loaded = load_assignment(assignments)
    report = validate(loaded, LocalBackend())
    assert not report.ok
    model_check, mutant_check = report.checks
    assert model_check.ok, model_check.problems
    assert mutant_check.problems == ["should fail echo-one but passed it"]


def test_same_submission_twice_gets_the_same_verdicts(tcp_echo: Path) -> None:
    loaded = load_assignment(tcp_echo)
    solution = load_submission(ROOT / "reference" / "tcp-echo" / "python")
    first, second = (grade(loaded, solution, LocalBackend(), rerun_command=str) for _ in range(2))
    assert [t.status for t in first.tests] == [t.status for t in second.tests]
    assert first.submission_hash == second.submission_hash
