"""The catalogue: assignments by id, `grader list` without a folder, `grader check ID FILE`
on a file, a folder and the archive a student uploads, with the student's re-run command."""

from __future__ import annotations

import io
import shlex
import tarfile
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from grader import __version__
from grader.api import check
from grader.catalogue import catalogue_ids, catalogue_root, resolve_assignment
from grader.cli import app
from grader.errors import SpecError, SubmissionError
from grader.spec import load_assignment

REPO = Path(__file__).resolve().parent.parent
ECHO_MODEL = REPO / "reference" / "tcp-echo" / "python" / "server.py"
CATALOGUE = sorted(p.parent.name for p in (REPO / "assignments").glob("*/assignment.yaml"))


def test_a_checkout_uses_its_own_assignments_folder() -> None:
    assert catalogue_root() == REPO / "assignments"
    assert catalogue_ids() == CATALOGUE
    assert len(CATALOGUE) == 12


def test_an_id_names_the_built_in_assignment_even_beside_a_work_folder_of_that_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tcp-echo").mkdir()  # the student's own folder, holding server.py
    (tmp_path / "tcp-echo" / "server.py").write_text("")
    assert resolve_assignment(Path("tcp-echo")) == REPO / "assignments" / "tcp-echo"


def test_a_path_to_an_assignment_folder_or_spec_is_used_as_given(tmp_path: Path) -> None:
    folder = tmp_path / "tcp-echo"
    folder.mkdir()
    (folder / "assignment.yaml").write_text("id: tcp-echo\n")
    assert resolve_assignment(folder) == folder
    assert resolve_assignment(folder / "assignment.yaml") == folder / "assignment.yaml"


def test_an_unknown_id_names_the_known_ones_in_one_line() -> None:
    with pytest.raises(SpecError) as caught:
        resolve_assignment(Path("tcp-ecoh"))
    message = str(caught.value)
    assert "\n" not in message and "tcp-echo" in message and "grader list" in message


def test_list_without_a_folder_shows_the_catalogue_from_any_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    ran = CliRunner().invoke(app, ["list"], terminal_width=200)
    assert ran.exit_code == 0, ran.output
    for assignment_id in CATALOGUE:
        assert f" {assignment_id} " in ran.output, assignment_id
    assert "TCP echo server" in ran.output


def test_version_option() -> None:
    ran = CliRunner().invoke(app, ["--version"])
    assert ran.exit_code == 0, ran.output
    assert ran.output.strip() == f"socket-grader {__version__}"


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _tar_gz(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as tf:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return path


@pytest.mark.parametrize(
    ("kind", "make", "member"),
    [
        ("zip with a project folder", _zip, "echo-project/server.py"),
        ("tar.gz", _tar_gz, "server.py"),
    ],
)
def test_check_grades_the_archive_a_student_uploads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str, make: object, member: str
) -> None:
    monkeypatch.chdir(tmp_path)
    name = "handin.zip" if make is _zip else "handin.tar.gz"
    assert callable(make)
    make(tmp_path / name, {member: ECHO_MODEL.read_bytes(), "__MACOSX/._x": b""})
    result = check(Path("tcp-echo"), tmp_path / name, backend="local", tests=["echo-one"])
    echo = next(t for t in result.tests if t.name == "echo-one")
    assert echo.status == "passed", (kind, echo.reason)
    assert echo.rerun == f"grader check tcp-echo {name} --test echo-one --backend local"
    assert not list(tmp_path.glob("grader-check-*")), "extracted into a temporary folder"


def test_check_rejects_an_archive_by_the_rules_of_grade_in_one_line(tmp_path: Path) -> None:
    bad = _zip(tmp_path / "bad.zip", {"../escape.py": b"print(1)\n"})
    with pytest.raises(SubmissionError, match=r"leads out of the archive"):
        check(Path("tcp-echo"), bad, backend="local")
    ran = CliRunner().invoke(app, ["check", "tcp-echo", str(bad), "-b", "local"])
    assert ran.exit_code == 2, ran.output
    assert ran.output.count("error:") == 1 and "Traceback" not in ran.output


def test_check_names_the_archive_not_its_temporary_folder(tmp_path: Path) -> None:
    notes = _zip(tmp_path / "notes.zip", {"notes.txt": b"no program here\n"})
    with pytest.raises(SubmissionError) as caught:
        check(Path("tcp-echo"), notes, backend="local")
    assert str(caught.value).startswith(f"{notes}: no source file found"), caught.value
    assert "grader-check-" not in str(caught.value)


def test_rerun_commands_are_the_students_as_typed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "server.py").write_bytes(ECHO_MODEL.read_bytes())
    by_id = check(Path("tcp-echo"), Path("server.py"), backend="local", tests=["echo-one"])
    assert by_id.tests[0].rerun == "grader check tcp-echo server.py --test echo-one --backend local"
    absolute = check(
        REPO / "assignments" / "tcp-echo", tmp_path / "server.py", tests=["echo-one"]
    )
    assert {t.rerun for t in absolute.tests[:2]} == {
        "grader check tcp-echo server.py --test echo-one",
        "grader check tcp-echo server.py --test echo-many",
    }, "absolute paths of the machine that graded are not shown; auto is the default"


def handout_commands(assignment_id: str) -> list[str]:
    """The lines of the code block a handout ends with."""
    text = (REPO / "assignments" / assignment_id / "README.md").read_text()
    assert text.endswith("```\n"), f"{assignment_id}: the handout ends with a code block"
    block = text.rstrip("\n").removesuffix("```").rstrip("\n")
    return block[block.rindex("```sh\n") + len("```sh\n") :].splitlines()


@pytest.mark.parametrize("assignment_id", CATALOGUE)
def test_each_handout_ends_with_the_command_a_student_runs(assignment_id: str) -> None:
    entry = load_assignment(REPO / "assignments" / assignment_id).spec.languages["python"]
    assert entry is not None
    assert handout_commands(assignment_id) == [
        "pip install socket-grader",
        f"grader check {assignment_id} {entry.entry}",
    ]


def readme_student_commands() -> list[str]:
    """The `grader` lines of the README's "For students" block, comments cut."""
    text = (REPO / "README.md").read_text()
    section = text[text.index("## For students") :]
    start = section.index("```sh\n") + len("```sh\n")
    block = section[start : section.index("\n```", start)]
    lines = [line.split("#", 1)[0].strip() for line in block.splitlines()]
    return [line for line in lines if line.startswith("grader ")]


@pytest.mark.slow
def test_the_readmes_student_commands_run_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each on the local backend (a laptop without Docker), in a folder holding server.py and
    the zip of it that the student will upload."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "server.py").write_bytes(ECHO_MODEL.read_bytes())
    _zip(tmp_path / "handin.zip", {"server.py": ECHO_MODEL.read_bytes()})
    commands = readme_student_commands()
    assert len(commands) == 4, commands
    for command in commands:
        argv = shlex.split(command)[1:]
        if argv[0] == "check":
            argv += ["--backend", "local"]
        ran = CliRunner().invoke(app, argv, terminal_width=200)
        assert ran.exit_code == 0, f"{command}: {ran.output}"
    assert (tmp_path / "report.html").is_file()
