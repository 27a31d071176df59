"""A server that daemonizes (fork + exit, double fork + setsid) gets the same verdict in every run
on both backends, and nothing of it is left running: the program is its whole process tree.

DAEMON_RUNS (default 3) sets how many runs are compared; the report's measurement used 10.
"""

from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path

import pytest
import yaml

from grader.backends.base import Backend
from grader.backends.local import LocalBackend
from grader.backends.process_tree import DAEMONIZED
from grader.grading import grade
from grader.spec import load_assignment
from grader.submission import load_submission

ROOT = Path(__file__).resolve().parent.parent.parent
CASES = ROOT / "tests" / "hostile" / "echo"
DAEMONS = ["daemon-fork-exit", "daemon-double-fork"]
TESTS = ["echo-one", "restart-reuseaddr"]  # a restart stops the daemon and starts it again
RUNS = int(os.environ.get("DAEMON_RUNS", "3"))


def _spec(root: Path, marker: str) -> Path:
    """tcp-echo with TESTS only; the program's command line carries a marker to look for."""
    data = yaml.safe_load((ROOT / "assignments" / "tcp-echo" / "assignment.yaml").read_text())
    data["tests"] = [t for t in data["tests"] if t["name"] in TESTS]
    run = f"python3 server.py {{port}} {marker}"
    data["languages"] = {"python": {"entry": "server.py", "run": run}}
    folder = root / "assignments" / "tcp-echo"
    folder.mkdir(parents=True)
    (folder / "assignment.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    return folder


def _running_with(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and marker.encode() in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def _verdicts(backend: Backend, tmp_path: Path, case: str) -> list[tuple[object, ...]]:
    marker = f"daemon-{secrets.token_hex(6)}"
    loaded = load_assignment(_spec(tmp_path / case, marker))
    student = tmp_path / case / "student"
    shutil.copytree(CASES / case, student, ignore=shutil.ignore_patterns("verdict.yaml"))
    seen = []
    for _ in range(RUNS):
        result = grade(loaded, load_submission(student), backend, rerun_command=str)
        seen.append(tuple((t.name, t.status, DAEMONIZED in t.diagnostics) for t in result.tests))
        if backend.name == "local":  # docker: the container goes with everything in it
            assert _running_with(marker) == [], f"{case} left a process behind"
    return seen


@pytest.mark.parametrize("case", DAEMONS)
def test_a_daemon_gets_one_verdict_and_is_stopped_on_the_local_backend(
    case: str, tmp_path: Path
) -> None:
    seen = _verdicts(LocalBackend(), tmp_path, case)
    assert set(seen) == {tuple((name, "passed", True) for name in TESTS)}, seen


@pytest.mark.docker
@pytest.mark.parametrize("case", DAEMONS)
def test_a_daemon_gets_one_verdict_on_the_docker_backend(
    case: str, tmp_path: Path, docker_backend: Backend
) -> None:
    seen = _verdicts(docker_backend, tmp_path, case)
    assert set(seen) == {tuple((name, "passed", True) for name in TESTS)}, seen
