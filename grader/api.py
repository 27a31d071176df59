"""The library's entry points; the CLI is a thin layer over these."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from grader.archive import archive_stem, extract_archive, is_archive
from grader.backends import BackendName, get_backend
from grader.backends.base import Backend
from grader.batch import (
    DEFAULT_WORKERS,
    PHASE_OUTPUTS,
    PHASE_SIMILARITY,
    BatchReport,
    Executor,
    OnEntry,
    is_older,
    run_batch,
)
from grader.catalogue import catalogue_root, resolve_assignment
from grader.course import course_settings, late_policy
from grader.errors import GraderError, SubmissionError
from grader.grading import OnTest, grade
from grader.ingest import Item, ingest, read_roster, safe_id
from grader.report.student_view import rerun_command
from grader.results import BatchEntry, Student, SubmissionResult
from grader.scaffold import Role, Scaffold, Transport, scaffold
from grader.similarity import compare, keep_sources
from grader.spec import Assignment, LoadedAssignment, discover_assignments, load_assignment
from grader.store import ResultStore
from grader.submission import IGNORED_NAMES, load_submission
from grader.untrusted import refuse_link
from grader.validation import Check, ValidationReport, validate


def check(
    assignment: Path,
    submission: Path,
    *,
    backend: BackendName = "auto",
    tests: list[str] | None = None,
    on_test: OnTest | None = None,
) -> SubmissionResult:
    """Grade one submission against one assignment.

    assignment: a folder (or its assignment.yaml), or the id of a built-in assignment.
    submission: a folder, a single source file, or the archive the student will upload (.zip,
    .tar.gz, .tgz, .tar), extracted by the rules of `grader grade` into a temporary folder.
    The full result is returned (hidden tests included): student-facing outputs render
    grader.report.student_view.student_view of it. Each test's re-run command is the one the
    student types: the assignment and submission as given (an absolute path by its name), no
    --backend unless one was chosen.
    """
    loaded = load_assignment(resolve_assignment(assignment))
    for name in tests or []:
        loaded.spec.test(name)  # raises SpecError naming the known tests
    chosen, notes = get_backend(backend)
    shown_assignment = loaded.spec.id if assignment.is_absolute() else str(assignment)
    shown_submission = submission.name if submission.is_absolute() else str(submission)
    options = [] if backend == "auto" else ["--backend", chosen.name]

    def rerun(name: str) -> str:
        return rerun_command(shown_assignment, shown_submission, name, options)

    with ExitStack() as stack:
        folder = _opened(submission, stack)
        try:
            return grade(
                loaded,
                load_submission(folder),
                chosen,
                rerun_command=rerun,
                only=tests,
                on_test=on_test,
                notes=notes,
            )
        except SubmissionError as e:  # name the archive, not the temporary folder
            raise SubmissionError(str(e).replace(str(folder), str(submission))) from e


def junit_report(assignment: Path, result: SubmissionResult) -> str:
    """The JUnit XML of one graded submission, as students may see it (for CI)."""
    from grader.report.junit import junit_xml  # noqa: PLC0415 - only when asked for

    entry = BatchEntry(
        student=Student(id=result.submission_id),
        source=result.submission_id,
        status="graded",
        result=result,
    )
    return junit_xml(load_assignment(resolve_assignment(assignment)).spec, entry)



def _opened(submission: Path, stack: ExitStack) -> Path:
    """The folder to grade: an archive extracted into a temporary folder removed on exit (and
    unwrapped from a single top folder), anything else as it is."""
    refuse_link(submission)
    if not is_archive(submission):
        return submission
    work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="grader-check-")))
    folder = work / archive_stem(submission.name)
    extract_archive(submission, folder)
    while True:  # a zipped project folder: grade what is inside it
        children = [
            c
            for c in folder.iterdir()
            if not c.name.startswith(".") and c.name not in IGNORED_NAMES
        ]
        if not children:
            raise SubmissionError(f"{submission}: the archive holds no files")
        if len(children) != 1 or not children[0].is_dir():
            return folder
        folder = children[0]


def list_assignments(root: Path | None = None) -> list[LoadedAssignment]:
    """Every assignment under root (default: the catalogue), loaded and validated (a bad one
    raises SpecError)."""
    root = root if root is not None else catalogue_root()
    return [load_assignment(folder) for folder in discover_assignments(root)] if root else []


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
    cluster: str | None = None,
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
    every other and with those, into out/similarity.json. cluster: the address of a Dask
    scheduler whose workers grade (each on its own Docker engine), `workers` sandboxes each.
    """
    loaded = load_assignment(assignment)
    policy = late_policy(assignment, course, late or {})
    settings = course_settings(assignment, course)
    chosen, notes = _batch_backend(backend, trust_local, cluster)
    store = ResultStore(out)
    found = ingest(submissions, out / "submissions", roster=roster, identities=store.roster())
    for line in [*notes, *found.log]:
        if on_log:
            on_log(line)
    items = _only(found.items, only, submissions) if only else found.items
    store.save_course(settings)
    if roster:
        store.save_roster(read_roster(roster))
    with ExitStack() as stack:
        if cluster is not None:
            from grader.cluster import dask_executor  # noqa: PLC0415 - Dask is an optional extra

            runner: Backend | Executor = stack.enter_context(
                dask_executor(cluster, workers, on_log)
            )
        else:
            assert chosen is not None  # _batch_backend: a backend unless on a cluster
            runner = chosen
        report = run_batch(
            loaded,
            items,
            runner,
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


def _batch_backend(
    backend: BackendName, trust_local: bool, cluster: str | None
) -> tuple[Backend | None, list[str]]:
    """The backend a batch grades on here (None on a cluster: each worker has its own)."""
    if cluster is not None:
        if backend == "local":
            raise GraderError(
                "--cluster grades on each Dask worker's Docker engine; tip: drop --backend local"
            )
        return None, []
    chosen, notes = get_backend(backend)
    if not chosen.isolated and not trust_local:
        raise GraderError(
            f"the {chosen.name} backend runs submissions without isolation, as your own user; "
            "tip: grade with --backend docker, or pass --trust-local if you have read this code"
        )
    return chosen, notes


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
