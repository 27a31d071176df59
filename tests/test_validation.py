"""Acceptance: every reference solution of every assignment scores what it must (local backend)."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.backends.local import LocalBackend
from grader.grading import grade
from grader.spec import discover_assignments, load_assignment
from grader.submission import load_submission
from grader.validation import MutantSpec, reference_solutions, validate

ROOT = Path(__file__).resolve().parent.parent
CASES = [
    pytest.param(
        folder,
        solution,
        mutant,
        id=f"{folder.name}/{solution.relative_to(ROOT / 'reference' / folder.name)}",
    )
    for folder in discover_assignments(ROOT / "assignments")
    for solution, _, mutant in reference_solutions(load_assignment(folder))
    if mutant is None or "local" in mutant.backends  # the others: tests/backends/test_docker.py
]


@pytest.mark.slow
@pytest.mark.parametrize(("assignment", "solution", "mutant"), CASES)
def test_reference_solution_scores_what_it_must(
    assignment: Path, solution: Path, mutant: MutantSpec | None
) -> None:
    loaded = load_assignment(assignment)
    result = grade(loaded, load_submission(solution), LocalBackend(), rerun_command=str)
    failed = sorted(t.name for t in result.tests if t.status != "passed")
    reasons = {
        t.name: f"{t.status}: {t.reason} {t.diagnostics}"
        for t in result.tests
        if t.status != "passed"
    }
    expected = sorted(getattr(mutant, "fails", []))
    assert failed == expected, reasons
    if not expected:
        assert result.score == result.max_score


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
