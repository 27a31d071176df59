"""Ingest: every layout gives one item per student, named as the LMS names them."""

from __future__ import annotations

from pathlib import Path

import pytest
from batchgen import make_batch

from grader.errors import SubmissionError
from grader.ingest import ingest, safe_id
from grader.results import Student


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    folder = tmp_path_factory.mktemp("ingest") / "in"
    return folder, make_batch(folder)


def test_every_layout_gives_one_item_per_student(
    batch: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    folder, expected = batch
    found = ingest(folder, tmp_path / "work")
    assert sorted(i.student.id for i in found.items) == sorted(expected)
    rejected = {i.student.id for i in found.items if i.rejected}
    # no-source is rejected later, when its language is detected
    assert rejected == {k for k, v in expected.items() if v == "rejected"} - {"no-source"}
    by_id = {i.student.id: i for i in found.items}
    assert by_id["traversal"].rejected == (
        "traversal.zip: member '../escape.py' leads out of the archive ('..'); rejected "
        "(path traversal)"
    )
    assert by_id["empty"].rejected == "empty: empty folder, nothing was submitted"
    assert not (tmp_path / "escape.py").exists()
    assert not (tmp_path / "work" / "escape.py").exists()
    assert not (tmp_path / "work" / "traversal").exists(), "a rejection left a folder behind"


def test_identities_come_from_the_lms_names(
    batch: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    folder, _ = batch
    by_id = {i.student.id: i for i in ingest(folder, tmp_path / "work").items}
    assert by_id["1001"].student == Student(id="1001", name="doejane")
    assert by_id["2001"].student == Student(id="2001", name="Jane Roe")
    assert by_id["g-ada"].student == Student(id="g-ada", name="Ada L", email="ada@uni.edu")
    assert by_id["1002"].path is not None
    assert sorted(p.name for p in by_id["1002"].path.iterdir()) == ["Makefile", "server.c"]
    assert by_id["zipped"].path is not None
    assert by_id["zipped"].path.name == "project", "a lone wrapper folder is descended into"


def test_the_latest_of_several_submissions_wins_and_the_log_says_so(
    batch: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    folder, _ = batch
    found = ingest(folder, tmp_path / "work")
    by_id = {i.student.id: i for i in found.items}
    assert by_id["1001"].source == "doejane_LATE_1001_5002_server.py"
    assert by_id["twice"].source == "twice.zip"
    assert "twice: 2 submissions (twice, twice.zip); graded the latest, twice.zip" in found.log, (
        found.log
    )


def test_the_roster_fills_names_and_lists_students_without_a_submission(
    batch: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    folder, _ = batch
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name,email\n1001,Jane Doe,jane@uni.edu\nghost,Gus Host,gus@uni.edu\n")
    by_id = {i.student.id: i for i in ingest(folder, tmp_path / "work", roster=roster).items}
    assert by_id["1001"].student == Student(id="1001", name="Jane Doe", email="jane@uni.edu")
    assert by_id["ghost"].path is None
    assert by_id["ghost"].rejected.startswith("no submission found in ")


def test_bad_input_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SubmissionError, match="not a folder; tip: give the folder"):
        ingest(tmp_path / "missing", tmp_path / "work")
    roster = tmp_path / "r.csv"
    roster.write_text("student,mail\nx,y\n")
    (tmp_path / "in").mkdir()
    with pytest.raises(SubmissionError, match="needs a header with an 'id' column"):
        ingest(tmp_path / "in", tmp_path / "work", roster=roster)


def test_safe_id() -> None:
    assert [safe_id(s) for s in ("Jane Roe", "../x", "a/b", "")] == [
        "Jane-Roe",
        "x",
        "a-b",
        "student",
    ]


def test_the_results_folder_inside_the_input_is_not_a_student(tmp_path: Path) -> None:
    (tmp_path / "in" / "alice").mkdir(parents=True)
    (tmp_path / "in" / "alice" / "server.py").write_text("print()\n")
    (tmp_path / "in" / "results" / "entries").mkdir(parents=True)
    found = ingest(tmp_path / "in", tmp_path / "in" / "results" / "submissions")
    assert [i.student.id for i in found.items] == ["alice"]
