"""The `grader` command through typer's runner: output, files written and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from grader.cli import app

runner = CliRunner()


def test_list_shows_tcp_echo(root: Path) -> None:
    result = runner.invoke(app, ["list", str(root / "assignments")])
    assert result.exit_code == 0, result.output
    assert "tcp-echo" in result.output and "server" in result.output


def test_list_of_an_empty_folder_is_invalid_input(tmp_path: Path) -> None:
    result = runner.invoke(app, ["list", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert "no assignment under" in result.output


def test_schema_is_json_with_the_spec_fields() -> None:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0, result.output
    schema = json.loads(result.output)
    assert {"id", "role", "tests", "languages"} <= set(schema["properties"])
    assert schema["properties"]["role"]["description"]


def test_missing_submission_is_one_clear_line_and_exit_2(tcp_echo: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", str(tcp_echo), str(tmp_path / "nope"), "-b", "local"])
    assert result.exit_code == 2, result.output
    assert "error:" in result.output and "no such file or folder" in result.output
    assert "Traceback" not in result.output


def test_broken_spec_prints_each_problem_and_exit_2(tmp_path: Path) -> None:
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "assignment.yaml").write_text("id: broken\ntitle: x\nrole: nobody\n")
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "server.py").write_text("pass\n")
    result = runner.invoke(app, ["check", str(folder), str(sub), "-b", "local"])
    assert result.exit_code == 2, result.output
    assert "role: Input should be 'server' or 'client'" in result.output
    assert "summary: Field required" in result.output


def test_unknown_test_name_lists_the_known_ones(tcp_echo: Path, root: Path) -> None:
    sub = root / "reference" / "tcp-echo" / "python"
    result = runner.invoke(app, ["check", str(tcp_echo), str(sub), "-t", "nope", "-b", "local"])
    assert result.exit_code == 2, result.output
    assert "no test named 'nope'" in result.output and "echo-one" in result.output


def test_bad_backend_option_is_exit_2(tcp_echo: Path, root: Path) -> None:
    sub = root / "reference" / "tcp-echo" / "python"
    result = runner.invoke(app, ["check", str(tcp_echo), str(sub), "-b", "cloud"])
    assert result.exit_code == 2, result.output


def test_wrong_language_submission_says_what_is_accepted(tcp_echo: Path, tmp_path: Path) -> None:
    (tmp_path / "Server.java").write_text("class Server {}")
    result = runner.invoke(app, ["check", str(tcp_echo), str(tmp_path), "-b", "local"])
    assert result.exit_code == 2, result.output
    assert "this assignment accepts Python (.py) or C (.c or a Makefile)" in result.output


def test_check_writes_report_and_json_and_exits_0(
    tcp_echo: Path, root: Path, tmp_path: Path
) -> None:
    sub = root / "reference" / "tcp-echo" / "python"
    report, data = tmp_path / "r.html", tmp_path / "r.json"
    result = runner.invoke(
        app,
        [
            "check",
            str(tcp_echo),
            str(sub),
            "-b",
            "local",
            "-t",
            "echo-one",
            "--report",
            str(report),
            "--json",
            str(data),
        ],
    )
    assert result.exit_code == 0, result.output
    stored = json.loads(data.read_text())
    assert stored["tests"][0]["status"] == "passed"
    assert [t["status"] for t in stored["tests"][1:]] == ["skipped"] * (len(stored["tests"]) - 1)
    assert "<html" in report.read_text()


def test_check_with_points_lost_exits_1(tcp_echo: Path, tmp_path: Path) -> None:
    (tmp_path / "server.py").write_text("import sys\nsys.exit(0)\n")
    result = runner.invoke(
        app, ["check", str(tcp_echo), str(tmp_path), "-b", "local", "-t", "echo-one"]
    )
    assert result.exit_code == 1, result.output
    assert "exited with code 0" in result.output


def test_committed_schema_is_current(root: Path) -> None:
    """schema/assignment.schema.json is what editors load; regenerate with `grader schema -o`."""
    result = runner.invoke(app, ["schema"])
    committed = (root / "schema" / "assignment.schema.json").read_text()
    assert result.output == committed, "run: grader schema -o schema/assignment.schema.json"


def test_terminal_escapes_in_student_text_are_made_visible(tcp_echo: Path, tmp_path: Path) -> None:
    """A file name that would retitle and clear the instructor's terminal is printed inert."""
    hostile = "evil\x1b]0;pwned\x07\x1b[2J"
    student = tmp_path / hostile
    student.mkdir()
    (student / "server.py").write_text("import sys\nsys.exit('\\x1b[31mred\\x1b[0m')\n")
    for extra in ([], ["--quiet"]):
        result = runner.invoke(
            app, ["check", str(tcp_echo), str(student), "-b", "local", "-t", "echo-one", *extra]
        )
        assert result.exit_code == 1, result.output
        assert "\x1b" not in result.output and "\x07" not in result.output
        assert "evil\\x1b]0;pwned\\x07\\x1b[2J" in result.output


def test_missed_extra_credit_is_full_marks_and_says_so(tmp_path: Path) -> None:
    folder = tmp_path / "bonus"
    folder.mkdir()
    (folder / "assignment.yaml").write_text(
        "id: bonus\ntitle: Bonus\nsummary: An echo server.\nrole: server\ntransport: tcp\n"
        'languages: {python: {entry: server.py, run: "python3 server.py {port}"}}\n'
        "limits: {step_timeout: 1}\n"
        "tests:\n"
        "  - {name: echo, points: 2, description: Echoes., scenario: "
        '[{connect: main}, {send: "hi\\n"}, {expect: "hi\\n"}]}\n'
        "  - {name: shout, points: 1, extra_credit: true, description: Shouts., scenario: "
        '[{connect: main}, {send: "hi\\n"}, {expect: "HI\\n"}]}\n'
    )
    student = tmp_path / "student"
    student.mkdir()
    (student / "server.py").write_text(
        "import socket, sys\n"
        "s = socket.create_server(('127.0.0.1', int(sys.argv[1])))\n"
        "while True:\n"
        "    c, _ = s.accept()\n"
        "    c.sendall(c.recv(100))\n"
        "    c.close()\n"
    )
    result = runner.invoke(app, ["check", str(folder), str(student), "-b", "local"])
    assert result.exit_code == 0, result.output
    assert "score: 2/2 (+0 of 1 extra credit)" in result.output
    asked = runner.invoke(app, ["check", str(folder), str(student), "-b", "local", "-t", "shout"])
    assert asked.exit_code == 1, asked.output
