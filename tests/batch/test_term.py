"""The README's term, command by command: each line of its block run as written, in order."""

from __future__ import annotations

import csv
import os
import re
import shlex
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from batchgen import REFERENCE, ROOT
from test_regrade_one import canvas_file
from typer.testing import CliRunner

from grader.cli import app
from grader.store import ResultStore

README = ROOT / "README.md"
SECTION = "**A term, command by command**"


def _blocks() -> tuple[str, list[str]]:
    """The course file and the commands of the README's term section."""
    text = README.read_text()
    section = text[text.index(SECTION) :]
    course = re.search(r"```yaml\n(.*?)```", section, re.S)
    commands = re.search(r"```sh\n(.*?)```", section, re.S)
    assert course and commands, "the README's term section has its course file and commands"
    lines = [line for line in commands[1].splitlines() if line.startswith("grader ")]
    return course[1], lines


def _stamp(path: Path, when: datetime) -> None:
    os.utime(path, (when.timestamp(), when.timestamp()))


@pytest.mark.slow
def test_the_readme_term_runs_as_written(
    echo_two: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    course, commands = _blocks()
    assert [shlex.split(c)[1] for c in commands] == ["grade", "grade", "grade", "report", "grade"]
    # the course: the trimmed spec where the README has tcp-echo, with the README's course.yaml
    monkeypatch.chdir(tmp_path)
    spec = tmp_path / "assignments" / "tcp-echo"
    shutil.copytree(echo_two.parent.parent, tmp_path, dirs_exist_ok=True)
    (spec / "course.yaml").write_text(course)
    due = datetime.fromisoformat("2026-11-20T23:59:00-05:00")
    # the first download: four students, on time; 1002 hands in the single-recv mistake
    for n in range(1, 5):
        source = REFERENCE / ("mutants/single-recv" if n == 2 else "python")
        _stamp(canvas_file(tmp_path / "canvas-lab1", n, source), due - timedelta(days=1))
    (tmp_path / "roster.csv").write_text(
        "id,name,email\n" + "".join(f"100{n},Student {n},s{n}@uni.example\n" for n in range(1, 5))
    )
    # 1002's late re-submission, alone in its download, 26 hours late: two days' penalty
    late = canvas_file(tmp_path / "late", 2, REFERENCE / "python", submission=2)
    late = late.rename(late.with_name(late.name.replace("_1002_", "_LATE_1002_")))
    _stamp(late, due + timedelta(hours=26))
    # a public solution that a student's file copies
    shutil.copytree(REFERENCE / "python", tmp_path / "public")
    out = tmp_path / "results" / "lab1"
    runner = CliRunner()

    def run(line: str) -> str:
        argv = shlex.split(line)[1:]
        if argv[0] == "grade":
            argv += ["-b", "local", "--trust-local", "-q"]
        result = runner.invoke(app, argv)
        assert result.exit_code == 0, (line, result.output)
        return result.output

    first, resubmitted, appeal, exported, similar = commands
    run(first)
    store = ResultStore(out)
    before = {p.name: p.read_bytes() for p in (out / "entries").iterdir()}
    assert len(before) == 4
    mistake = store.load("1002")
    assert mistake is not None and mistake.result is not None and not mistake.result.full_marks
    assert mistake.late is not None and not mistake.late.late
    # the late re-submission: graded, charged 20%, no one else touched, the name kept
    run(resubmitted)
    after = {p.name: p.read_bytes() for p in (out / "entries").iterdir()}
    assert {k: v for k, v in after.items() if k != "1002.json"} == {
        k: v for k, v in before.items() if k != "1002.json"
    }
    tardy = store.load("1002")
    assert tardy is not None and tardy.result is not None and tardy.late is not None
    assert tardy.result.full_marks and tardy.late.late and tardy.late.percent == 20
    assert tardy.late.source == "file time (Canvas download)"
    assert tardy.student.name == "Student 2" and tardy.final_score == tardy.result.score * 0.8
    # the appeal: 1003 alone graded again
    stamps = {p.name: p.stat().st_mtime_ns for p in (out / "entries").iterdir()}
    output = run(appeal)
    assert "1 students, 1 to grade" in output, output
    changed = {
        p.name for p in (out / "entries").iterdir() if p.stat().st_mtime_ns != stamps[p.name]
    }
    assert changed == {"1003.json"}
    assert {k: v for k, v in after.items() if k != "1003.json"} == {
        p.name: p.read_bytes() for p in (out / "entries").iterdir() if p.name != "1003.json"
    }
    # the exports, written again from the store
    for name in ("canvas.csv", "moodle-worksheet.csv", "gradebook.csv"):
        (out / name).unlink()
    run(exported)
    with (out / "canvas.csv").open(newline="") as f:
        canvas = list(csv.reader(f))
    assert canvas[0][-1] == "Lab 1: TCP echo server (4242)", "the course file's column"
    grades = {row[1]: row[-1] for row in canvas[2:]}
    full = f"{tardy.result.max_score:g}"
    assert grades == {"1001": full, "1002": f"{tardy.final_score:g}", "1003": full, "1004": full}
    assert (out / "moodle-worksheet.csv").read_text().startswith("Identifier,Full name,")
    # similarity: every student's copy of the model is flagged, with the public solution too
    gradebook = (out / "gradebook.csv").read_bytes()
    run(similar)
    assert (out / "gradebook.csv").read_bytes() == gradebook, "a flag, never a grade"
    assert store.load("1002") == tardy, "the first download's older file replaced nothing"
    kept = (out / "sources" / "1002" / "server.py").read_bytes()
    assert kept == (REFERENCE / "python" / "server.py").read_bytes(), "the re-submission's code"
    report = store.load_similarity()
    assert report is not None and report.students == 4 and report.public == 1
    assert any(p.b.id.startswith("public:") and p.flagged for p in report.pairs)
    summary = (out / "summary.html").read_text()
    assert "Similar code" in summary
    assert "(433 tokens), and 3 more; a flag, the grade is unchanged" in summary
