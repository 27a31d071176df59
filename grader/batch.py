"""Batch grading: a reference check, then a worker pool that stores each student's entry at once."""

from __future__ import annotations

import shlex
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from grader import __version__
from grader.backends.base import Backend
from grader.errors import BackendError, SubmissionError
from grader.grading import grade
from grader.ingest import Item
from grader.results import BatchEntry, BatchStatus, SubmissionResult
from grader.spec import LoadedAssignment
from grader.store import ResultStore
from grader.submission import Submission, detect_language, load_submission
from grader.validation import reference_solutions

# Measured on this project's 2-core machine (full tcp-echo, models and mutants, 20 per run, load
# average ~13 from other work): verdicts identical at 2, 3 and 4 workers on both backends;
# docker 11.9, 14.1 and 13-15 submissions/min, local 23, 29 and 36. Docker, the default
# backend, is CPU-bound and reaches its plateau at 3; more workers add only timing risk.
DEFAULT_WORKERS = 3
RETRY_DELAYS = (2.0, 8.0)  # seconds before each retry after an infrastructure error

OnEntry = Callable[["Outcome"], None]


@dataclass(frozen=True)
class Outcome:
    """What became of one student in this run: graded now, reused from the store, or neither."""

    entry: BatchEntry
    reused: bool  # the stored result was current: not graded again
    stored: bool  # the entry file was (re)written


@dataclass
class BatchReport:
    """One run's outcomes, in the order they became known."""

    outcomes: list[Outcome] = field(default_factory=list)
    references: list[SubmissionResult] = field(default_factory=list)
    duration: float = 0.0

    @property
    def graded(self) -> int:
        return sum(1 for o in self.outcomes if not o.reused and o.entry.status == "graded")

    @property
    def reused(self) -> int:
        return sum(1 for o in self.outcomes if o.reused)


def is_current(
    entry: BatchEntry | None, sub: Submission, loaded: LoadedAssignment, backend: str
) -> bool:
    """Whether a stored entry graded this very submission, spec and grader on this backend."""
    result = entry.result if entry else None
    return (
        result is not None
        and entry is not None
        and entry.status == "graded"
        and result.submission_hash == sub.content_hash
        and result.spec_hash == loaded.spec_hash
        and result.grader_version == __version__
        and result.backend == backend
    )


def _rerun(loaded: LoadedAssignment, path: Path, backend: str) -> Callable[[str], str]:
    def command(test: str) -> str:
        return shlex.join(
            [
                "grader",
                "check",
                str(loaded.directory),
                str(path),
                "--test",
                test,
                "--backend",
                backend,
            ]
        )

    return command


def check_references(
    loaded: LoadedAssignment, backend: Backend, workers: int
) -> list[SubmissionResult]:
    """Grade the model solutions; raise BackendError unless each gets full marks.

    A model that loses points on this machine means the machine (or the grader) is wrong, and
    grading students then would blame them for it.
    """
    models = [folder for folder, kind, _ in reference_solutions(loaded) if kind == "model"]
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="reference") as pool:
        results = list(
            pool.map(
                lambda folder: grade(
                    loaded,
                    load_submission(folder),
                    backend,
                    rerun_command=_rerun(loaded, folder, backend.name),
                ),
                models,
            )
        )
    for folder, result in zip(models, results, strict=True):
        if not result.full_marks:
            failed = ", ".join(t.name for t in result.tests if t.status != "passed")
            raise BackendError(
                f"reference check: the model solution {folder} scored {result.score:g}/"
                f"{result.max_score:g} on the {backend.name} backend (not passed: {failed}); "
                "no student was graded, since the fault is the machine's or the spec's; tip: "
                f"run `grader validate {loaded.directory} --backend {backend.name}`"
            )
    return results


def _entry(
    item: Item, status: BatchStatus, message: str = "", result: SubmissionResult | None = None
) -> BatchEntry:
    return BatchEntry(
        student=item.student, source=item.source, status=status, message=message, result=result
    )


