"""The hostile corpus (tests/hostile/): every case ends in its verdict — a grade or a one-line
rejection — on the docker backend; never exit 3, never a traceback, never a host file in any
output, never a control character on the console, nothing left behind.

The programs are graded in a few batches (`grader grade`, 3 workers, in a subprocess): one per
assignment and LMS layout; every assert reads the outputs of those runs.
"""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hostile.harness import (
    CONTROL,
    SECRET_TEXT,
    Case,
    Run,
    cases,
    copy_program,
    derived_spec,
    marked_processes,
    output_files,
    run_grader,
    start_grader,
)
from hostile.makers import MAKERS

from grader.backends.docker import DockerBackend

TRACEBACK = "Traceback (most recent call last)"
BATCHES = {  # batch -> (assignment, cases)
    "echo": ("tcp-echo", [c for c in cases() if c.group in ("echo", "paths")
                          and c.verdict.layout == "plain"]),
    "client": ("tcp-client", cases("client")),
    "canvas": ("tcp-echo", [c for c in cases("paths") if c.verdict.layout == "canvas"]),
    "moodle": ("tcp-echo", [c for c in cases("paths") if c.verdict.layout == "moodle"]),
}
PROGRAMS = [c for _, listed in BATCHES.values() for c in listed]
CHECKS = [c for c in cases("paths") if c.verdict.layout == "check"]
SPECS = cases("specs")


@dataclass
class Workspace:
    root: Path
    secret: Path
    marker: str


@dataclass
class Batch:
    run: Run
    workspace: Path  # the grader's cwd: only its output folder may be left in it
    entries: dict[str, dict[str, Any]]


