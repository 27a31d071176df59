"""The library's entry points; the CLI is a thin layer over these."""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable
from pathlib import Path
from typing import Any

from grader.backends import BackendName, get_backend
from grader.grading import OnTest, grade
from grader.results import SubmissionResult
from grader.spec import Assignment, LoadedAssignment, discover_assignments, load_assignment
from grader.submission import load_submission
from grader.validation import Check, ValidationReport, validate


def check(
    assignment: Path,
    submission: Path,
    *,
    backend: BackendName = "auto",
    tests: list[str] | None = None,
    on_test: OnTest | None = None,
) -> SubmissionResult:
    """Grade one submission against one assignment."""
    loaded = load_assignment(assignment)
    for name in tests or []:
        loaded.spec.test(name)  # raises SpecError naming the known tests
    sub = load_submission(submission)
    chosen, notes = get_backend(backend)

    def rerun(name: str) -> str:
        return shlex.join(
            [
                "grader",
                "check",
                str(assignment),
                str(submission),
                "--test",
                name,
                "--backend",
                chosen.name,
            ]
        )

    return grade(loaded, sub, chosen, rerun_command=rerun, only=tests, on_test=on_test, notes=notes)


def list_assignments(root: Path) -> list[LoadedAssignment]:
    """Every assignment under root, loaded and validated (a bad one raises SpecError)."""
    return [load_assignment(folder) for folder in discover_assignments(root)]


def validate_assignment(
    assignment: Path,
    *,
    backend: BackendName = "auto",
    jobs: int = 1,
    on_check: Callable[[Check], None] | None = None,
) -> ValidationReport:
    """Grade the assignment's model solutions and mutants and compare with their expectations."""
    loaded = load_assignment(assignment)
    chosen, _ = get_backend(backend)
    return validate(loaded, chosen, jobs=jobs, on_check=on_check)


def spec_schema() -> dict[str, Any]:
    """The JSON Schema of assignment.yaml, for editor completion."""
    schema = Assignment.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "socket-grader assignment"
    return schema


def schema_text() -> str:
    return json.dumps(spec_schema(), indent=2) + "\n"