def _grade_item(
    loaded: LoadedAssignment,
    item: Item,
    sub: Submission,
    backend: Backend,
    delays: tuple[float, ...],
    stop: threading.Event,
) -> BatchEntry:
    """Grade one student: never raises; infrastructure errors are retried, then recorded."""
    problem = ""
    for delay in (0.0, *delays):
        if stop.wait(delay):
            break
        try:
            result = grade(
                loaded, sub, backend, rerun_command=_rerun(loaded, sub.path, backend.name)
            )
            if not result.grader_errors:
                return _entry(item, "graded", result=result)
            failed = result.grader_errors[0]
            more = len(result.grader_errors) - 1
            problem = f"the grader could not run test {failed.name}: {failed.reason}" + (
                f" (and {more} more)" if more else ""
            )
        except SubmissionError as e:
            return _entry(item, "rejected", str(e))
        except BackendError as e:
            problem = str(e)
        except Exception as e:  # noqa: BLE001 - the per-submission boundary: a grader bug
            problem = f"grader error ({type(e).__name__}: {e}); please report it"
    return _entry(item, "infrastructure_error", problem)


def run_batch(
    loaded: LoadedAssignment,
    items: list[Item],
    backend: Backend,
    store: ResultStore,
    *,
    workers: int = DEFAULT_WORKERS,
    regrade: bool = False,
    retry_delays: tuple[float, ...] = RETRY_DELAYS,
    on_start: Callable[[int, int], None] | None = None,
    on_entry: OnEntry | None = None,
) -> BatchReport:
    """Grade every item not graded already, storing each entry the moment it is known.

    on_start gets (to grade, total) once the plan is made; on_entry each outcome. On Ctrl-C
    (KeyboardInterrupt) the submissions not begun are dropped and those under way finish and
    are stored: what is stored stays, and the next run resumes from it.
    """
    started = time.monotonic()
    report = BatchReport()

    def emit(outcome: Outcome) -> None:
        report.outcomes.append(outcome)
        if on_entry:
            on_entry(outcome)

    store.save_assignment(loaded.spec)
    todo: list[tuple[Item, Submission]] = []
    settled: list[Outcome] = []
    for item in items:
        if item.path is None:
            settled.append(
                Outcome(entry=_entry(item, "rejected", item.rejected), reused=False, stored=False)
            )
            continue
        try:
            sub = load_submission(item.path).model_copy(update={"id": item.student.id})
            detect_language(sub, loaded.spec)  # no source file: rejected before any sandbox
        except SubmissionError as e:
            entry = BatchEntry(
                student=item.student, source=item.source, status="rejected", message=str(e)
            )
            settled.append(Outcome(entry=entry, reused=False, stored=False))
            continue
        stored = store.load(item.student.id)
        if (
            not regrade
            and stored
            and stored.result
            and is_current(stored, sub, loaded, backend.name)
        ):
            entry = stored.model_copy(update={"student": item.student, "source": item.source})
            settled.append(Outcome(entry=entry, reused=True, stored=False))
        else:
            todo.append((item, sub))
    if on_start:
        on_start(len(todo), len(items))
    for outcome in settled:
        emit(Outcome(entry=outcome.entry, reused=outcome.reused, stored=store.save(outcome.entry)))
    if todo:
        report.references = check_references(loaded, backend, workers)
    stop = threading.Event()

    def work(item: Item, sub: Submission) -> Outcome:
        entry = _grade_item(loaded, item, sub, backend, retry_delays, stop)
        return Outcome(entry=entry, reused=False, stored=store.save(entry))

    pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="grade")
    try:
        futures: list[Future[Outcome]] = [pool.submit(work, item, sub) for item, sub in todo]
        for future in as_completed(futures):
            emit(future.result())
    finally:
        stop.set()  # no retry waits once interrupted
        pool.shutdown(wait=True, cancel_futures=True)
    store.end_run()
    report.duration = time.monotonic() - started
    return report
