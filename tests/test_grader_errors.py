"""A test the grader fails to run (status "error") never marks a student down: it runs again,
and if it fails again, `check` exits 3 and a batch records an infrastructure error."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from grader.api import check
from grader.backends.base import TestRun
from grader.backends.local import LocalBackend, LocalSandbox
from grader.batch import run_batch
from grader.cli import app
from grader.ingest import ingest
from grader.spec import TestSpec, load_assignment
from grader.store import ResultStore

GRADER_FAILURE = "step 0 (listen): the grader could not listen on 127.0.0.1:4: Address in use"


def _failing(monkeypatch: pytest.MonkeyPatch, times: int) -> list[str]:
    """Make the grader fail the first `times` runs of each test; the list records every run."""
    real: Callable[[LocalSandbox, TestSpec], TestRun] = LocalSandbox.run_test
    runs: list[str] = []

    def run_test(self: LocalSandbox, test: TestSpec) -> TestRun:
        runs.append(test.name)
        if runs.count(test.name) <= times:
            driver = {"status": "error", "reason": GRADER_FAILURE, "events": [], "duration": 0.0}
            return TestRun(driver=driver)
        return real(self, test)

    monkeypatch.setattr(LocalSandbox, "run_test", run_test)
    return runs


def test_a_test_the_grader_failed_once_runs_again_and_counts(
    tcp_echo: Path, root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs = _failing(monkeypatch, times=1)
    result = check(
        tcp_echo, root / "reference/tcp-echo/python", backend="local", tests=["echo-one"]
    )
    assert runs == ["echo-one", "echo-one"]
    (test,) = [t for t in result.tests if t.name == "echo-one"]
    assert test.status == "passed" and test.points == test.max_points
    assert result.grader_errors == []
    assert any(
        note.startswith("the grader failed to run test echo-one (step 0 (listen)")
        and note.endswith("and ran it again: this time it passed")
        for note in result.notes
    ), result.notes


def test_check_exits_3_when_the_grader_cannot_run_a_test(
    tcp_echo: Path, root: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _failing(monkeypatch, times=2)
    submission = root / "reference/tcp-echo/python"
    report = tmp_path / "r.html"
    args = ["check", str(tcp_echo), str(submission), "-b", "local", "-t", "echo-one"]
    outcome = CliRunner().invoke(app, [*args, "--report", str(report)])
    assert outcome.exit_code == 3, outcome.output
    assert "grader error: the grader could not run test echo-one (twice)" in outcome.output
    assert report.exists(), "the report still explains what happened"


def test_a_batch_records_an_infrastructure_error_not_a_grade(
    tcp_echo: Path, root: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import shutil  # noqa: PLC0415

    shutil.copytree(root / "reference/tcp-echo/python", tmp_path / "in" / "alice")
    out = tmp_path / "out"
    items = ingest(tmp_path / "in", out / "submissions").items
    store = ResultStore(out)
    loaded = load_assignment(tcp_echo)
    # The reference check runs first and must pass: the grader starts failing after it.
    monkeypatch.setattr("grader.batch.check_references", lambda *a, **k: [])
    runs = _failing(monkeypatch, times=1_000)
    report = run_batch(loaded, items, LocalBackend(), store, workers=1, retry_delays=(0.0,))
    (outcome,) = report.outcomes
    assert outcome.entry.status == "infrastructure_error", outcome.entry
    assert outcome.entry.message.startswith("the grader could not run test echo-one: step 0")
    assert outcome.entry.result is None
    assert len(runs) == 2 * 2 * len(loaded.spec.tests)  # twice per test, for two attempts
