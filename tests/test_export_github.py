"""The GitHub Action: action.yml's own shell steps run as the runner runs them (real files for
GITHUB_OUTPUT, GITHUB_PATH and GITHUB_STEP_SUMMARY), and the `result` output decoded as
Classroom's reporter decodes it (base64 of the v1 JSON in <RUNNER>_RESULTS)."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from grader.export.github import escape_data, escape_property, report_to_github
from grader.results import BuildResult, SubmissionResult, TestResult

ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENT = ROOT / "assignments" / "tcp-echo"
MUTANT = ROOT / "reference" / "tcp-echo" / "mutants" / "appends-newline"
EXPRESSION = re.compile(r"\$\{\{\s*([\w.-]+)\s*\}\}")


def parse_output_file(text: str) -> dict[str, str]:
    """GITHUB_OUTPUT as the runner reads it: name=value lines and name<<DELIMITER blocks."""
    outputs: dict[str, str] = {}
    lines = iter(text.splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            body = []
            for inner in lines:
                if inner == delimiter:
                    break
                body.append(inner)
            outputs[name] = "\n".join(body)
        elif "=" in line:
            name, value = line.split("=", 1)
            outputs[name] = value
    return outputs


def _substitute(value: str, context: dict[str, str]) -> str:
    return EXPRESSION.sub(lambda m: context[m.group(1)], value)


@pytest.fixture(scope="module")
def runner_temp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """$RUNNER_TEMP, shared by the tests: the install step's venv is made once."""
    return tmp_path_factory.mktemp("runner-temp")


def run_action(
    workspace: Path, tmp: Path, runner_temp: Path, inputs: dict[str, str]
) -> dict[str, Any]:
    """Every step of action.yml, in order, the way the runner runs a composite action."""
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    context = {f"inputs.{k}": v.get("default", "") for k, v in action["inputs"].items()}
    context |= {f"inputs.{k}": v for k, v in inputs.items()}
    context["github.action_path"] = str(ROOT)
    files = {n: tmp / n.lower() for n in ("GITHUB_OUTPUT", "GITHUB_PATH", "GITHUB_STEP_SUMMARY")}
    for path in files.values():
        path.write_text("")
    base_env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    base_env |= {name: str(path) for name, path in files.items()}
    base_env["RUNNER_TEMP"] = str(runner_temp)
    logs: dict[str, subprocess.CompletedProcess[str]] = {}
    for step in action["runs"]["steps"]:
        assert step["shell"] == "bash"
        env = base_env | {k: _substitute(str(v), context) for k, v in step.get("env", {}).items()}
        added = files["GITHUB_PATH"].read_text().split()
        env["PATH"] = os.pathsep.join([*reversed(added), base_env["PATH"]])
        steps_outputs = parse_output_file(files["GITHUB_OUTPUT"].read_text())
        done = subprocess.run(
            ["bash", "-e", "-c", step["run"]], cwd=workspace, env=env, capture_output=True,
            text=True, timeout=600, check=False,
        )
        logs[step["id"]] = done
        for name, value in parse_output_file(files["GITHUB_OUTPUT"].read_text()).items():
            if steps_outputs.get(name) != value:
                context[f"steps.{step['id']}.outputs.{name}"] = value
        if done.returncode != 0 and step["id"] != "grade":  # a lost point fails only that step
            pytest.fail(f"step {step['id']} failed:\n{done.stdout}\n{done.stderr}")
    outputs = {k: _substitute(v["value"], context) for k, v in action["outputs"].items()}
    return {"logs": logs, "outputs": outputs, "summary": files["GITHUB_STEP_SUMMARY"].read_text()}


def reporter_decode(encoded: str) -> dict[str, Any]:
    """What the reporter does with <RUNNER>_RESULTS: base64, then JSON."""
    data: dict[str, Any] = json.loads(base64.b64decode(encoded).decode("utf-8"))
    return data


def check_runner_json(data: dict[str, Any]) -> None:
    assert data["version"] == 1 and data["status"] in {"pass", "fail", "error"}, data
    assert isinstance(data["max_score"], int | float)
    for test in data["tests"]:
        assert isinstance(test["name"], str) and test["status"] in {"pass", "fail", "error"}
        assert test["message"] is None or isinstance(test["message"], str)
        assert isinstance(test["score"], int | float) and test["score"] >= 0


def _test(name: str, passed: bool, **changes: Any) -> TestResult:
    fields: dict[str, Any] = {
        "name": name,
        "description": f"{name} works.",
        "visibility": "visible",
        "points": 10.0 if passed else 0.0,
        "max_points": 10.0,
        "status": "passed" if passed else "failed",
        "reason": "" if passed else f"{name}: received 'x' instead of 'y'",
        "rerun": f"grader check assignments/tcp-echo . --test {name}",
    }
    return TestResult.model_validate(fields | changes)


def _result(tests: list[TestResult], build: BuildResult | None = None) -> SubmissionResult:
    return SubmissionResult.model_validate(
        {
            "assignment_id": "tcp-echo",
            "assignment_title": "TCP echo server",
            "spec_hash": "0" * 64,
            "submission_id": "repo",
            "submission_hash": "1" * 64,
            "grader_version": "0.1.0",
            "backend": "local",
            "started_at": "2026-12-04T10:00:00Z",
            "build": build or BuildResult(ok=True, language="python"),
            "score": sum(t.points for t in tests),
            "max_score": sum(t.max_points for t in tests),
            "tests": tests,
        }
    )


