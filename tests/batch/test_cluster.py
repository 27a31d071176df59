"""A batch on a real Dask cluster: a scheduler and workers on this machine, each worker grading
on the local Docker engine; a worker and the coordinator killed mid-run lose nothing."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from batchgen import REFERENCE, trimmed_echo

from grader import api
from grader.backends.base import Backend
from grader.backends.docker import Engine
from grader.backends.docker_labels import LABEL, LABEL_OWNER, owner_gone
from grader.batch import BatchReport, Outcome, run_batch
from grader.ingest import ingest
from grader.spec import load_assignment
from grader.store import ResultStore

pytest.importorskip("distributed")

TESTS = ("echo-one", "half-close")  # enough to tell the models from the mutants apart
MUTANTS = ("exits-after-first-client", "single-recv", "appends-newline", "no-reuseaddr")
STUDENTS = 40


def _spec(root: Path) -> Path:
    folder = trimmed_echo(root)
    spec = yaml.safe_load((folder / "assignment.yaml").read_text())
    spec["tests"] = [t for t in spec["tests"] if t["name"] in TESTS]
    (folder / "assignment.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    return folder


def _class(folder: Path) -> None:
    for n in range(STUDENTS):
        source = REFERENCE / "mutants" / MUTANTS[n % 4] if n % 4 == 3 else REFERENCE / "python"
        if n % 8 == 7:
            source = REFERENCE / "mutants" / MUTANTS[(n // 8) % len(MUTANTS)]
        shutil.copytree(
            source, folder / f"student-{n:02d}", ignore=shutil.ignore_patterns("mutant.yaml")
        )


class Cluster:
    """`dask scheduler` and `dask worker` processes, stopped by their process ids."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.file = folder / "scheduler.json"
        self.procs: dict[str, subprocess.Popen[bytes]] = {}

    def _start(self, name: str, argv: list[str], env: dict[str, str] | None = None) -> None:
        log = (self.folder / f"{name}.log").open("wb")
        self.procs[name] = subprocess.Popen(
            [sys.executable, "-m", "dask", *argv],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
        )

    def scheduler(self) -> str:
        self._start(
            "scheduler",
            ["scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
             "--scheduler-file", str(self.file)],
        )
        for _ in range(300):
            if self.file.exists() and self.file.stat().st_size:
                return str(json.loads(self.file.read_text())["address"])
            time.sleep(0.1)
        raise AssertionError("the scheduler did not start: " + self.log("scheduler"))

    def worker(self, name: str, env: dict[str, str] | None = None) -> None:
        self._start(
            name,
            ["worker", "--scheduler-file", str(self.file), "--name", name, "--nthreads", "2",
             "--no-nanny", "--no-dashboard", "--host", "127.0.0.1"],
            env,
        )

    def wait_for_workers(self, address: str, count: int) -> dict[str, str]:
        """{worker name: address} once count workers are connected."""
        from distributed import Client  # noqa: PLC0415

        with Client(address, timeout="20s") as client:
            client.wait_for_workers(count, timeout=60)
            return {w["name"]: a for a, w in client.scheduler_info()["workers"].items()}

    def kill(self, name: str) -> None:
        self.procs[name].send_signal(signal.SIGKILL)
        self.procs[name].wait(10)

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text(errors="replace")[-3000:]

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                proc.wait(10)


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    running = Cluster(tmp_path)
    try:
        yield running
    finally:
        running.stop()
        Engine.connect().sweep(everything=False)  # what the killed worker left


def _entries(out: Path) -> int:
    folder = ResultStore(out).entries_dir
    return len(list(folder.glob("*.json"))) if folder.is_dir() else 0


def _wait_for_entries(out: Path, count: int, timeout: float) -> None:
    until = time.monotonic() + timeout
    while _entries(out) < count:
        assert time.monotonic() < until, f"fewer than {count} entries after {timeout} s"
        time.sleep(0.1)


@pytest.mark.docker
@pytest.mark.slow
def test_a_cluster_batch_survives_a_killed_worker_and_coordinator_and_equals_one_machine(
    tmp_path: Path, cluster: Cluster, docker_backend: Backend
) -> None:
    assignment = _spec(tmp_path / "spec")
    _class(tmp_path / "in")
    address = cluster.scheduler()
    cluster.worker("good-1")
    cluster.worker("good-2")
    cluster.worker("no-engine", {"DOCKER_HOST": f"unix://{tmp_path}/no-docker.sock"})
    names = cluster.wait_for_workers(address, 3)
    out = tmp_path / "out"

    # 1. The coordinator is killed (SIGKILL) after a few entries: what it stored stays.
    coordinator = subprocess.Popen(
        [sys.executable, "-m", "grader.cli", "grade", str(assignment), str(tmp_path / "in"),
         "--out", str(out), "--cluster", address, "--workers", "2", "--quiet"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_entries(out, 4, timeout=240)
    finally:
        coordinator.send_signal(signal.SIGKILL)
        coordinator.wait(10)
    kept = _entries(out)
    assert 4 <= kept < STUDENTS

    # 2. Run again (it resumes), and kill a worker mid-run: its submissions go elsewhere.
    log: list[str] = []
    outcomes: list[Outcome] = []
    done: list[BatchReport] = []
    run = threading.Thread(
        target=lambda: done.append(
            api.grade_batch(
                assignment, tmp_path / "in", out, cluster=address, workers=2,
                on_log=log.append, on_entry=outcomes.append,
            )
        )
    )
    run.start()
    until = time.monotonic() + 240
    while len([o for o in outcomes if not o.reused]) < 3 and run.is_alive():
        assert time.monotonic() < until
        time.sleep(0.05)
    cluster.kill("good-1")
    run.join(600)
    assert done, "the batch did not end"
    report = done[0]

    refused = [line for line in log if names["no-engine"] in line]
    assert len(refused) == 1 and "gets no work: no Docker engine answers" in refused[0], log
    ids = [o.entry.student.id for o in report.outcomes]
    assert sorted(ids) == sorted(f"student-{n:02d}" for n in range(STUDENTS)), "once each"
    assert report.reused >= kept
    assert {o.entry.status for o in report.outcomes} == {"graded"}, [
        (o.entry.student.id, o.entry.message) for o in report.outcomes if o.entry.status != "graded"
    ]
    assert cluster.procs["good-2"].poll() is None

    # 3. The same class on one machine: the same gradebook.
    alone = tmp_path / "alone"
    loaded = load_assignment(assignment)
    items = ingest(tmp_path / "in", alone / "submissions").items
    run_batch(loaded, items, docker_backend, ResultStore(alone), workers=3)
    api.rerender(alone)
    assert (out / "gradebook.csv").read_text() == (alone / "gradebook.csv").read_text()

    # nothing of the killed worker is left once a grader sweeps
    engine = Engine.connect()
    engine.sweep(everything=False)
    left = engine.api.containers(all=True, filters={"label": LABEL})
    assert not [c for c in left if owner_gone(c["Labels"].get(LABEL_OWNER, ""))]
