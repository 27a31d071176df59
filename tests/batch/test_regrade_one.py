"""Regrading one student of a Canvas batch touches no one else: no grade, name or email is lost."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from batchgen import REFERENCE
from typer.testing import CliRunner

from grader.cli import app
from grader.store import ResultStore

STUDENTS = 17
REGRADED = "1007"  # the Canvas user id of the student who re-submits


def canvas_file(folder: Path, n: int, source: Path, submission: int = 1) -> Path:
    """Student n's file as a Canvas bulk download names it: name_userid_submissionid_file."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"student{n:02d}_{1000 + n}_{500 + submission}_server.py"
    shutil.copy(source / "server.py", path)
    return path


def _first_batch(tmp_path: Path) -> tuple[Path, Path]:
    whole = tmp_path / "canvas"
    for n in range(1, STUDENTS + 1):
        # student 7 first hands in the single-recv mistake
        source = REFERENCE / "mutants" / "single-recv" if n == 7 else REFERENCE / "python"
        canvas_file(whole, n, source)
    roster = tmp_path / "roster.csv"
    lines = ["id,name,email"] + [
        f"{1000 + n},Student Number{n},s{n}@uni.example" for n in range(1, STUDENTS + 1)
    ]
    roster.write_text("\n".join(lines) + "\n")
    return whole, roster


LOCAL = ("-b", "local", "--trust-local")


def _grade(
    assignment: Path, folder: Path, out: Path, *extra: str, backend: tuple[str, ...] = LOCAL
) -> str:
    argv = ["grade", str(assignment), str(folder), "--out", str(out)]
    result = CliRunner().invoke(app, [*argv, *backend, "-q", *extra])
    assert result.exit_code == 0, result.output
    return result.output


def _bytes(out: Path) -> dict[str, bytes]:
    return {p.stem: p.read_bytes() for p in sorted((out / "entries").glob("*.json"))}


def _regrade_one(echo_two: Path, tmp_path: Path, backend: tuple[str, ...]) -> None:
    whole, roster = _first_batch(tmp_path)
    out = tmp_path / "results"
    _grade(echo_two, whole, out, "--roster", str(roster), backend=backend)
    before = _bytes(out)
    assert len(before) == STUDENTS
    first = ResultStore(out).load(REGRADED)
    assert first is not None and first.result is not None and not first.result.full_marks
    # the command: a folder holding only the re-submitted file, the roster, --regrade
    one = tmp_path / "one"
    canvas_file(one, 7, REFERENCE / "python", submission=2)
    _grade(echo_two, one, out, "--roster", str(roster), "--regrade", backend=backend)
    after = _bytes(out)
    assert {k: v for k, v in after.items() if k != REGRADED} == {
        k: v for k, v in before.items() if k != REGRADED
    }, "the 16 students absent from this input keep their stored entries byte for byte"
    regraded = ResultStore(out).load(REGRADED)
    assert regraded is not None and regraded.result is not None and regraded.result.full_marks
    assert (regraded.student.name, regraded.student.email) == (
        "Student Number7",
        "s7@uni.example",
    )


@pytest.mark.slow
def test_regrading_one_student_keeps_the_other_sixteen_byte_for_byte(
    echo_two: Path, tmp_path: Path
) -> None:
    _regrade_one(echo_two, tmp_path, LOCAL)


@pytest.mark.slow
@pytest.mark.docker
def test_regrading_one_student_on_docker_keeps_the_other_sixteen(
    echo_two: Path, tmp_path: Path, docker_backend: object
) -> None:
    _regrade_one(echo_two, tmp_path, ("-b", "docker"))


@pytest.mark.slow
def test_only_regrades_the_named_student_and_keeps_their_name_without_the_roster(
    echo_two: Path, tmp_path: Path
) -> None:
    whole, roster = _first_batch(tmp_path)
    out = tmp_path / "results"
    _grade(echo_two, whole, out, "--roster", str(roster))
    before = _bytes(out)
    canvas_file(whole, 7, REFERENCE / "python", submission=2)  # a later submission beside
    output = _grade(echo_two, whole, out, "--only", REGRADED)
    assert f"{STUDENTS} students" not in output and "1 students, 1 to grade" in output, output
    after = _bytes(out)
    assert {k: v for k, v in after.items() if k != REGRADED} == {
        k: v for k, v in before.items() if k != REGRADED
    }
    assert after[REGRADED] != before[REGRADED]
    regraded = ResultStore(out).load(REGRADED)
    assert regraded is not None and regraded.result is not None and regraded.result.full_marks
    assert regraded.student.name == "Student Number7", "the roster's name, not Canvas's"
    assert regraded.student.email == "s7@uni.example"


def test_only_with_an_id_not_in_the_input_is_one_line_and_grades_nothing(
    echo_two: Path, tmp_path: Path
) -> None:
    one = tmp_path / "one"
    canvas_file(one, 7, REFERENCE / "python")
    argv = ["grade", str(echo_two), str(one), "--out", str(tmp_path / "out"), "-b", "local"]
    result = CliRunner().invoke(app, [*argv, "--trust-local", "--only", "9999"])
    assert result.exit_code == 2, result.output
    assert result.output.strip().splitlines() == [
        f"error: --only 9999: no submission for this id in {one}; tip: give the gradebook's "
        "id (found: 1007)"
    ]
    assert not (tmp_path / "out" / "entries").exists()
