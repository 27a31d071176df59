"""Similarity: copied code is flagged, the handout's code is not, and no grade ever moves."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from batchgen import REFERENCE
from typer.testing import CliRunner

from grader.cli import app
from grader.similarity import PUBLIC, compare
from grader.store import ResultStore

pytest.importorskip("copydetect")

# The handout's starter code: every student starts from it.
STARTER = """\
import socket
import sys

def make_server(port):
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("", port))
    server.listen(5)
    return server
"""
# One student's own work ...
ORIGINAL = """
def serve(server):
    while True:
        conn, addr = server.accept()
        print("connection from", addr)
        while True:
            data = conn.recv(4096)
            if not data:
                break
            sent = 0
            while sent < len(data):
                sent += conn.send(data[sent:])
        conn.close()

if __name__ == "__main__":
    serve(make_server(int(sys.argv[1])))
"""
# ... copied with the names changed ...
RENAMED = ORIGINAL.replace("conn", "client").replace("data", "chunk").replace("sent", "done")
# ... and another student's independent work.
OTHER = """
import threading

def handle(sock):
    with sock:
        for block in iter(lambda: sock.recv(1024), b""):
            sock.sendall(block)

def main():
    listener = make_server(int(sys.argv[1]))
    while True:
        sock, _ = listener.accept()
        threading.Thread(target=handle, args=(sock,), daemon=True).start()

main()
"""


def _handout(folder: Path, starter: bool) -> Path:
    folder.mkdir(parents=True)
    block = f"```python\n{STARTER}```\n" if starter else ""
    (folder / "README.md").write_text(f"# Echo\n\nStart from this:\n\n{block}")
    return folder


def _students(root: Path, **code: str) -> dict[str, Path]:
    folders = {}
    for sid, body in code.items():
        (root / sid).mkdir(parents=True)
        (root / sid / "server.py").write_text(STARTER + body)
        folders[sid] = root / sid
    return folders


def _shares(report_pairs: list[object]) -> dict[tuple[str, str], bool]:
    return {(p.a.id, p.b.id): p.flagged for p in report_pairs}  # type: ignore[attr-defined]


def test_renamed_copy_is_flagged_and_independent_work_is_not(tmp_path: Path) -> None:
    students = _students(tmp_path / "s", ada=ORIGINAL, bo=RENAMED, cy=OTHER)
    report = compare(students, [], _handout(tmp_path / "a", starter=True))
    assert _shares(report.pairs) == {("ada", "bo"): True}, report.pairs
    pair = report.pairs[0]
    assert pair.a.share >= 0.9 and pair.b.share >= 0.9, (pair.a.share, pair.b.share)
    assert report.boilerplate == ["README.md block 1.py"]
    shared = pair.a.code[pair.a.spans[0].start : pair.a.spans[-1].end]
    assert "def serve" in shared and "def make_server" not in shared, "the starter is not counted"


def test_the_starter_code_alone_does_not_make_a_pair(tmp_path: Path) -> None:
    students = _students(tmp_path / "s", ada="\nmake_server(1)\n", cy="\nmake_server(2)\n")
    without = compare(students, [], _handout(tmp_path / "plain", starter=False))
    assert _shares(without.pairs) == {("ada", "cy"): True}, "the same starter, counted"
    handout = compare(students, [], _handout(tmp_path / "with", starter=True))
    assert handout.pairs == [], "the starter code left out"
    folder = _handout(tmp_path / "folder", starter=False)
    (folder / "starter").mkdir()
    (folder / "starter" / "server.py").write_text(STARTER)
    given = compare(students, [], folder)
    assert (given.boilerplate, given.pairs) == (["starter/server.py"], [])


def test_the_same_code_gives_the_same_pairs_whatever_the_hash_seed(tmp_path: Path) -> None:
    students = _students(tmp_path / "s", ada=ORIGINAL, bo=RENAMED, cy=OTHER)
    handout = _handout(tmp_path / "a", starter=True)
    script = (
        "import sys; from pathlib import Path; from grader.similarity import compare; "
        "print(compare({k: Path(v) for k, v in zip(sys.argv[1::2], sys.argv[2::2])}, [], "
        f"Path({str(handout)!r})).model_dump_json())"
    )
    args = [a for sid, path in students.items() for a in (sid, str(path))]
    runs = {
        subprocess.run(
            [sys.executable, "-c", script, *args],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(runs) == 1, "copydetect hashes with hash(): the result must not depend on it"


def test_known_public_solutions_are_compared(tmp_path: Path) -> None:
    students = _students(tmp_path / "s", cy=OTHER, dee=ORIGINAL)
    public = tmp_path / "github"
    public.mkdir()
    (public / "echo_server.py").write_text(STARTER + RENAMED)
    report = compare(students, [public], _handout(tmp_path / "a", starter=True))
    assert _shares(report.pairs) == {("dee", f"{PUBLIC}{public.as_posix()}"): True}
    assert report.public == 1 and report.pairs[0].b.file == "echo_server.py"


@pytest.mark.slow
def test_similarity_flags_in_the_summary_and_never_changes_a_grade(
    echo_two: Path, tmp_path: Path
) -> None:
    batch = tmp_path / "in"
    shutil.copytree(REFERENCE / "python", batch / "ada")
    shutil.copytree(REFERENCE / "python", batch / "bo")
    shutil.copytree(REFERENCE / "textbook", batch / "cy")  # written apart: not flagged
    out = tmp_path / "out"
    argv = ["grade", str(echo_two), str(batch), "--out", str(out), "-b", "local"]
    argv += ["--trust-local", "-q"]
    first = CliRunner().invoke(app, argv)
    assert first.exit_code == 0, first.output
    entries = {p.name: p.read_bytes() for p in (out / "entries").iterdir()}
    gradebook = (out / "gradebook.csv").read_bytes()
    again = CliRunner().invoke(app, [*argv, "--similarity"])
    assert again.exit_code == 0, again.output
    assert "comparing the code" in again.output
    assert {p.name: p.read_bytes() for p in (out / "entries").iterdir()} == entries
    assert (out / "gradebook.csv").read_bytes() == gradebook, "a flag, not a grade"
    report = ResultStore(out).load_similarity()
    assert report is not None and report.students == 3
    top = report.pairs[0]
    assert (top.a.id, top.b.id, top.flagged, top.share) == ("ada", "bo", True, 1.0)
    summary = (out / "summary.html").read_text()
    assert "Similar code" in summary and "similarity/ada--bo.html" in summary
    assert "Similar to another submission (a flag: the grade is unchanged) (2)" in summary
    assert "100% of server.py is also in bo&#39;s server.py (" in summary
    page = (out / "similarity" / "ada--bo.html").read_text()
    assert page.count("<mark>") >= 2 and "100% shared" in page
