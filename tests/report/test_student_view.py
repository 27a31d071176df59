"""Hidden tests in what students see: name, points and verdict, never the reason or the bytes.

The end-to-end tests grade a real program that fails a hidden test (it uppercases what it
echoes and prints what it received), then read every output a student gets, from `grader
check` (console, --json, --report) and from a batch (reports/, junit/, gradescope/), for
the hidden test's reason and expected bytes; the instructor's outputs must hold them, so the
search is known to look in the right place.
"""

from __future__ import annotations

import html
import json
import textwrap
from pathlib import Path

import markupsafe
import pytest
from typer.testing import CliRunner

from grader.cli import app
from grader.report.html import render_html
from grader.report.student_view import student_entry, student_view
from grader.results import BatchEntry, Student, SubmissionResult

SECRET = "zebra-quartz-7"  # the hidden test's payload: it sends it and expects it back
SPEC = f"""
    id: secret-echo
    title: Echo with a hidden test
    summary: A TCP echo server.
    role: server
    transport: tcp
    languages: {{python: {{entry: server.py, run: "python3 server.py {{port}}"}}}}
    tests:
      - name: digits
        points: 5
        description: Digits come back.
        scenario:
          - connect: main
          - send: "123\\n"
          - expect: "123\\n"
      - name: secret-word
        points: 5
        visibility: hidden
        description: HIDDEN-DESCRIPTION
        hint: HIDDEN-HINT
        scenario:
          - connect: main
          - send: "{SECRET}\\n"
          - expect: "{SECRET}\\n"
"""
UPPERCASING = """\
import socket
import sys

server = socket.create_server(("127.0.0.1", int(sys.argv[1])))
while True:
    conn, _ = server.accept()
    with conn:
        while data := conn.recv(4096):
            print("received", data.decode(), flush=True)
            conn.sendall(data.upper())
"""
MODEL = UPPERCASING.replace("data.upper()", "data")


@pytest.fixture
def course(tmp_path: Path) -> Path:
    """assignments/secret-echo, its model in reference/, and a student's failing server."""
    folder = tmp_path / "assignments" / "secret-echo"
    folder.mkdir(parents=True)
    (folder / "assignment.yaml").write_text(textwrap.dedent(SPEC))
    model = tmp_path / "reference" / "secret-echo" / "python"
    model.mkdir(parents=True)
    (model / "server.py").write_text(MODEL)
    student = tmp_path / "class" / "alice"
    student.mkdir(parents=True)
    (student / "server.py").write_text(UPPERCASING)
    return tmp_path


def _secrets(reason: str) -> list[str]:
    """What must not reach a student: the reason, the expected bytes, the hint, the
    description (the reason of this failure quotes the expected bytes, so it is long)."""
    assert SECRET in reason, reason  # else the search for the reason proves less
    return [reason, SECRET, SECRET.upper(), "HIDDEN-HINT", "HIDDEN-DESCRIPTION"]


def _forms(secret: str) -> set[str]:
    """The secret as each output writes it: as it is, escaped for HTML or XML, in JSON."""
    return {
        secret,
        html.escape(secret),
        str(markupsafe.escape(secret)),  # jinja's autoescape
        html.escape(secret, quote=False),
        json.dumps(secret)[1:-1],
    }


def _leaks(text: str, secrets: list[str]) -> list[str]:
    return [s for s in secrets if any(form in text for form in _forms(s))]


def test_check_shows_a_hidden_tests_verdict_and_nothing_of_how_it_failed(
    course: Path, tmp_path: Path
) -> None:
    assignment = course / "assignments" / "secret-echo"
    submission = course / "class" / "alice" / "server.py"
    report, result_json = tmp_path / "report.html", tmp_path / "result.json"
    ran = CliRunner().invoke(
        app,
        [
            "check",
            str(assignment),
            str(submission),
            "-b",
            "local",
            "--report",
            str(report),
            "--json",
            str(result_json),
        ],
        terminal_width=200,
    )
    assert ran.exit_code == 1, ran.output
    shown = SubmissionResult.model_validate_json(result_json.read_text())
    hidden = next(t for t in shown.tests if t.name == "secret-word")
    assert (hidden.status, hidden.points, hidden.max_points) == ("failed", 0, 5)
    assert hidden.reason == "hidden test: only its result is shown"
    assert "secret-word" in ran.output and "failed" in ran.output
    rerun = "grader check secret-echo server.py --test secret-word --backend local"
    assert f"re-run a test alone: {rerun}" in ran.output, "the student's command, not paths"
    assert hidden.rerun == rerun

    # the same grading, unredacted, as the instructor would render it
    from grader.api import check  # noqa: PLC0415

    full = check(assignment, submission, backend="local")
    reason = next(t.reason for t in full.tests if t.name == "secret-word")
    secrets = _secrets(reason)
    assert set(_leaks(render_html(full, student_view=False), secrets)) >= {reason, SECRET}
    for name, text in [
        ("console", ran.output),
        ("--json", result_json.read_text()),
        ("--report", report.read_text()),
    ]:
        assert not _leaks(text, secrets), f"{name} shows {_leaks(text, secrets)}"


