"""Real SMTP clients as subjects: each scores full marks, bonus included, on both backends.

- ``smtplib``: Python's own client (``SMTP.sendmail``), wrapped in the handout's entry file;
  EHLO, ESMTP parameters on MAIL FROM (SIZE), dot-stuffing, QUIT.
- ``esmtp-login``: a client of ours that reads multi-line replies and tries STARTTLS and
  AUTH LOGIN first, which the grader's server refuses (502), then goes on in plain text.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.backends.base import Backend
from grader.backends.docker import DockerBackend
from grader.backends.local import LocalBackend
from grader.grading import grade
from grader.results import SubmissionResult
from grader.spec import load_assignment
from grader.submission import load_submission

ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENT = ROOT / "assignments" / "smtp-client"
SUBJECTS = ROOT / "tests" / "subjects" / "smtp-client"
NAMES = sorted(p.name for p in SUBJECTS.iterdir() if p.is_dir())


def graded(backend: Backend, name: str) -> SubmissionResult:
    return grade(
        load_assignment(ASSIGNMENT), load_submission(SUBJECTS / name), backend, rerun_command=str
    )


def lost(result: SubmissionResult) -> dict[str, str]:
    return {t.name: t.reason for t in result.tests if t.status != "passed"}


def test_the_subjects_are_there() -> None:
    assert NAMES == ["esmtp-login", "smtplib"]


@pytest.mark.parametrize("name", NAMES)
def test_real_client_scores_full_marks_locally(name: str) -> None:
    result = graded(LocalBackend(), name)
    assert lost(result) == {}
    assert result.score == result.max_score + 5  # the bonus of reply-in-pieces too


@pytest.mark.docker
@pytest.mark.parametrize("name", NAMES)
def test_real_client_scores_full_marks_on_docker(name: str, docker_backend: DockerBackend) -> None:
    result = graded(docker_backend, name)
    assert lost(result) == {}
    assert result.score == result.max_score + 5


def test_smtplib_was_refused_nothing_and_the_login_client_was_refused_tls_and_auth() -> None:
    """What the subjects show: the server answers what it does not offer, and goes on."""
    loaded = load_assignment(ASSIGNMENT)
    backend = LocalBackend()
    replies = {}
    for name in NAMES:
        result = grade(
            loaded, load_submission(SUBJECTS / name), backend, rerun_command=str, only=["quit"]
        )
        test = next(t for t in result.tests if t.name == "quit")
        assert test.status == "passed", test.reason
        sent = b"".join(e.data for e in test.transcript if e.kind == "send")
        replies[name] = [line[:3].decode() for line in sent.split(b"\r\n") if line[3:4] == b" "]
    assert replies["smtplib"] == ["220", "250", "250", "250", "354", "250", "221"]
    assert replies["esmtp-login"] == ["220", "250", "502", "502", "250", "250", "354", "250", "221"]
