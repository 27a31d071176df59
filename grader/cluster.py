"""Batch grading on a Dask distributed cluster: each worker grades on its own Docker engine.

The coordinator (the `grader grade --cluster` process) keeps the store and writes each entry the
moment it arrives, exactly as a local batch does; the workers receive the assignment once (its
folder and model solutions, as bytes) and each submission's files, and send back entries. A
worker is given work only after it has shown, on its own engine and image, that the model
solutions get full marks; one that cannot is refused with the reason and gets nothing.
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grader import __version__
from grader.backends.base import Backend
from grader.batch import (
    RETRY_DELAYS,
    Finish,
    Job,
    Outcomes,
    check_references,
    grade_item,
)
from grader.errors import BackendError, GraderError
from grader.ingest import Item
from grader.results import BatchEntry, SubmissionResult
from grader.spec import LoadedAssignment, load_assignment
from grader.submission import Submission
from grader.untrusted import read_file

if TYPE_CHECKING:
    from distributed import Client

Files = dict[str, bytes]  # relative path -> content
QUALIFY_TIMEOUT = 900.0  # seconds a worker may take for the reference check
CONNECT_TIMEOUT = "10s"


def _folder_files(folder: Path, prefix: str, *, skip: tuple[str, ...] = ()) -> Files:
    return {
        f"{prefix}/{path.relative_to(folder).as_posix()}": path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.relative_to(folder).parts[0] not in skip
    }


def assignment_files(loaded: LoadedAssignment) -> Files:
    """The assignment's folder and its model solutions (not the mutants), as the layout that
    load_assignment and the reference check read: assignments/NAME/, reference/ID/."""
    files = _folder_files(loaded.directory, f"assignments/{loaded.directory.name}")
    if loaded.reference_dir.is_dir():
        files |= _folder_files(
            loaded.reference_dir, f"reference/{loaded.spec.id}", skip=("mutants",)
        )
    return files


def _write(root: Path, files: Files) -> None:
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


# --- On a worker: one backend, the assignments received, and the sandboxes allowed at once ----
class _WorkerState:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.backend: Backend | None = None
        self.slots: threading.BoundedSemaphore | None = None
        self.assignments: dict[str, LoadedAssignment] = {}
        self.folder = Path(tempfile.mkdtemp(prefix="socket-grader-cluster-"))


_STATE = _WorkerState()


def _assignment(files: Files, spec_hash: str) -> LoadedAssignment:
    with _STATE.lock:
        if spec_hash not in _STATE.assignments:
            root = _STATE.folder / spec_hash[:16]
            _write(root, files)
            name = next(rel.split("/")[1] for rel in files if rel.startswith("assignments/"))
            _STATE.assignments[spec_hash] = load_assignment(root / "assignments" / name)
        return _STATE.assignments[spec_hash]


def qualify_worker(
    files: Files, spec_hash: str, sandboxes: int, version: str
) -> tuple[bool, str, list[SubmissionResult]]:
    """On a worker: can it grade, and do the model solutions get full marks there?"""
    if version != __version__:
        return False, f"it runs grader {__version__}, the coordinator {version}", []
    try:
        from grader.backends.docker import DockerBackend  # noqa: PLC0415 - the worker's engine

        backend = _STATE.backend or DockerBackend()
        loaded = _assignment(files, spec_hash)
        results = check_references(loaded, backend, sandboxes)
    except GraderError as e:
        return False, str(e), []
    with _STATE.lock:
        _STATE.backend = backend
        _STATE.slots = threading.BoundedSemaphore(sandboxes)
    return True, "", results


def grade_on_worker(
    files: Files,
    spec_hash: str,
    item: Item,
    sub: Submission,
    content: Files,
    delays: tuple[float, ...],
) -> BatchEntry:
    """On a worker that qualified: grade one submission from its files."""
    backend, slots = _STATE.backend, _STATE.slots
    if backend is None or slots is None:  # a restarted process: it never ran the check
        raise BackendError("this Dask worker process has not passed the reference check")
    loaded = _assignment(files, spec_hash)
    with slots, tempfile.TemporaryDirectory(prefix="submission-", dir=_STATE.folder) as tmp:
        _write(Path(tmp), content)
        here = sub.model_copy(update={"path": Path(tmp)})
        return grade_item(loaded, item, here, backend, delays, threading.Event())


# --- On the coordinator ------------------------------------------------------------------------
class DaskExecutor:
    """Gradings on the workers of a Dask scheduler, `sandboxes` at once on each worker."""

    backend_name = "docker"

    def __init__(
        self,
        address: str,
        sandboxes: int,
        *,
        retry_delays: tuple[float, ...] = RETRY_DELAYS,
        on_log: Callable[[str], None] | None = None,
    ) -> None:
        try:
            from distributed import Client  # noqa: PLC0415 - an optional extra
        except ImportError as e:
            raise GraderError(
                "grading on a cluster needs Dask; tip: pip install 'socket-grader[cluster]'"
            ) from e
        try:
            self.client: Client = Client(address, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError, ValueError) as e:
            raise BackendError(f"no Dask scheduler answered at {address}: {e}") from e
        self.address = address
        self.sandboxes = sandboxes
        self.retry_delays = retry_delays
        self.on_log = on_log or (lambda line: None)
        self.qualified: list[str] = []
        self._files: Any = None  # the assignment, scattered to every worker once

    def close(self) -> None:
        self.client.close()

    def check_references(self, loaded: LoadedAssignment) -> list[SubmissionResult]:
        workers = sorted(self.client.scheduler_info()["workers"])
        if not workers:
            raise BackendError(f"no Dask worker is connected to the scheduler at {self.address}")
        self._files = self.client.scatter(assignment_files(loaded), broadcast=True)
        checks = {
            address: self.client.submit(
                qualify_worker,
                self._files,
                loaded.spec_hash,
                self.sandboxes,
                __version__,
                workers=[address],
                allow_other_workers=False,
                pure=False,
            )
            for address in workers
        }
        references: list[SubmissionResult] = []
        refusals: list[str] = []
        for address, check in checks.items():
            try:
                ok, why, results = check.result(timeout=QUALIFY_TIMEOUT)
            except Exception as e:  # noqa: BLE001 - whatever a worker raised: it gets no work
                ok, why, results = False, f"{type(e).__name__}: {e}", []
            if ok:
                self.qualified.append(address)
                references = references or results
            else:
                refusals.append(f"Dask worker {address} gets no work: {why}")
        for line in refusals:
            self.on_log(line)
        if not self.qualified:
            raise BackendError(
                f"no Dask worker of {self.address} can grade: "
                + "; ".join(line.split(": ", 1)[1] for line in refusals)
            )
        self.on_log(
            f"grading on {len(self.qualified)} Dask worker(s), {self.sandboxes} sandboxes each"
        )
        return references

    def run(self, loaded: LoadedAssignment, jobs: list[Job], finish: Finish) -> Outcomes:
        from distributed import as_completed  # noqa: PLC0415 - an optional extra

        futures = {
            self.client.submit(
                grade_on_worker,
                self._files,
                loaded.spec_hash,
                item,
                sub,
                {rel: read_file(sub.root / rel)[0] for rel in sub.files},
                self.retry_delays,
                workers=self.qualified,
                allow_other_workers=False,
                pure=False,
            ): item
            for item, sub in jobs
        }
        try:
            for future in as_completed(futures):
                yield finish(futures[future], _entry_of(future, futures[future]))
        finally:
            for future in futures:
                future.cancel()


def _entry_of(future: Any, item: Item) -> BatchEntry:
    """The worker's entry, or an infrastructure error when no worker could produce it (one
    killed its worker each time it was tried, or the cluster lost it)."""
    from distributed import KilledWorker  # noqa: PLC0415 - an optional extra

    try:
        entry: BatchEntry = future.result()
    except KilledWorker:
        message = (
            "every Dask worker that graded this submission died (it is retried on another "
            "worker a few times); not a verdict on the student"
        )
    except Exception as e:  # noqa: BLE001 - a worker's failure is never a student's grade
        message = f"the Dask worker failed: {type(e).__name__}: {e}"
    else:
        return entry
    return BatchEntry(
        student=item.student, source=item.source, status="infrastructure_error", message=message
    )


@contextmanager
def dask_executor(
    address: str, sandboxes: int, on_log: Callable[[str], None] | None = None
) -> Iterator[DaskExecutor]:
    executor = DaskExecutor(address, sandboxes, on_log=on_log)
    try:
        yield executor
    finally:
        executor.close()
