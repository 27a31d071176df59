"""The wheel a student installs: it carries the catalogue and the driver, not the reference
solutions, and grades an assignment by id from any folder once installed outside the checkout.

The venv has --system-site-packages so that pydantic, typer and the rest come from this
machine without a network; the grader itself must come from the wheel (asserted), so the
environment is cleared of PYTHONPATH, which would put a checkout first.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CATALOGUE = sorted(p.parent.name for p in (REPO / "assignments").glob("*/assignment.yaml"))

pytestmark = pytest.mark.slow


def _run(argv: list[str], cwd: Path, env: dict[str, str], timeout: float = 600) -> str:
    done = subprocess.run(
        argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, f"{argv}: exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`pip wheel --no-deps` of the checkout, copied out so that the build sees a clean tree."""
    source = tmp_path_factory.mktemp("source")
    shutil.copytree(
        REPO,
        source / "socket-grader",
        ignore=shutil.ignore_patterns(
            ".git", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", "artifacts"
        ),
    )
    dist = tmp_path_factory.mktemp("dist")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), "."],
        source / "socket-grader",
        env,
    )
    (built,) = dist.glob("socket_grader-*.whl")
    return built


def test_the_wheel_holds_the_catalogue_and_the_driver_but_no_reference(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    specs = sorted(
        n.split("/")[2] for n in names if n.startswith("grader/assignments/")
        and n.endswith("/assignment.yaml")
    )  # fmt: skip
    assert specs == CATALOGUE and len(specs) == 12
    for assignment_id in CATALOGUE:
        assert f"grader/assignments/{assignment_id}/README.md" in names, assignment_id
    assert "grader/assignments/web-server/www/logo.png" in names  # an assignment's files
    assert "grader/assignments/rdt-udp/files/message.txt" in names
    assert "grader/driver/__main__.py" in names
    assert "grader/report/templates/report.html.j2" in names
    assert not [n for n in names if n.startswith("reference/") or "/reference/" in n]
    assert not [n for n in names if n.endswith(".pyc")]


def test_installed_outside_the_checkout_it_grades_a_model_by_id_from_an_empty_folder(
    wheel: Path, tmp_path: Path
) -> None:
    venv = tmp_path / "venv"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    _run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], tmp_path, env)
    python, grader = venv / "bin" / "python", venv / "bin" / "grader"
    _run(
        [str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
        tmp_path,
        env,
    )
    empty = tmp_path / "empty"
    empty.mkdir()
    where = _run([str(python), "-c", "import grader; print(grader.__file__)"], empty, env)
    assert Path(where.strip()).is_relative_to(venv), f"grader imported from {where}"

    assert _run([str(grader), "--version"], empty, env).strip().startswith("socket-grader ")
    listed = _run([str(grader), "list"], empty, {**env, "COLUMNS": "200"})
    for assignment_id in CATALOGUE:
        assert f" {assignment_id} " in listed, listed

    model = REPO / "reference" / "tcp-echo" / "python" / "server.py"
    graded = _run(
        [str(grader), "check", "tcp-echo", str(model), "--backend", "local", "--quiet"],
        empty,
        env,
    )
    # exit 0 (checked by _run) is full marks; the score may hold extra credit on top
    assert graded.strip().endswith("/100") and graded.startswith("server.py: "), graded
    assert list(empty.iterdir()) == [], "grading wrote nothing into the student's folder"

    # the handout's last line in a folder that holds the handout's file, on the local backend
    # (a laptop without Docker; auto would choose docker here, and take a minute more)
    mine = tmp_path / "mine"
    mine.mkdir()
    shutil.copy(model, mine / "server.py")
    handout = (REPO / "assignments" / "tcp-echo" / "README.md").read_text().splitlines()
    command = handout[-2]  # before the closing ``` (tests/test_catalogue.py checks the block)
    assert command == "grader check tcp-echo server.py"
    _run([str(grader), *shlex.split(command)[1:], "-b", "local"], mine, env)  # 0: full marks
