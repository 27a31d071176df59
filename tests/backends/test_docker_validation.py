"""Acceptance on Docker: every assignment's reference solutions score what they must there too."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.backends.docker import DockerBackend
from grader.spec import discover_assignments, load_assignment
from grader.validation import validate

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENTS = discover_assignments(ROOT / "assignments")


@pytest.mark.docker
@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS, ids=[a.name for a in ASSIGNMENTS])
def test_reference_solutions_score_what_they_must_on_docker(
    assignment: Path, docker_backend: DockerBackend
) -> None:
    report = validate(load_assignment(assignment), docker_backend, jobs=4)
    assert report.problems() == []
