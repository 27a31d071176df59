"""Real implementations as subjects: Python's socketserver echo servers (TCP and UDP), in the
handouts' entry files, score full marks on tcp-echo and udp-echo, on both backends; and the
textbook-style models, on their fixed ports, lose only the port-from-argv bonus."""

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


# (assignment, textbook model folder, its fixed port, a first test that any echo passes)
TEXTBOOKS = [
    ("tcp-echo", "textbook", 12000, "echo-one"),
    ("tcp-echo", "textbook-c", 3490, "echo-one"),
    ("udp-echo", "textbook", 9999, "echo-one"),
    ("chat-server", "textbook", 9009, "broadcast"),
    ("binary-protocol", "textbook", 65432, "upper-one"),
]


def grade_subject(
    backend: Backend, assignment: str, folder: Path, only: list[str] | None = None
) -> SubmissionResult:
    loaded = load_assignment(ROOT / "assignments" / assignment)
    return grade(loaded, load_submission(folder), backend, rerun_command=str, only=only)


def failures(result: SubmissionResult) -> dict[str, str]:
    """Each test that did not pass, with why: {} when the subject earned every point."""
    return {
        t.name: f"{t.status}: {t.reason} {t.diagnostics}"
        for t in result.tests
        if t.status != "passed"
    }


@pytest.mark.parametrize(("assignment", "subject"), CASES, ids=IDS)
def test_stdlib_echo_server_scores_full_marks_locally(assignment: str, subject: str) -> None:
    result = grade_subject(LocalBackend(), assignment, SUBJECTS / assignment / subject)
    assert failures(result) == {}
    assert result.score >= result.max_score


@pytest.mark.docker
@pytest.mark.parametrize(("assignment", "subject"), CASES, ids=IDS)
def test_stdlib_echo_server_scores_full_marks_on_docker(
    assignment: str, subject: str, docker_backend: Backend
) -> None:
    result = grade_subject(docker_backend, assignment, SUBJECTS / assignment / subject)
    assert failures(result) == {}
    assert result.score >= result.max_score


@pytest.mark.parametrize(
    ("assignment", "model", "port", "first"),
    TEXTBOOKS,
    ids=[f"{a}-{m}" for a, m, _, _ in TEXTBOOKS],
)
def test_textbook_model_is_found_on_its_port_and_misses_only_the_bonus(
    assignment: str, model: str, port: int, first: str
) -> None:
    folder = ROOT / "reference" / assignment / model
    result = grade_subject(LocalBackend(), assignment, folder, only=[first, "port-from-argv"])
    found, argv = (t for t in result.tests if t.name in (first, "port-from-argv"))
    assert found.status == "passed", found.reason
    assert any(f"on port {port}, not on the port it was given" in d for d in found.diagnostics)
    assert argv.status != "passed" and argv.extra_credit, argv