def _everything(result: SubmissionResult, tmp_path: Path) -> tuple[list[str], str, str]:
    """(workflow commands, decoded result JSON, job summary) of one result."""
    env = {"GITHUB_OUTPUT": str(tmp_path / "out"), "GITHUB_STEP_SUMMARY": str(tmp_path / "sum")}
    lines = report_to_github(result, env)
    encoded = parse_output_file((tmp_path / "out").read_text())["result"]
    decoded = json.dumps(reporter_decode(encoded), ensure_ascii=False)
    return lines, decoded, (tmp_path / "sum").read_text()


def test_no_github_output_shows_a_hidden_tests_reason(tmp_path: Path) -> None:
    secret = _test("restart", False, visibility="hidden", reason="SECRET expected b'k3y'",
                   hint="SECRET hint")
    later = _test("large", False, visibility="after_due_date", reason="LATER details")
    lines, decoded, summary = _everything(_result([_test("one", True), secret, later]), tmp_path)
    for text in ("\n".join(lines), decoded, summary):
        assert "SECRET" not in text and "LATER" not in text and "k3y" not in text, text
    assert "::error title=restart%3A 0/10::hidden test%3A only its result is shown" not in lines
    assert "::error title=restart%3A 0/10::hidden test: only its result is shown" in lines
    assert "| restart | 0/10 | ❌ failed | hidden test: only its result is shown |" in summary


def test_student_text_cannot_inject_workflow_commands_or_table_cells(tmp_path: Path) -> None:
    hostile = _test("echo", False, reason="a\n::error title=fake::100/100 | cell <b>%0A")
    lines, _, summary = _everything(_result([hostile]), tmp_path)
    error = next(line for line in lines if line.startswith("::error "))
    assert error == "::error title=echo%3A 0/10::a%0A::error title=fake::100/100 | cell <b>%250A"
    assert [line for line in lines if line.startswith("::error")] == [error]
    assert "| a ::error title=fake::100/100 \\| cell &lt;b&gt;%0A |" in summary, summary


def test_a_failed_build_is_an_error_annotation_and_in_the_summary(tmp_path: Path) -> None:
    build = BuildResult(ok=False, language="c", command="make", log="server.c:3: error: ';'\n")
    skipped = _test("one", False, status="skipped", reason="not run: the build failed")
    lines, decoded, summary = _everything(_result([skipped], build), tmp_path)
    assert lines[0] == "::error title=Build failed::server.c:3: error: ';'"
    assert json.loads(decoded)["tests"][0]["status"] == "fail"
    assert "<summary>The build failed</summary>" in summary


def test_workflow_command_values_are_escaped_as_githubs_toolkit_escapes_them() -> None:
    assert escape_data("100% of\r\nit: a,b") == "100%25 of%0D%0Ait: a,b"
    assert escape_property("echo-one: 0/10, again") == "echo-one%3A 0/10%2C again"


def test_output_file_parser_reads_both_forms() -> None:
    text = "a=1\nresult=eyJ4IjoxfQ==\nb<<EOF_1\nline one\nline=two\nEOF_1\n"
    expected = {"a": "1", "result": "eyJ4IjoxfQ==", "b": "line one\nline=two"}
    assert parse_output_file(text) == expected


@pytest.mark.slow
def test_action_steps_report_a_mutant_to_classroom(tmp_path: Path, runner_temp: Path) -> None:
    workspace = tmp_path / "repo"
    shutil.copytree(MUTANT, workspace, ignore=shutil.ignore_patterns("mutant.yaml"))
    ran = run_action(workspace, tmp_path, runner_temp, {"assignment": str(ASSIGNMENT)})
    grade = ran["logs"]["grade"]
    assert grade.returncode == 1, grade.stdout + grade.stderr  # points lost: the step fails
    data = reporter_decode(ran["outputs"]["result"])
    check_runner_json(data)
    fails = set(yaml.safe_load((MUTANT / "mutant.yaml").read_text())["fails"])
    assert {t["name"] for t in data["tests"] if t["status"] == "fail"} == fails
    assert data["status"] == "fail" and data["max_score"] == 100
    total = sum(t["score"] for t in data["tests"])
    assert total == 40, data  # 60 points lost on the mutant's tests, the 5-point bonus earned
    log = grade.stdout.splitlines()
    assert "::notice title=Autograding complete::Points 40/100" in log
    assert '::notice title=Autograding report::{"totalPoints":40,"maxPoints":100}' in log
    errors = [line for line in log if line.startswith("::error ")]
    assert len(errors) == len(fails), errors
    first = "::error title=echo-one%3A 0/10::step 3 (expect_silence)"
    assert any(e.startswith(first) for e in errors), errors
    assert "%0AHint: " in errors[0], "the message is one line: its line breaks escaped"
    summary = ran["summary"]
    assert summary.startswith("## TCP echo server: 40/100 points (+5 extra credit)"), summary
    assert "| echo-one | 0/10 | ❌ failed |" in summary, summary
    assert "| two-in-one-write | 5/5 | ✅ passed |" in summary, summary


@pytest.mark.slow
def test_action_steps_report_full_marks(tmp_path: Path, runner_temp: Path) -> None:
    workspace = tmp_path / "repo"
    shutil.copytree(ROOT / "reference" / "tcp-echo" / "python", workspace)
    ran = run_action(workspace, tmp_path, runner_temp, {"assignment": str(ASSIGNMENT)})
    assert ran["logs"]["grade"].returncode == 0, ran["logs"]["grade"].stdout
    data = reporter_decode(ran["outputs"]["result"])
    check_runner_json(data)
    assert data["status"] == "pass" and {t["status"] for t in data["tests"]} == {"pass"}
    assert sum(t["score"] for t in data["tests"]) == 105  # the extra credit on top of 100
    assert not [x for x in ran["logs"]["grade"].stdout.splitlines() if x.startswith("::error")]
