"""The Gradescope autograder zip, built for real and run in a container laid out like
Gradescope's (/autograder/source, submission, results), offline, from the runtime image."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import uuid
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml

from grader.export.gradescope import PYTHON_VERSIONS
from grader.images import runtime_reference
from grader.spec import Assignment, load_assignment

ROOT = Path(__file__).resolve().parent.parent
MUTANT = ROOT / "reference" / "tcp-echo" / "mutants" / "appends-newline"
# Gradescope's documented results.json (autograder specifications, "Output format")
TOP_KEYS = {
    "score", "execution_time", "output", "output_format", "test_output_format",
    "test_name_format", "visibility", "stdout_visibility", "extra_data", "tests", "leaderboard",
}
TEST_KEYS = {
    "score", "max_score", "status", "name", "name_format", "number", "output",
    "output_format", "tags", "visibility", "extra_data",
}
FORMATS = {"text", "html", "simple_format", "md", "ansi"}
VISIBILITIES = {"hidden", "after_due_date", "after_published", "visible"}
HIDDEN = {"echo-one": "hidden", "half-close": "after_due_date"}
# A server that tries to read the spec (the hidden tests' expected bytes) and to write
# results.json, then echoes as the model does: what it printed is in its tests' output.
SNOOP = """
import os as _os
for _what, _path, _mode in (
    ("read the spec", "/autograder/source/assignment/tcp-echo/assignment.yaml", "r"),
    ("wrote results", "/autograder/results/results.json", "w"),
):
    try:
        open(_path, _mode).close()
        print("SNOOP", _what, flush=True)
    except OSError as _e:
        print("SNOOP denied:", _what, type(_e).__name__, flush=True)
