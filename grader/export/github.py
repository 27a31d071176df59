"""GitHub Actions and Classroom: the runner contract Classroom's reporter decodes, the workflow
commands (annotations, the points notices), and the job summary."""

from __future__ import annotations

import base64
import html
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from grader.report import extra_credit
from grader.report.gradescope import readable
from grader.report.student_view import student_view
from grader.results import SubmissionResult, TestResult

RunnerStatus = Literal["pass", "fail", "error"]
OUTPUT_NAME = "result"  # the step output Classroom's reporter reads as <RUNNER>_RESULTS
SUMMARY_LOG = 3000  # characters of a failed build's log in the job summary


def escape_data(text: str) -> str:
    """A workflow command's message: %, CR and LF escaped, as GitHub's toolkit does."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value (title=...): also ':' and ','."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _points(value: float) -> str:
    return f"{round(value, 2):g}"


def _number(value: float) -> int | float:
    """40.0 as 40 (as Classroom's own runners write points), 2.5 as 2.5."""
    return int(value) if float(value).is_integer() else round(value, 2)


def _name(test: TestResult) -> str:
    return f"{test.name} ({extra_credit.NAME})" if test.extra_credit else test.name


def _message(test: TestResult) -> str:
    """Why a test did not pass, with its hint; empty when it passed."""
    if test.status == "passed":
        return ""
    parts = [test.reason or test.status]
    if test.hint:
        parts.append(f"Hint: {test.hint}")
    return readable("\n".join(parts))


def _status(test: TestResult) -> RunnerStatus:
    if test.status == "passed":
        return "pass"
    return "error" if test.status == "error" else "fail"


def runner_result(result: SubmissionResult) -> dict[str, Any]:
    """The v1 JSON of a Classroom test runner (the shape autograding-command-grader writes):
    version, status (pass, fail, error), max_score and one entry per test with its score.
    Extra credit adds its score without raising max_score."""
    if result.grader_errors:
        status: RunnerStatus = "error"
    else:
        status = "pass" if result.build.ok and result.full_marks else "fail"
    return {
        "version": 1,
        "status": status,
        "max_score": result.max_score,
        "tests": [
            {
                "name": _name(t),
                "status": _status(t),
                "message": _message(t) or None,
                "test_code": t.rerun,
                "filename": "",
                "line_no": 0,
                "execution_time": f"{t.duration:.2f}s",
                "score": t.points,
            }
            for t in result.tests
        ],
    }


def encoded_result(result: SubmissionResult) -> str:
    """runner_result as base64 of its UTF-8 JSON: the value of the step's `result` output."""
    text = json.dumps(runner_result(result), ensure_ascii=False, separators=(",", ":"))
    return base64.b64encode(text.encode()).decode("ascii")


def workflow_commands(result: SubmissionResult) -> list[str]:
    """The lines for the job log: an ::error per lost test (a missed bonus is no error), the
    build failure, and the two notices GitHub Classroom reads the points from."""
    lines = []
    if not result.build.ok:
        log = result.build.log.strip()[-SUMMARY_LOG:] or "no output"
        lines.append(f"::error title=Build failed::{escape_data(readable(log))}")
    for test in result.tests:
        if test.status == "passed" or (test.extra_credit and test.status != "error"):
            continue
        title = f"{_name(test)}: {_points(test.points)}/{_points(test.max_points)}"
        lines.append(f"::error title={escape_property(title)}::{escape_data(_message(test))}")
    score, maximum = _points(result.score), _points(result.max_score)
    report = json.dumps(
        {"totalPoints": _number(result.score), "maxPoints": _number(result.max_score)},
        separators=(",", ":"),
    )
    lines.append(f"::notice title=Autograding complete::Points {score}/{maximum}")
    lines.append(f"::notice title=Autograding report::{escape_data(report)}")
    return lines


def _cell(text: str) -> str:
    """Student text in a Markdown table cell: HTML-escaped, one line, no column breaks."""
    one_line = " ".join(readable(text).split())
    return html.escape(one_line).replace("|", "\\|")


def step_summary(result: SubmissionResult) -> str:
    """The job summary: score, one row per test, the build log when it failed, the notes."""
    bonus = extra_credit.result_label(result)
    lines = [
        f"## {_cell(result.assignment_title)}: {_points(result.score)}/"
        f"{_points(result.max_score)} points{f' ({bonus})' if bonus else ''}",
        "",
        "| test | points | status | why |",
        "| --- | ---: | --- | --- |",
    ]
    for t in result.tests:
        mark = "✅" if t.status == "passed" else "❌"
        lines.append(
            f"| {_cell(_name(t))} | {_points(t.points)}/{_points(t.max_points)} | "
            f"{mark} {t.status} | {_cell(_message(t))} |"
        )
    if not result.build.ok:
        log = html.escape(readable(result.build.log.strip()[-SUMMARY_LOG:]))
        lines += ["", "<details open><summary>The build failed</summary>", "",
                  f"<pre>{log}</pre>", "", "</details>"]
    lines += ["", *(f"- {_cell(n)}" for n in result.notes)]
    return "\n".join(lines) + "\n"


def _append(path: str, text: str) -> None:
    with Path(path).open("a", encoding="utf-8") as f:
        f.write(text)


def report_to_github(result: SubmissionResult, env: Mapping[str, str]) -> list[str]:
    """Append `result=<base64>` to $GITHUB_OUTPUT and the summary to $GITHUB_STEP_SUMMARY
    (each when set), and return the workflow commands to print. Hidden tests are redacted:
    everything here is shown to the student."""
    shown = student_view(result)
    if env.get("GITHUB_OUTPUT"):
        _append(env["GITHUB_OUTPUT"], f"{OUTPUT_NAME}={encoded_result(shown)}\n")
    if env.get("GITHUB_STEP_SUMMARY"):
        _append(env["GITHUB_STEP_SUMMARY"], step_summary(shown))
    return workflow_commands(shown)
