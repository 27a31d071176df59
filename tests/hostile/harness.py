"""The hostile corpus: its cases and verdicts, the specs they are graded with, a grader run.

A case is a folder with a verdict.yaml: echo/ (tcp-echo servers), client/ (tcp-client
clients), paths/ (made by makers.py: links, archives, odd names, LMS layouts) and specs/
(hostile assignment.yaml files). The programs are graded in batches (`grader grade` on a folder
of many, in a subprocess, as an instructor runs it) so that every output can be inspected.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
GROUPS = ("echo", "client", "paths", "specs")
# The tests graded: two per assignment, the basic one and one more, with short waits (a hostile
# program often never answers); memory, process, disk and output limits are the spec's own.
TESTS = {"tcp-echo": ["echo-one", "second-client"], "tcp-client": ["request-line", "basic"]}
WAITS = {"connect_timeout": 3, "step_timeout": 3, "test_timeout": 15}
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # no escape sequence may reach a console
SECRET_TEXT = "host-secret-7c1d9e: this line is on the grading machine only"


class Verdict(BaseModel):
    """A case's expected outcome: a grade (which tests pass or fail, lines that must appear)
    or a rejection (a part of its one line)."""

    model_config = ConfigDict(extra="forbid")

    hostile: str  # the class: fork, memory, daemonizer, escape, link, archive, spec ...
    why: str
    layout: Literal["plain", "canvas", "moodle", "check"] = "plain"
    make: str | None = None  # a maker of makers.py, for paths/ cases
    student: str | None = None  # the student id, when it is not the case's name
    passed: list[str] = []
    failed: list[str] = []
    lines: list[str] = []
    rejected: str | list[str] | None = None  # a list: any of them (main and a branch differ)

    def rejections(self) -> list[str]:
        return [self.rejected] if isinstance(self.rejected, str) else self.rejected or []


@dataclass(frozen=True)
class Case:
    group: str
    name: str
    folder: Path
    verdict: Verdict

    @property
    def student(self) -> str:
        return self.verdict.student or self.name


def cases(group: str | None = None) -> list[Case]:
    found = []
    for name in GROUPS if group is None else (group,):
        for verdict in sorted((HERE / name).glob("*/verdict.yaml")):
            data = yaml.safe_load(verdict.read_text())
            found.append(Case(name, verdict.parent.name, verdict.parent, Verdict(**data)))
    return found


def derived_spec(root: Path, assignment: str) -> Path:
    """The repository's assignment with only TESTS[assignment] and short waits, under root,
    with its Python model (which a batch grades first: full marks, or nobody is graded)."""
    data = yaml.safe_load((ROOT / "assignments" / assignment / "assignment.yaml").read_text())
    data["tests"] = [t for t in data["tests"] if t["name"] in TESTS[assignment]]
    data["limits"] = {**data.get("limits", {}), **WAITS}
    folder = root / "assignments" / assignment
    folder.mkdir(parents=True)
    (folder / "assignment.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    model = ROOT / "reference" / assignment / "python"
    shutil.copytree(model, root / "reference" / assignment / "python")
    return folder


def copy_program(case: Case, into: Path) -> None:
    """A program case's files (not its verdict) as one student's folder."""
    target = into / case.name
    shutil.copytree(case.folder, target, ignore=shutil.ignore_patterns("verdict.yaml"))


@dataclass
class Run:
    """One grader command: its console, exit code, time, and what it left."""

    argv: list[str]
    code: int
    console: str
    seconds: float
    pid: int
    out: Path | None

    def entries(self) -> dict[str, dict[str, Any]]:
        assert self.out is not None
        results = json.loads((self.out / "results.json").read_text())
        return {e["student"]["id"]: e for e in results["entries"]}


def grader_env(workspace: Path, marker: str) -> dict[str, str]:
    """The grader's environment: this tree first, a TMPDIR of its own (to see what it leaves
    there) and a marker every process it starts on this machine inherits."""
    tmp = workspace / "tmp"
    tmp.mkdir(exist_ok=True)
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", str(workspace)),
        "PYTHONPATH": str(ROOT),
        "TMPDIR": str(tmp),
        "COLUMNS": "100",
        "HOSTILE_MARKER": marker,
        **{k: v for k, v in os.environ.items() if k.startswith("DOCKER_")},
    }


@dataclass
class Started:
    """A grader command under way."""

    argv: list[str]
    proc: subprocess.Popen[bytes]
    started: float
    out: Path | None

    def finish(self) -> Run:
        console, _ = self.proc.communicate(timeout=900)
        seconds = time.monotonic() - self.started
        text = console.decode(errors="replace")
        return Run(self.argv, self.proc.returncode, text, seconds, self.proc.pid, self.out)


def start_grader(args: list[str], workspace: Path, marker: str, out: Path | None) -> Started:
    argv = [sys.executable, "-c", "from grader.cli import app; app()", *args]
    proc = subprocess.Popen(
        argv,
        cwd=workspace,
        env=grader_env(workspace, marker),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    return Started(argv, proc, time.monotonic(), out)


def run_grader(args: list[str], workspace: Path, marker: str, out: Path | None) -> Run:
    return start_grader(args, workspace, marker, out).finish()


def marked_processes(marker: str) -> list[int]:
    """Processes on this machine that carry the marker: anything a grader run left running."""
    needle = f"HOSTILE_MARKER={marker}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if needle in (entry / "environ").read_bytes().split(b"\0"):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def output_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()]