"""

# What run_autograder meets on Gradescope, in order: the zip extracted into /autograder/source,
# setup.sh run once as root, then for each submission a fresh submission/ and results/.
CONTAINER_SCRIPT = r"""
set -eu
mkdir -p /autograder/source /autograder/results /out
cd /autograder/source
python3 -m zipfile -e /in/autograder.zip .
chmod +x setup.sh run_autograder  # zipfile drops the modes that Gradescope's unzip keeps
bash ./setup.sh > /out/setup.log 2>&1
cp run_autograder /autograder/run_autograder
for name in model mutant empty snoop broken; do
  rm -rf /autograder/submission /autograder/results/* /autograder/submission_metadata.json
  mkdir -p /autograder/submission
  cp -r /in/subs/$name/. /autograder/submission/
  if [ -f /in/subs/$name.meta.json ]; then
    cp /in/subs/$name.meta.json /autograder/submission_metadata.json
  fi
  if [ $name = broken ]; then mv /autograder/source/assignment /autograder/source/gone; fi
  (cd /autograder && ./run_autograder > /out/$name.stdout 2>&1)
  cp /autograder/results/results.json /out/$name.json
done
"""


@pytest.fixture(scope="module")
def autograder_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tcp-echo with one hidden and one after-due-date test, exported."""
    folder = tmp_path_factory.mktemp("assignments") / "tcp-echo"
    shutil.copytree(ROOT / "assignments" / "tcp-echo", folder)
    spec_path = folder / "assignment.yaml"
    data = yaml.safe_load(spec_path.read_text())
    for test in data["tests"]:
        if test["name"] in HIDDEN:
            test["visibility"] = HIDDEN[test["name"]]
    spec_path.write_text(yaml.safe_dump(data, sort_keys=False))
    out = tmp_path_factory.mktemp("export") / "autograder.zip"
    # the README's command: grader export gradescope assignments/tcp-echo -o autograder.zip
    done = subprocess.run(
        [sys.executable, "-m", "grader.cli", "export", "gradescope", str(folder), "-o", str(out)],
        capture_output=True, text=True, timeout=900, check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return out


def check_schema(results: dict[str, Any]) -> None:
    """results.json as Gradescope documents it: fields, types, score = sum of test scores."""
    assert set(results) <= TOP_KEYS, set(results) - TOP_KEYS
    assert isinstance(results["score"], int | float), results
    assert isinstance(results["execution_time"], int | float), results
    assert isinstance(results["output"], str) and results["output_format"] in FORMATS
    assert results["visibility"] in VISIBILITIES
    # stdout holds hidden tests' details: it stays for instructors only (the default)
    assert "stdout_visibility" not in results
    for test in results["tests"]:
        assert set(test) <= TEST_KEYS, set(test) - TEST_KEYS
        assert isinstance(test["score"], int | float) and isinstance(test["max_score"], int | float)
        assert isinstance(test["name"], str) and isinstance(test["number"], str)
        assert test["status"] in {"passed", "failed"} and test["visibility"] in VISIBILITIES
        assert isinstance(test["output"], str) and test["output_format"] in FORMATS
    total = sum(t["score"] for t in results["tests"])
    assert abs(total - results["score"]) < 1e-9, (total, results["score"])


def check_tests_follow_spec(results: dict[str, Any], spec: Assignment) -> None:
    names = [t["name"].removesuffix(" (extra credit)") for t in results["tests"]]
    assert names == [t.name for t in spec.tests]
    assert [t["visibility"] for t in results["tests"]] == [t.visibility for t in spec.tests]
    assert sum(t["max_score"] for t in results["tests"]) == spec.max_score


def test_a_bad_assignment_is_one_line_and_exit_2(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "grader.cli", "export", "gradescope", str(tmp_path / "nope"),
         "-o", str(tmp_path / "a.zip")],
        capture_output=True, text=True, check=False,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("error: ") and "Traceback" not in done.stderr, done.stderr
    assert not (tmp_path / "a.zip").exists()


def test_zip_holds_the_scripts_at_its_root_the_wheels_and_the_assignment(
    autograder_zip: Path,
) -> None:
    with zipfile.ZipFile(autograder_zip) as archive:
        names = archive.namelist()
        modes = {i.filename: i.external_attr >> 16 for i in archive.infolist()}
        versions = archive.read("python-versions.txt").decode().split()
    assert names[:2] == ["setup.sh", "run_autograder"], names[:3]
    assert all(modes[n] & 0o111 for n in ("setup.sh", "run_autograder")), modes
    assert versions == list(PYTHON_VERSIONS)
    wheels = [n.removeprefix("wheels/") for n in names if n.startswith("wheels/")]
    assert any(w.startswith("socket_grader-0.1.0-") for w in wheels), wheels
    assert any(w.startswith("pip-") for w in wheels), wheels
    for version in versions:  # the one binary wheel the grader cannot start without
        tag = f"cp{version.replace('.', '')}"
        assert any(w.startswith("pydantic_core-") and f"-{tag}-" in w for w in wheels), tag
    assignment = sorted(n for n in names if n.startswith("assignment/"))
    assert assignment == ["assignment/tcp-echo/README.md", "assignment/tcp-echo/assignment.yaml"]
    assert not any("reference" in n or "mutant" in n for n in names)


def _subs(folder: Path) -> Path:
    subs = folder / "subs"
    shutil.copytree(ROOT / "reference" / "tcp-echo" / "python", subs / "model")
    shutil.copytree(MUTANT, subs / "mutant", ignore=shutil.ignore_patterns("mutant.yaml"))
    (subs / "empty").mkdir()
    shutil.copytree(ROOT / "reference" / "tcp-echo" / "python", subs / "snoop")
    server = subs / "snoop" / "server.py"
    server.write_text(SNOOP + server.read_text())
    shutil.copytree(ROOT / "reference" / "tcp-echo" / "python", subs / "broken")
    metadata = {
        "id": 123456,
        "created_at": "2026-12-01T10:00:00.000000-08:00",
        "assignment": {"id": 1, "title": "TCP echo"},
        "users": [{"email": "ana@example.edu", "id": 42, "name": "Ana Lima"}],
    }
    (subs / "model.meta.json").write_text(json.dumps(metadata))
    return subs


def _run_container(tmp_path: Path, zip_path: Path) -> Path:
    """Run the script in a container with no network; the /out folder, copied back."""
    inbox = tmp_path / "in"
    inbox.mkdir()
    shutil.copy(zip_path, inbox / "autograder.zip")
    _subs(inbox)
    name = f"sg-test-gradescope-{uuid.uuid4().hex[:8]}"
    docker = ["docker"]
    subprocess.run(
        [*docker, "create", "--name", name, "--network", "none", "--user", "0",
         "--label", "socket-grader.test=gradescope", runtime_reference(),
         "bash", "-c", CONTAINER_SCRIPT],
        check=True, capture_output=True,
    )
    try:
        subprocess.run([*docker, "cp", str(inbox), f"{name}:/in"], check=True, capture_output=True)
        done = subprocess.run(
            [*docker, "start", "-a", name], capture_output=True, text=True, timeout=600, check=False
        )
        out = tmp_path / "out"
        subprocess.run([*docker, "cp", f"{name}:/out", str(out)], check=True, capture_output=True)
        assert done.returncode == 0, done.stdout + done.stderr + _logs(out)
        return out
    finally:
        subprocess.run([*docker, "rm", "-f", name], capture_output=True, check=False)


def _logs(out: Path) -> str:
    return "".join(f"\n--- {p.name}\n{p.read_text()}" for p in sorted(out.glob("*.*")))


@pytest.mark.docker
@pytest.mark.slow
def test_setup_then_run_autograder_in_a_gradescope_container(
    docker_backend: object, autograder_zip: Path, tmp_path: Path
) -> None:
    out = _run_container(tmp_path, autograder_zip)
    with zipfile.ZipFile(autograder_zip) as archive:
        archive.extractall(tmp_path / "zip", [n for n in archive.namelist() if "assignment" in n])
    spec = load_assignment(tmp_path / "zip" / "assignment" / "tcp-echo").spec
    results = {n: json.loads((out / f"{n}.json").read_text()) for n in
               ("model", "mutant", "empty", "snoop", "broken")}
    for name, data in results.items():
        check_schema(data)
        assert data["output"], name
    logs = _logs(out)

    model = results["model"]
    check_tests_follow_spec(model, spec)
    assert all(t["status"] == "passed" for t in model["tests"]), logs
    assert model["score"] == spec.max_score + 5, "full marks and the extra credit"
    assert "without isolation" not in model["output"], "the container is the sandbox"
    model_log = (out / "model.stdout").read_text()
    assert "autograder: tcp-echo for Ana Lima" in model_log, "from submission_metadata.json"

    mutant = results["mutant"]
    check_tests_follow_spec(mutant, spec)
    failed = {t["name"] for t in mutant["tests"] if t["status"] == "failed"}
    assert failed == set(yaml.safe_load((MUTANT / "mutant.yaml").read_text())["fails"]), logs
    by_name = {t["name"]: t for t in mutant["tests"]}
    assert by_name["echo-one"]["output"].split("\n\n") == [
        "hidden test: only its result is shown",
        "Re-run this test alone: grader check tcp-echo . --test echo-one",
    ], by_name["echo-one"]
    # Gradescope itself withholds an after_due_date test until the due date: it gets the details
    assert by_name["half-close"]["visibility"] == "after_due_date"
    assert by_name["half-close"]["output"].startswith("step 4 (expect_eof)"), by_name["half-close"]
    assert "Re-run this test alone: grader check tcp-echo . --test echo-many" in (
        by_name["echo-many"]["output"]
    )
    # the instructor-only stdout keeps the hidden test's reason
    assert "echo-one  0/10  step 3 (expect_silence)" in (out / "mutant.stdout").read_text()
    assert "expect_silence" not in json.dumps(mutant)

    empty = results["empty"]
    assert empty["score"] == 0 and "could not be graded" in empty["output"], empty
    assert "empty" in empty["output"]

    snoop = json.dumps(results["snoop"])
    assert "SNOOP denied: read the spec PermissionError" in snoop, snoop
    assert "SNOOP denied: wrote results PermissionError" in snoop, snoop
    assert "SNOOP read" not in snoop and "SNOOP wrote" not in snoop, snoop
    assert results["snoop"]["score"] == spec.max_score + 5, "and it is graded as the model"

    broken = results["broken"]
    assert broken["score"] == 0 and broken["extra_data"]["grader_error"], broken
    assert broken["output"].startswith("The autograder failed"), broken
