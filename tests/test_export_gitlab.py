"""The documented GitLab job: its script run as GitLab runs it (its variables in the
environment, in the repository's folder), and the JUnit report it leaves read back."""

from __future__ import annotations

import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
JOB = yaml.safe_load((ROOT / "docs" / "gitlab-ci.yml").read_text())["grade"]
BROKEN_C = """#include <stdio.h>
int main(void) {
    printf("listening\\n")
    return 0;
}
"""


def run_job(workspace: Path) -> subprocess.CompletedProcess[str]:
    """The job's script lines (before_script installs the grader, already installed here)."""
    env = os.environ | {k: str(v) for k, v in JOB["variables"].items()}
    env["ASSIGNMENT"] = str(ROOT / "assignments" / "tcp-echo")
    return subprocess.run(
        ["bash", "-e", "-c", "\n".join(JOB["script"])], cwd=workspace, env=env,
        capture_output=True, text=True, timeout=300, check=False,
    )


def test_the_job_keeps_the_junit_report_as_a_test_artifact() -> None:
    assert JOB["artifacts"]["reports"]["junit"] == "junit.xml"
    assert JOB["artifacts"]["when"] == "always", "a failing job must still upload its report"
    assert any("--junit junit.xml" in line for line in JOB["script"])


@pytest.mark.slow
def test_a_submission_that_does_not_compile_fails_the_build_test(tmp_path: Path) -> None:
    (tmp_path / "server.c").write_text(BROKEN_C)
    done = run_job(tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    suite = ET.parse(tmp_path / "junit.xml").getroot().find("testsuite")
    assert suite is not None
    build = suite.find("testcase[@name='build']")
    assert build is not None and build.find("failure") is not None
    err = build.find("system-err")
    assert err is not None and err.text and "server.c:3:26: error: expected" in err.text, err.text
    skipped = [c.get("name") for c in suite.findall("testcase") if c.find("skipped") is not None]
    assert skipped == ["port-from-argv"], "only the bonus, which costs no point, is skipped"
    assert int(suite.get("failures", "0")) == int(suite.get("tests", "0")) - 1
    assert (tmp_path / "report.html").is_file()


@pytest.mark.slow
def test_the_model_passes_every_junit_test(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "reference" / "tcp-echo" / "python", tmp_path, dirs_exist_ok=True)
    done = run_job(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    suite = ET.parse(tmp_path / "junit.xml").getroot().find("testsuite")
    assert suite is not None
    assert (suite.get("failures"), suite.get("errors"), suite.get("skipped")) == ("0", "0", "0")