@pytest.fixture(scope="module")
def space(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    root = tmp_path_factory.mktemp("hostile")
    host = root / "host"
    host.mkdir()
    secret = host / "secret.txt"
    secret.write_text(SECRET_TEXT + "\n")
    (host / "server.py").write_text(f"# {SECRET_TEXT}\n")
    return Workspace(root, secret, secrets.token_hex(8))


def _materialize(case: Case, into: Path, secret: Path) -> None:
    if case.verdict.make is not None:
        MAKERS[case.verdict.make](into, case.name, secret)
    else:
        copy_program(case, into)


@pytest.fixture(scope="module")
def batches(space: Workspace, docker_backend: DockerBackend) -> Iterator[dict[str, Batch]]:
    """Every batch, graded once, all at the same time (3 workers for the big one), for all the
    asserts below."""
    started = {}
    for name, (assignment, listed) in BATCHES.items():
        workspace = space.root / name
        workspace.mkdir()
        spec = derived_spec(space.root / f"{name}-spec", assignment)
        submissions = space.root / f"{name}-submissions"
        submissions.mkdir()
        for case in listed:
            _materialize(case, submissions, space.secret)
        out = workspace / "results"
        workers = "3" if name == "echo" else "2"
        args = ["grade", str(spec), str(submissions), "-o", str(out), "-w", workers, "-q"]
        started[name] = (workspace, start_grader(args, workspace, space.marker, out))
    done: dict[str, Batch] = {}
    for name, (workspace, under_way) in started.items():
        run = under_way.finish()
        entries = run.entries() if (workspace / "results" / "results.json").exists() else {}
        done[name] = Batch(run, workspace, entries)
    yield done


def _batch_of(case: Case, batches: dict[str, Batch]) -> Batch:
    name = next(n for n, (_, listed) in BATCHES.items() if case in listed)
    return batches[name]


def _text(entry: dict[str, Any]) -> str:
    """Every line a student reads about the grade: reasons, diagnostics, crash, build log."""
    result = entry.get("result") or {}
    parts = [entry.get("message", ""), (result.get("build") or {}).get("log", "")]
    crash = result.get("startup_crash")
    if crash:
        parts += [crash["summary"], crash["ended"]]
    for test in result.get("tests", []):
        parts += [test["reason"], *test["diagnostics"]]
    return "\n".join(parts)


@pytest.mark.docker
@pytest.mark.parametrize("case", PROGRAMS, ids=lambda c: f"{c.group}/{c.name}")
def test_each_case_gets_its_verdict(case: Case, batches: dict[str, Batch]) -> None:
    batch = _batch_of(case, batches)
    assert case.student in batch.entries, (sorted(batch.entries), batch.run.console[-3000:])
    entry = batch.entries[case.student]
    verdict = case.verdict
    if verdict.rejected is not None:
        assert entry["status"] == "rejected", _text(entry)
        assert any(r in entry["message"] for r in verdict.rejections()), entry["message"]
        assert "\n" not in entry["message"].strip()
        return
    assert entry["status"] == "graded", entry["message"]
    statuses = {t["name"]: t["status"] for t in entry["result"]["tests"]}
    assert {n: statuses[n] for n in verdict.passed} == dict.fromkeys(verdict.passed, "passed"), (
        _text(entry)
    )
    for name in verdict.failed:
        assert statuses[name] != "passed", (name, _text(entry))
    text = _text(entry)
    for line in verdict.lines:
        assert line in text, (line, text)


@pytest.mark.docker
@pytest.mark.parametrize("name", list(BATCHES))
def test_a_batch_ends_cleanly_and_leaks_nothing(
    name: str, batches: dict[str, Batch], space: Workspace
) -> None:
    batch = batches[name]
    run = batch.run
    assert run.code == 0, run.console[-3000:]
    assert TRACEBACK not in run.console, run.console[-3000:]
    assert not CONTROL.search(run.console), repr(CONTROL.findall(run.console)[:10])
    assert SECRET_TEXT not in run.console
    assert run.out is not None
    for path in output_files(run.out):  # HTML reports, results JSON, Gradescope, JUnit, CSV
        data = path.read_bytes()
        assert SECRET_TEXT.encode() not in data, path
        if path.suffix == ".html":
            assert b"<script>alert(1)" not in data, path
    # nothing left: in its cwd only its output folder, nothing in its TMPDIR, no process
    assert sorted(p.name for p in batch.workspace.iterdir()) == ["results", "tmp"]
    assert list((batch.workspace / "tmp").iterdir()) == []
    assert marked_processes(space.marker) == []


@pytest.mark.docker
def test_no_container_or_network_is_left(
    batches: dict[str, Batch], docker_backend: DockerBackend
) -> None:
    pids = {str(b.run.pid) for b in batches.values()}
    api = docker_backend.engine.api
    found = [*api.containers(all=True, filters={"label": "socket-grader"}),
             *api.networks(filters={"label": "socket-grader"})]
    owners = [(item.get("Labels") or {}).get("socket-grader.owner", "") for item in found]
    assert [o for o in owners if o.split("/")[2:3] and o.split("/")[2] in pids] == []


@pytest.mark.parametrize("case", CHECKS + SPECS, ids=lambda c: f"{c.group}/{c.name}")
def test_hostile_specs_and_single_files_are_refused_in_one_line(
    case: Case, space: Workspace, tmp_path: Path
) -> None:
    """`grader check` with a hostile spec or a linked single file: exit 2, one line per problem,
    no traceback, no leak."""
    if case.group == "specs":
        spec, submission = case.folder, Path("reference/tcp-echo/python").resolve()
        shutil.copytree(spec, tmp_path / "assignments" / case.name,
                        ignore=shutil.ignore_patterns("verdict.yaml"))
        spec = tmp_path / "assignments" / case.name
    else:
        spec = derived_spec(tmp_path / "spec", "tcp-echo")
        folder = tmp_path / "student"
        folder.mkdir()
        assert case.verdict.make is not None
        MAKERS[case.verdict.make](folder, case.name, space.secret)
        submission = next(folder.iterdir())
    workspace = tmp_path / "cwd"
    workspace.mkdir()
    run = run_grader(["check", str(spec), str(submission), "-b", "local"], workspace,
                     space.marker, None)
    assert run.code == 2, run.console
    assert case.verdict.rejected is not None
    lines = [line for line in run.console.splitlines() if line.strip()]
    if case.group == "specs":  # a spec's problems, one line each
        assert lines and all(line.startswith("error: ") for line in lines), run.console
    else:
        assert len(lines) == 1, run.console
    assert any(r in run.console for r in case.verdict.rejections()), run.console
    assert TRACEBACK not in run.console
    assert SECRET_TEXT not in run.console
    assert not CONTROL.search(run.console), repr(run.console)
