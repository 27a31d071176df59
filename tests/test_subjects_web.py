"""Real web servers nobody here wrote the protocol for, graded on web-server: Python's own
http.server (HTTP/1.0 and HTTP/1.1, "404 File not found") and a small server whose status line
is "HTTP/1.1 200 Ok" pass every test, extra credit included, on both backends."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from grader.backends.local import LocalBackend
from grader.grading import grade
from grader.spec import load_assignment
from grader.submission import load_submission

ROOT = Path(__file__).resolve().parent.parent
SUBJECTS = ROOT / "tests" / "subjects" / "web-server"
NAMES = sorted(p.name for p in SUBJECTS.iterdir() if p.is_dir())


def _failures(backend: Any, name: str) -> tuple[float, float, list[str]]:
    loaded = load_assignment(ROOT / "assignments" / "web-server")
    result = grade(loaded, load_submission(SUBJECTS / name), backend, rerun_command=str)
    failed = [f"{t.name}: {t.status}: {t.reason}" for t in result.tests if t.status != "passed"]
    return result.score, result.max_score, failed


def test_the_subjects_are_there() -> None:
    assert NAMES == ["http-server", "http-server-1.1", "ok-reason"], NAMES


@pytest.mark.parametrize("name", NAMES)
def test_a_real_web_server_passes_every_test_on_local(name: str) -> None:
    score, maximum, failed = _failures(LocalBackend(), name)
    assert failed == [], failed
    assert score > maximum, (score, maximum)  # full marks and all the extra credit


@pytest.mark.docker
@pytest.mark.parametrize("name", NAMES)
def test_a_real_web_server_passes_every_test_on_docker(docker_backend: Any, name: str) -> None:
    score, maximum, failed = _failures(docker_backend, name)
    assert failed == [], failed
    assert score > maximum, (score, maximum)
