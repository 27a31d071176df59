"""No path read from a submission is followed through a link: one rule, one rejection line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from grader.cli import app
from grader.errors import SubmissionError
from grader.ingest import ingest
from grader.submission import load_submission
from grader.untrusted import copy_file, read_file

SECRET = "host-secret-4b1f: a file of the grading machine\n"


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "host" / "secret.txt"
    path.parent.mkdir()
    path.write_text(SECRET)
    return path


def test_check_refuses_a_linked_single_file(tcp_echo: Path, tmp_path: Path, secret: Path) -> None:
    student = tmp_path / "student"
    student.mkdir()
    (student / "server.py").symlink_to(secret)
    report = tmp_path / "report.html"
    argv = ["check", str(tcp_echo), str(student / "server.py"), "-b", "local"]
    result = CliRunner().invoke(app, [*argv, "--report", str(report)])
    assert result.exit_code == 2
    assert result.output.strip().endswith(
        "server.py: is a symbolic link; links are not accepted in a submission"
    )
    assert len(result.output.strip().splitlines()) == 1
    assert not report.exists()


def test_a_linked_folder_or_a_link_inside_is_refused(tmp_path: Path, secret: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (real / "server.py").write_text("print('hi')\n")
    (tmp_path / "linked").symlink_to(real)
    with pytest.raises(SubmissionError, match="linked: is a symbolic link"):
        load_submission(tmp_path / "linked")
    (real / "notes.txt").symlink_to(secret)
    with pytest.raises(SubmissionError, match=r"notes\.txt: is a symbolic link"):
        load_submission(real)


def test_a_canvas_download_holding_a_link_is_rejected_and_copies_nothing(
    tmp_path: Path, secret: Path
) -> None:
    download = tmp_path / "in"
    download.mkdir()
    (download / "doejane_1001_5001_server.py").symlink_to(secret)
    (download / "roejim_1002_5002_server.py").write_text("print('mine')\n")
    work = tmp_path / "work"
    found = {i.student.id: i for i in ingest(download, work).items}
    assert found["1001"].rejected == (
        "doejane_1001_5001_server.py: is a symbolic link; links are not accepted in a submission"
    )
    assert not found["1002"].rejected
    copied = [p.read_text() for p in work.rglob("*") if p.is_file()] if work.exists() else []
    assert all(SECRET not in text for text in copied)


def test_reading_never_follows_a_link_swapped_in_after_the_walk(
    tmp_path: Path, secret: Path
) -> None:
    link = tmp_path / "server.py"
    link.symlink_to(secret)
    with pytest.raises(SubmissionError, match="is a symbolic link"):
        read_file(link)
    with pytest.raises(SubmissionError, match="is a symbolic link"):
        copy_file(link, tmp_path / "copy.py")
    assert not (tmp_path / "copy.py").exists()
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(SubmissionError, match="not a regular file"):
        read_file(fifo)
