"""The library's entry points; the CLI is a thin layer over these."""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable
from pathlib import Path
from typing import Any

from grader.backends import BackendName, get_backend
from grader.batch import (
    DEFAULT_WORKERS,
    PHASE_OUTPUTS,
    PHASE_SIMILARITY,
    BatchReport,
    OnEntry,
    is_older,
    run_batch,
)
from grader.course import course_settings, late_policy
from grader.errors import GraderError, SubmissionError
from grader.grading import OnTest, grade
from grader.ingest import Item, ingest, read_roster, safe_id
from grader.results import SubmissionResult
from grader.scaffold import Role, Scaffold, Transport, scaffold
from grader.similarity import compare, keep_sources
from grader.spec import Assignment, LoadedAssignment, discover_assignments, load_assignment
from grader.store import ResultStore
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


def new_assignment(
    root: Path, assignment_id: str, *, role: Role, transport: Transport
) -> Scaffold:
    """Scaffold assignments/<id>/ and reference/<id>/ under root (never overwriting)."""
    return scaffold(root, assignment_id, role, transport)


def spec_schema() -> dict[str, Any]:
    """The JSON Schema of assignment.yaml, for editor completion."""
    schema = Assignment.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "socket-grader assignment"
    return schema


def schema_text() -> str:
    return json.dumps(spec_schema(), indent=2) + "\n"


def grade_batch(
    assignment: Path,
    submissions: Path,
    out: Path,
    *,
    backend: BackendName = "docker",
    trust_local: bool = False,
    workers: int = DEFAULT_WORKERS,
    regrade: bool = False,
    roster: Path | None = None,
    only: list[str] | None = None,
    course: Path | None = None,
    late: dict[str, object] | None = None,
    similarity: bool = False,
    similar_to: list[Path] | None = None,
    on_log: Callable[[str], None] | None = None,
    on_start: Callable[[int, int], None] | None = None,
    on_entry: OnEntry | None = None,
    on_phase: Callable[[str], None] | None = None,
) -> BatchReport:
    """Grade every student's submission under submissions into out, resuming what is stored.

    The local backend (also when auto falls back to it) runs student code unisolated, so it is
    refused unless trust_local says the code is trusted. only names the students to grade
    again (whatever is stored); every other stored entry stays as it is. The late policy is
    the course file's (course, else course.yaml beside the spec) with late's fields over it.
    Each graded student's source files are kept in out/sources/; with similarity (or
    similar_to, folders of known public solutions) every stored student is compared with
    every other and with those, into out/similarity.json.
    """
    loaded = load_assignment(assignment)
    policy = late_policy(assignment, course, late or {})
    settings = course_settings(assignment, course)
    chosen, notes = get_backend(backend)
    if not chosen.isolated and not trust_local:
        raise GraderError(
            f"the {chosen.name} backend runs submissions without isolation, as your own user; "
            "tip: grade with --backend docker, or pass --trust-local if you have read this code"
        )
    store = ResultStore(out)
    found = ingest(submissions, out / "submissions", roster=roster, identities=store.roster())
    for line in [*notes, *found.log]:
        if on_log:
            on_log(line)
    items = _only(found.items, only, submissions) if only else found.items
    store.save_course(settings)
    if roster:
        store.save_roster(read_roster(roster))
    report = run_batch(
        loaded,
        items,
        chosen,
        store,
        workers=workers,
        regrade=regrade or bool(only),
        on_start=on_start,
        on_entry=on_entry,
        late=policy,
        on_phase=on_phase,
    )
    _keep_sources(store, items, report)
    if similarity or similar_to:
        if on_phase:
            on_phase(PHASE_SIMILARITY)
        graded = sorted(e.student.id for e in store.entries() if e.status == "graded")
        folders = {sid: store.sources(sid) for sid in graded if store.sources(sid).is_dir()}
        store.save_similarity(compare(folders, similar_to or [], assignment))
    if on_phase:
        on_phase(PHASE_OUTPUTS)
    _write_outputs(out, store)
    return report


def _keep_sources(store: ResultStore, items: list[Item], report: BatchReport) -> None:
    """Keep the source files of what each graded entry graded (not of an older download)."""
    by_id = {i.student.id: i for i in items if i.path is not None}
    for outcome in report.outcomes:
        item = by_id.get(outcome.entry.student.id)
        graded = outcome.entry.status == "graded"
        if item and item.path and graded and not is_older(item, outcome.entry):
            keep_sources(item.path, store.sources(item.student.id))


def _only(items: list[Item], only: list[str], submissions: Path) -> list[Item]:
    """The items of the students named (by id as the gradebook shows it), each of them found."""
    wanted = {safe_id(raw): raw for raw in only}
    chosen = [i for i in items if i.student.id in wanted and not i.missing]
    absent = sorted(set(wanted) - {i.student.id for i in chosen})
    if absent:
        found = sorted(i.student.id for i in items if not i.missing)
        shown = ", ".join(found[:10]) + (f" and {len(found) - 10} more" if len(found) > 10 else "")
        raise SubmissionError(
            f"--only {', '.join(wanted[a] for a in absent)}: no submission for this id in "
            f"{submissions}; tip: give the gradebook's id (found: {shown or 'no submission'})"
        )
    return chosen


def rerender(out: Path) -> int:
    """Write every output of a batch again from its stored entries, grading nothing; the count."""
    store = ResultStore(out)
    if not store.entries_dir.is_dir():
        raise GraderError(
            f"{out}: no stored results (no {store.entries_dir.name}/ folder); tip: give the "
            "--out folder of a `grader grade` run"
        )
    return _write_outputs(out, store)


def _write_outputs(out: Path, store: ResultStore) -> int:
    from grader.report.outputs import write_outputs  # noqa: PLC0415 - jinja2 only when reporting

    entries = store.entries()
    canvas_column = store.load_course().canvas_column
    write_outputs(
        out,
        store.load_assignment(),
        entries,
        store.previous(),
        canvas_column,
        store.load_similarity(),
    )
    return len(entries)