def test_a_batchs_student_files_redact_hidden_tests_and_the_instructors_keep_them(
    course: Path,
) -> None:
    out = course / "results"
    ran = CliRunner().invoke(
        app,
        [
            "grade",
            str(course / "assignments" / "secret-echo"),
            str(course / "class"),
            "--out",
            str(out),
            "-b",
            "local",
            "--trust-local",
            "--quiet",
        ],
    )
    assert ran.exit_code == 0, ran.output
    stored = json.loads((out / "results.json").read_text())
    (entry,) = stored["entries"]
    hidden = next(t for t in entry["result"]["tests"] if t["name"] == "secret-word")
    secrets = _secrets(hidden["reason"])
    assert "secret-word" in (out / "summary.html").read_text(), "the instructor's summary"
    instructor = (out / "instructor" / "alice.html").read_text()
    assert set(_leaks(instructor, secrets)) == set(secrets), "the instructor's copy has it all"
    student_files = [
        p
        for folder in ("reports", "junit", "gradescope")
        for p in sorted((out / folder).rglob("*"))
        if p.is_file()
    ]
    assert {p.relative_to(out).as_posix() for p in student_files} == {
        "reports/alice.html",
        "junit/alice.xml",
        "gradescope/alice/results.json",
    }
    for path in student_files:
        leaks = _leaks(path.read_text(), secrets)
        assert not leaks, f"{path.relative_to(out)} shows {leaks}"
        assert str(course) not in path.read_text(), f"{path} shows the instructor's folders"
    gradescope = json.loads((out / "gradescope" / "alice" / "results.json").read_text())
    assert [(t["name"], t["score"], t["visibility"]) for t in gradescope["tests"]] == [
        ("digits", 5, "visible"),
        ("secret-word", 0, "hidden"),
    ]
    assert "grader check secret-echo server.py --test digits" in (
        out / "reports" / "alice.html"
    ).read_text(), "the re-run command is the student's, without the instructor's paths"


def test_hidden_details_and_notes_quoting_them_are_dropped(
    realistic_result: SubmissionResult,
) -> None:
    hidden = next(t for t in realistic_result.tests if t.visibility == "hidden")
    noted = realistic_result.model_copy(
        update={"notes": [f"the grader ran {hidden.name} again ({hidden.reason})", "keep me"]}
    )
    shown = student_view(noted)
    text = shown.model_dump_json()
    assert [s for s in ("SECRET-REASON", "SECRET-EXPECTED", "SECRET-GOT", "SECRET-BYTES",
            "SECRET-STDOUT", "SECRET-STDERR", "SECRET-DIAGNOSTIC", "SECRET-HINT",
            "SECRET-DESCRIPTION") if s in text] == []  # fmt: skip
    assert shown.notes == ["keep me"]
    after = next(t for t in shown.tests if t.visibility == "after_due_date")
    assert after.transcript == [] and after.stdout_tail == b"" and after.description == ""
    assert [(t.name, t.points, t.max_points, t.status) for t in shown.tests] == [
        (t.name, t.points, t.max_points, t.status) for t in realistic_result.tests
    ]
    assert (shown.score, shown.max_score) == (realistic_result.score, realistic_result.max_score)
    visible = [t for t in realistic_result.tests if t.visibility == "visible"]
    assert [t for t in shown.tests if t.visibility == "visible"] == visible


def test_gradescope_receives_after_due_date_details_it_withholds_itself(
    realistic_result: SubmissionResult,
) -> None:
    entry = BatchEntry(
        student=Student(id="amy"), source="amy", status="graded", result=realistic_result
    )
    released = student_entry(entry, release_after_due_date=True).result
    assert released is not None
    after = next(t for t in released.tests if t.visibility == "after_due_date")
    assert after.stdout_tail == b"LATER-STDOUT"
    hidden = next(t for t in released.tests if t.visibility == "hidden")
    assert hidden.comparison is None and hidden.stdout_tail == b""
