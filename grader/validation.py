"""Proof that an assignment's tests are right: models score full marks, mutants fail their tests."""

from __future__ import annotations

import shlex
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from functools import partial
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from grader.backends.base import Backend
from grader.errors import SpecError
from grader.grading import grade
from grader.results import SubmissionResult
from grader.spec import LoadedAssignment, format_validation_error
from grader.submission import load_submission

MUTANT_FILE = "mutant.yaml"
MODEL_LANGUAGES = ("python", "c")
TEXTBOOK_PREFIX = "textbook"  # textbook/, textbook-c/ ...: written as students write them


class MutantSpec(BaseModel):
    """What a known-buggy solution gets wrong and which tests must catch it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str = Field(description="The bug, in one sentence.")
    fails: list[str] = Field(min_length=1, description="Exactly the tests this mutant must fail.")
    backends: list[Literal["local", "docker"]] = Field(
        default=["local", "docker"],
        min_length=1,
        description="Backends on which the bug shows; on others the mutant is not graded (a "
        "short write, say, shows across a real network link but not on loopback).",
    )


class Check(BaseModel):
    """The outcome of grading one reference solution against its expectation."""

    model_config = ConfigDict(extra="forbid")

    solution: str = Field(description="Path of the solution, relative to the reference folder.")
    kind: str = Field(description="model or mutant.")
    description: str = Field(description="What the solution is.")
    expected_failures: list[str] = Field(description="Tests it must fail (none for a model).")
    actual_failures: list[str] = Field(description="Tests it failed.")
    score: float
    max_score: float
    duration: float = Field(description="Seconds its grading took.")
    problems: list[str] = Field(description="Each way the outcome broke the expectation.")
    skipped: str | None = Field(default=None, description="Why it was not graded, if it was not.")

    @property
    def ok(self) -> bool:
        return not self.problems


class ValidationReport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    assignment_id: str
    backend: str
    checks: list[Check]
    duration: float

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)

    def problems(self) -> list[str]:
        """One line per broken expectation: which solution, and what it did instead."""
        return [f"{c.solution}: {p}" for c in self.checks for p in c.problems]


def _load_mutant(folder: Path, loaded: LoadedAssignment) -> MutantSpec:
    path = folder / MUTANT_FILE
    try:
        data = yaml.safe_load(path.read_text())
        mutant = MutantSpec.model_validate(data)
    except yaml.YAMLError as e:
        raise SpecError(f"{path}: not valid YAML ({e})") from e
    except ValidationError as e:
        raise SpecError(format_validation_error(path, e, data)) from e
    names = {t.name for t in loaded.spec.tests}
    unknown = [n for n in mutant.fails if n not in names]
    if unknown:
        raise SpecError(f"{path}: fails: no test named {', '.join(unknown)} in {loaded.spec.id}")
    return mutant


def reference_solutions(loaded: LoadedAssignment) -> list[tuple[Path, str, MutantSpec | None]]:
    """(folder, kind, mutant spec) for every model solution and mutant of the assignment."""
    root = loaded.reference_dir
    if not root.is_dir():
        raise SpecError(
            f"{root}: no reference folder for {loaded.spec.id}; tip: put model "
            "solutions in reference/<id>/python and reference/<id>/c"
        )
    found: list[tuple[Path, str, MutantSpec | None]] = [
        (root / lang, "model", None) for lang in MODEL_LANGUAGES if (root / lang).is_dir()
    ]
    found += [
        (folder, "model", None)
        for folder in sorted(root.glob(f"{TEXTBOOK_PREFIX}*"))
        if folder.is_dir()
    ]
    if not found:
        raise SpecError(f"{root}: no model solution (python/ or c/)")
    mutants = root / "mutants"
    if mutants.is_dir():
        for folder in sorted(p for p in mutants.iterdir() if p.is_dir()):
            found.append((folder, "mutant", _load_mutant(folder, loaded)))
    return found


def _check(
    folder: Path,
    root: Path,
    *,
    kind: str,
    mutant: MutantSpec | None,
    result: SubmissionResult,
    duration: float,
) -> Check:
    failed = [t.name for t in result.tests if t.status != "passed"]
    expected = sorted(mutant.fails) if mutant else []
    # A textbook-style model does the textbook's task: full marks, extra credit optional.
    optional = (
        {t.name for t in result.tests if t.extra_credit}
        if folder.name.startswith(TEXTBOOK_PREFIX)
        else set()
    )
    problems: list[str] = []
    if not result.build.ok:
        problems.append(f"the build failed: {result.build.log.strip().splitlines()[-1:]}")
    for name in expected:
        if name not in failed:
            problems.append(f"should fail {name} but passed it")
    for test in result.tests:
        if test.name in failed and test.name not in expected and test.name not in optional:
            problems.append(f"should pass {test.name} but got {test.status}: {test.reason}")
    return Check(
        solution=str(folder.relative_to(root)),
        kind=kind,
        description=mutant.description if mutant else f"model solution ({folder.name})",
        expected_failures=expected,
        actual_failures=sorted(failed),
        score=result.score,
        max_score=result.max_score,
        duration=round(duration, 3),
        problems=problems,
    )


def _rerun(assignment: Path, solution: Path, test: str) -> str:
    return shlex.join(["grader", "check", str(assignment), str(solution), "--test", test])


def _check_solution(
    loaded: LoadedAssignment, backend: Backend, folder: Path, kind: str, mutant: MutantSpec | None
) -> Check:
    root = loaded.reference_dir
    if mutant and backend.name not in mutant.backends:
        return Check(
            solution=str(folder.relative_to(root)),
            kind=kind,
            description=mutant.description,
            expected_failures=sorted(mutant.fails),
            actual_failures=[],
            score=0,
            max_score=loaded.spec.max_score,
            duration=0,
            problems=[],
            skipped=f"its bug shows only on {', '.join(mutant.backends)}",
        )
    clock = time.monotonic()
    result = grade(
        loaded,
        load_submission(folder),
        backend,
        rerun_command=partial(_rerun, loaded.directory, folder),
    )
    return _check(
        folder, root, kind=kind, mutant=mutant, result=result, duration=time.monotonic() - clock
    )


def validate(
    loaded: LoadedAssignment,
    backend: Backend,
    *,
    jobs: int = 1,
    on_check: Callable[[Check], None] | None = None,
) -> ValidationReport:
    """Grade every reference solution of the assignment and compare with what it must score.

    jobs: solutions graded at the same time. Most of a mutant's grading is waiting out a
    deadline, so a few at once cost little accuracy and save most of the time.
    """
    started = time.monotonic()
    solutions = reference_solutions(loaded)
    pool = ThreadPoolExecutor(max_workers=max(1, jobs), thread_name_prefix="validate")
    try:
        futures = [pool.submit(_check_solution, loaded, backend, *s) for s in solutions]
        for future in as_completed(futures):
            if on_check:
                on_check(future.result())
        checks = [f.result() for f in futures]
    finally:
        # On Ctrl-C, solutions not begun are dropped; those under way finish their teardown.
        pool.shutdown(wait=True, cancel_futures=True)
    return ValidationReport(
        assignment_id=loaded.spec.id,
        backend=backend.name,
        checks=checks,
        duration=round(time.monotonic() - started, 3),
    )
