"""Batch grading end to end: every layout, both backends, equal to grading alone, and resumable."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from batchgen import make_batch

from grader.backends.base import Backend
from grader.backends.local import LocalBackend
from grader.batch import BatchReport, run_batch
from grader.errors import BackendError
from grader.grading import grade
from grader.ingest import ingest
from grader.spec import load_assignment
from grader.store import ResultStore
from grader.submission import load_submission

ALONE = ("py-model-0", "single-recv-0", "iterative-1", "crasher", "1002", "zipped", "build-fails")


def _batch(assignment: Path, batch: Path, out: Path, backend: Backend, **kw: object) -> BatchReport:
    loaded = load_assignment(assignment)
    items = ingest(batch, out / "submissions").items
    return run_batch(loaded, items, backend, ResultStore(out), workers=2, **kw)  # type: ignore[arg-type]


def _check_mixed_batch(assignment: Path, tmp_path: Path, backend: Backend) -> None:
    """The checks both backends share: a result for everyone, equal to grading alone."""
    from grader.report.outputs import write_outputs  # noqa: PLC0415

    expected = make_batch(tmp_path / "in", copies=2)
    assert len(expected) >= 40
    out = tmp_path / "out"
    report = _batch(assignment, tmp_path / "in", out, backend)
    store = ResultStore(out)
    entries = {e.student.id: e for e in store.entries()}
    assert sorted(entries) == sorted(expected), "every submission has a stored entry"
    assert [r.full_marks for r in report.references] == [True, True]
    for student, kind in expected.items():
        entry = entries[student]
        if kind == "rejected":
            assert entry.status == "rejected", (student, entry)
            assert entry.message and "\n" not in entry.message, (student, entry.message)
            continue
        assert entry.status == "graded", (student, entry.message)
        assert entry.result is not None
        if kind == "model":
            assert entry.result.full_marks, (student, [t.reason for t in entry.result.tests])
        if kind == "zero":
            assert entry.result.score == 0, student
    assert entries["traversal"].message == (
        "traversal.zip: member '../escape.py' leads out of the archive ('..'); rejected "
        "(path traversal)"
    )
    assert entries["linked"].message.startswith("linked.tar.gz: member 'passwd' is a link")
    assert not list(tmp_path.rglob("escape.py")), "the traversal member was never written"
    # grading a few alone gives the same verdicts
    loaded = load_assignment(assignment)
    paths = {i.student.id: i.path for i in ingest(tmp_path / "in", tmp_path / "alone").items}
    for student in ALONE:
        entry, path = entries[student], paths[student]
        assert entry.result is not None and path is not None
        alone = grade(loaded, load_submission(path), backend, rerun_command=lambda t: t)
        assert [(t.name, t.status) for t in alone.tests] == [
            (t.name, t.status) for t in entry.result.tests
        ], student
        assert alone.score == entry.result.score, student
    # the outputs agree with the entries
    write_outputs(out, store.load_assignment(), list(entries.values()), store.previous())
    with (out / "gradebook.csv").open() as f:
        rows = {row["id"]: row for row in csv.DictReader(f)}
    for student, entry in entries.items():
        score = entry.result.score if entry.result else 0
        assert float(rows[student]["score"] or 0) == score, (student, rows[student])
    for student, entry in entries.items():
        if entry.status == "graded":
            assert list((out / "reports").glob(f"{student}*.html")), student
    assert (out / "summary.html").is_file()


@pytest.mark.slow
def test_a_mixed_batch_on_the_local_backend(echo_trimmed: Path, tmp_path: Path) -> None:
    _check_mixed_batch(echo_trimmed, tmp_path, LocalBackend())


@pytest.mark.slow
@pytest.mark.docker
def test_a_mixed_batch_on_the_docker_backend(
    echo_trimmed: Path, tmp_path: Path, docker_backend: Backend
) -> None:
    _check_mixed_batch(echo_trimmed, tmp_path, docker_backend)


class Unreachable(LocalBackend):
    """A backend whose engine goes down after the reference check: students' sandboxes fail."""

    def __init__(self, *, reference_too: bool = False) -> None:
        self.opened = 0
        self.reference_too = reference_too

    @contextmanager
    def open(self, loaded: Any, submission: Any, plan: Any) -> Iterator[Any]:
        if "reference" in submission.path.parts and not self.reference_too:
            with super().open(loaded, submission, plan) as sandbox:
                yield sandbox
            return
        self.opened += 1
        raise BackendError("docker: could not create the network: connection refused")


