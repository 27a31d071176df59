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
from grader.batch import DEFAULT_WORKERS, BatchReport, OnEntry, run_batch
from grader.catalogue import catalogue_root, resolve_assignment
from grader.errors import GraderError, SubmissionError
from grader.grading import OnTest, grade
from grader.ingest import ingest
from grader.report.student_view import rerun_command
from grader.results import BatchEntry, Student, SubmissionResult
from grader.scaffold import Role, Scaffold, Transport, scaffold
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
    on_log: Callable[[str], None] | None = None,
    on_start: Callable[[int, int], None] | None = None,
    on_entry: OnEntry | None = None,
) -> BatchReport:
    """Grade every student's submission under submissions into out, resuming what is stored.

    The local backend (also when auto falls back to it) runs student code unisolated, so it is
    refused unless trust_local says the code is trusted. cluster: the address of a Dask
    scheduler whose workers grade (each on its own Docker engine), `workers` sandboxes each.
    """
    loaded = load_assignment(assignment)
    if cluster is not None:
        return _grade_on_cluster(
            loaded, submissions, out, cluster, backend=backend, workers=workers,
            regrade=regrade, roster=roster, on_log=on_log, on_start=on_start, on_entry=on_entry,
        )
    chosen, notes = get_backend(backend)
    if not chosen.isolated and not trust_local:
        raise GraderError(
            f"the {chosen.name} backend runs submissions without isolation, as your own user; "
            "tip: grade with --backend docker, or pass --trust-local if you have read this code"
        )
    found = ingest(submissions, out / "submissions", roster=roster)
    for line in [*notes, *found.log]:
        if on_log:
            on_log(line)
    store = ResultStore(out)
    report = run_batch(
        loaded,
        found.items,
        chosen,
        store,
        workers=workers,
        regrade=regrade,
        on_start=on_start,
        on_entry=on_entry,
    )
    _write_outputs(out, store)
    return report


def _grade_on_cluster(
    loaded: LoadedAssignment,
    submissions: Path,
    out: Path,
    address: str,
    *,
    backend: BackendName,
    workers: int,
    regrade: bool,
    roster: Path | None,
    on_log: Callable[[str], None] | None,
    on_start: Callable[[int, int], None] | None,
    on_entry: OnEntry | None,
) -> BatchReport:
    from grader.cluster import dask_executor  # noqa: PLC0415 - Dask is an optional extra

    if backend == "local":
        raise GraderError(
            "--cluster grades on each Dask worker's Docker engine; tip: drop --backend local"
        )
    found = ingest(submissions, out / "submissions", roster=roster)
    for line in found.log:
        if on_log:
            on_log(line)
    store = ResultStore(out)
    with dask_executor(address, workers, on_log) as executor:
        report = run_batch(
            loaded, found.items, executor, store, regrade=regrade,
            on_start=on_start, on_entry=on_entry,
        )
    _write_outputs(out, store)
    return report


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
    write_outputs(out, store.load_assignment(), entries, store.previous())
    return len(entries)
