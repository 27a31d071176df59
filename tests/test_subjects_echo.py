"""Real implementations as subjects: Python's socketserver echo servers (TCP and UDP), in the
handouts' entry files, score full marks on tcp-echo and udp-echo, on both backends."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.backends.base import Backend
from grader.backends.local import LocalBackend
from grader.grading import grade
from grader.results import SubmissionResult
from grader.spec import load_assignment
from grader.submission import load_submission

ROOT = Path(__file__).resolve().parent.parent
SUBJECTS = Path(__file__).resolve().parent / "subjects"
# (assignment, subject folder): each subject is a stdlib server wrapped in the entry file.
CASES = [("tcp-echo", "socketserver"), ("udp-echo", "socketserver")]
IDS = [f"{assignment}-{subject}" for assignment, subject in CASES]


def grade_subject(backend: Backend, assignment: str, subject: str) -> SubmissionResult:
    loaded = load_assignment(ROOT / "assignments" / assignment)
    submission = load_submission(SUBJECTS / assignment / subject)
    return grade(loaded, submission, backend, rerun_command=str)


def failures(result: SubmissionResult) -> dict[str, str]:
    """Each test that did not pass, with why: {} when the subject earned every point."""
    return {
        t.name: f"{t.status}: {t.reason} {t.diagnostics}"
        for t in result.tests
        if t.status != "passed"
    }


@pytest.mark.parametrize(("assignment", "subject"), CASES, ids=IDS)
def test_stdlib_echo_server_scores_full_marks_locally(assignment: str, subject: str) -> None:
    result = grade_subject(LocalBackend(), assignment, subject)
    assert failures(result) == {}
    assert result.score >= result.max_score


@pytest.mark.docker
@pytest.mark.parametrize(("assignment", "subject"), CASES, ids=IDS)
def test_stdlib_echo_server_scores_full_marks_on_docker(
    assignment: str, subject: str, docker_backend: Backend
) -> None:
    result = grade_subject(docker_backend, assignment, subject)
    assert failures(result) == {}
    assert result.score >= result.max_score