def _two_models(folder: Path) -> Path:
    import shutil  # noqa: PLC0415

    from batchgen import REFERENCE  # noqa: PLC0415

    for name in ("alice", "bob"):
        shutil.copytree(REFERENCE / "python", folder / name)
    return folder


def test_an_infrastructure_error_is_retried_recorded_and_never_replaces_a_result(
    echo_trimmed: Path, tmp_path: Path
) -> None:
    batch = _two_models(tmp_path / "in")
    out = tmp_path / "out"
    loaded = load_assignment(echo_trimmed)
    store = ResultStore(out)
    items = ingest(batch, out / "submissions").items
    run_batch(loaded, items[:1], LocalBackend(), store)  # alice graded
    good = store.load("alice")
    assert good is not None and good.status == "graded"
    down = Unreachable(reference_too=True)
    with pytest.raises(BackendError, match="connection refused"):
        run_batch(loaded, items, down, store, regrade=True, retry_delays=(0.0,))
    assert down.opened >= 1, "the reference check ran before any student"
    assert store.load("alice") == good and store.load("bob") is None


def test_infrastructure_errors_are_marked_apart_after_retries(
    echo_trimmed: Path, tmp_path: Path
) -> None:
    batch = _two_models(tmp_path / "in")
    out = tmp_path / "out"
    loaded = load_assignment(echo_trimmed)
    store = ResultStore(out)
    items = ingest(batch, out / "submissions").items
    run_batch(loaded, items[:1], LocalBackend(), store)
    good = store.load("alice")
    down = Unreachable()
    report = run_batch(loaded, items, down, store, regrade=True, retry_delays=(0.0, 0.0))
    assert down.opened == 6, "each student: one try and two retries"
    statuses = {o.entry.student.id: (o.entry.status, o.stored) for o in report.outcomes}
    assert statuses == {
        "alice": ("infrastructure_error", False),
        "bob": ("infrastructure_error", True),
    }
    assert store.load("alice") == good, "the good result stays"
    bob = store.load("bob")
    assert bob is not None and "connection refused" in bob.message


def test_a_reference_that_loses_points_stops_the_batch_with_exit_3(
    tmp_path: Path, echo_trimmed: Path
) -> None:
    import shutil  # noqa: PLC0415

    from batchgen import REFERENCE  # noqa: PLC0415
    from typer.testing import CliRunner  # noqa: PLC0415

    from grader.cli import app  # noqa: PLC0415

    root = tmp_path / "course"
    shutil.copytree(echo_trimmed.parent.parent, root)
    shutil.rmtree(root / "reference" / "tcp-echo" / "python")
    shutil.copytree(
        REFERENCE / "mutants" / "single-recv", root / "reference" / "tcp-echo" / "python"
    )
    batch = _two_models(tmp_path / "in")
    result = CliRunner().invoke(
        app,
        [
            "grade",
            str(root / "assignments" / "tcp-echo"),
            str(batch),
            "--out",
            str(tmp_path / "out"),
            "--backend",
            "local",
            "--trust-local",
            "--quiet",
        ],
    )
    assert result.exit_code == 3, result.output
    assert "reference check: the model solution" in result.output
    assert "not passed: echo-one, echo-many" in result.output
    assert not list((tmp_path / "out" / "entries").glob("*.json")), "no student was graded"


def test_the_local_backend_needs_the_trust_flag(tmp_path: Path, echo_trimmed: Path) -> None:
    from typer.testing import CliRunner  # noqa: PLC0415

    from grader.cli import app  # noqa: PLC0415

    batch = _two_models(tmp_path / "in")
    result = CliRunner().invoke(
        app, ["grade", str(echo_trimmed), str(batch), "--out", str(tmp_path / "o"), "-b", "local"]
    )
    assert result.exit_code == 2, result.output
    assert "without isolation" in result.output and "--trust-local" in result.output


def test_rerunning_resumes_and_report_rerenders_without_grading(
    echo_trimmed: Path, tmp_path: Path
) -> None:
    from typer.testing import CliRunner  # noqa: PLC0415

    from grader.cli import app  # noqa: PLC0415

    batch = _two_models(tmp_path / "in")
    (batch / "empty").mkdir()
    out = tmp_path / "out"
    command = [
        "grade",
        str(echo_trimmed),
        str(batch),
        "--out",
        str(out),
        "-b",
        "local",
        "--trust-local",
        "--quiet",
    ]
    first = CliRunner().invoke(app, command)
    assert first.exit_code == 0, first.output
    assert "3 students, 2 to grade" in first.output
    stamps = {p.name: p.stat().st_mtime_ns for p in (out / "entries").iterdir()}
    again = CliRunner().invoke(app, command)
    assert again.exit_code == 0, again.output
    assert "3 students, 0 to grade" in again.output
    assert {p.name: p.stat().st_mtime_ns for p in (out / "entries").iterdir()} == stamps
    assert not (out / "previous").exists(), "nothing changed: no previous run to compare with"
    (out / "summary.html").unlink()
    rendered = CliRunner().invoke(app, ["report", str(out)])
    assert rendered.exit_code == 0, rendered.output
    assert (out / "summary.html").is_file()
    assert {p.name: p.stat().st_mtime_ns for p in (out / "entries").iterdir()} == stamps
    regraded = CliRunner().invoke(app, [*command, "--regrade"])
    assert "3 students, 2 to grade" in regraded.output, regraded.output
    previous = ResultStore(out).previous()
    assert previous is not None and sorted(e.student.id for e in previous) == [
        "alice",
        "bob",
        "empty",
    ]


@pytest.mark.slow
@pytest.mark.docker
def test_a_sigkilled_batch_resumes_and_regrades_nothing_done(
    echo_trimmed: Path, tmp_path: Path, docker_backend: Backend
) -> None:
    import os  # noqa: PLC0415
    import shutil  # noqa: PLC0415
    import signal  # noqa: PLC0415
    import subprocess  # noqa: PLC0415
    import sys  # noqa: PLC0415
    import time  # noqa: PLC0415

    from batchgen import REFERENCE  # noqa: PLC0415

    batch = tmp_path / "in"
    for n in range(6):
        shutil.copytree(REFERENCE / "python", batch / f"py-{n}")
    for n in range(2):
        shutil.copytree(REFERENCE / "mutants" / "iterative", batch / f"iterative-{n}")
    out = tmp_path / "out"
    argv = [sys.executable, "-m", "grader.cli", "grade", str(echo_trimmed), str(batch)]
    argv += ["--out", str(out), "--workers", "2", "--quiet"]
    killed = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 300
    while len(list((out / "entries").glob("*.json"))) < 2:
        assert killed.poll() is None, killed.communicate()[0]
        assert time.monotonic() < deadline, "no entries written in 300 s"
        time.sleep(0.1)
    os.kill(killed.pid, signal.SIGKILL)
    killed.wait()
    done = {p.name: p.stat().st_mtime_ns for p in (out / "entries").glob("*.json")}
    assert 2 <= len(done) < 8, "killed mid-run"
    resumed = subprocess.run(argv, capture_output=True, text=True, timeout=600, check=False)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert f"8 students, {8 - len(done)} to grade" in resumed.stdout, resumed.stdout
    after = {p.name: p.stat().st_mtime_ns for p in (out / "entries").glob("*.json")}
    assert {k: after[k] for k in done} == done, "nothing already done was graded again"
    # what an uninterrupted run gives (`grader validate` proves it): models full marks, the
    # iterative server fails exactly concurrent-10
    failed = {
        e.student.id: [t.name for t in e.result.tests if t.status != "passed"]
        for e in ResultStore(out).entries()
        if e.result
    }
    assert failed == {
        **{f"py-{n}": [] for n in range(6)},
        **{f"iterative-{n}": ["concurrent-10"] for n in range(2)},
    }
    # and so the outputs an uninterrupted run writes: the gradebook from the same verdicts
    spec = load_assignment(echo_trimmed).spec
    lost = spec.test("concurrent-10").points
    with (out / "gradebook.csv").open() as f:
        scores = {row["id"]: float(row["score"]) for row in csv.DictReader(f)}
    assert scores == {
        **{f"py-{n}": spec.max_score for n in range(6)},
        **{f"iterative-{n}": spec.max_score - lost for n in range(2)},
    }
