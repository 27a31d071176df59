"""Grading one submission: build once, run each test, turn what was observed into results."""

from __future__ import annotations

import base64
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from grader import __version__
from grader.backends.base import Backend, TestRun
from grader.backends.local import NOT_ISOLATED
from grader.crash import crashed_at_start, describe_crash
from grader.entry import makefile_note
from grader.program import ProgramPlan, plan_program
from grader.results import (
    BuildResult,
    Comparison,
    Event,
    StartupCrash,
    SubmissionResult,
    TestResult,
)
from grader.scenario import step_at
from grader.spec import LoadedAssignment, TestSpec
from grader.submission import Submission, detect_language
from grader.untrusted import read_file

PYTHON2_SIGNS = re.compile(
    rb"^\s*print\s+[\"'\w]|^\s*except\s+\w+\s*,\s*\w+\s*:|\braw_input\s*\(", re.MULTILINE
)

RerunCommand = Callable[[str], str]
OnTest = Callable[[TestResult], None]


def _b64(value: Any) -> bytes:
    return base64.b64decode(value) if value else b""


def _events(raw: list[dict[str, Any]]) -> list[Event]:
    return [
        Event(
            t=max(0.0, float(e["t"])),
            conn=e["conn"],
            kind=e["kind"],
            size=e.get("size", 0),
            data=_b64(e.get("data_b64")),
            sha256=e.get("sha256"),
            note=e.get("note"),
        )
        for e in raw
    ]


def _comparison(raw: dict[str, Any] | None) -> Comparison | None:
    if not raw:
        return None
    got = _b64(raw.get("got_b64"))
    return Comparison(
        kind=raw["kind"],
        expected=_b64(raw.get("expected_b64")),
        got=got,
        got_size=raw.get("got_size", len(got)),
        offset=raw.get("offset", 0),
    )


def _hint(test: TestSpec, path: str | None) -> str | None:
    """The failed step's own hint when it has one (chosen by the check that failed), else the
    test's."""
    step = step_at(test.scenario, path) if path else None
    return (step.hint if step is not None else None) or test.hint


def test_result(test: TestSpec, run: TestRun, rerun: str) -> TestResult:
    """The verdict on one test from what the backend observed."""
    driver = run.driver
    passed = driver["status"] == "passed"
    return TestResult(
        name=test.name,
        description=test.description,
        visibility=test.visibility,
        points=test.points if passed else 0.0,
        max_points=test.points,
        extra_credit=test.extra_credit,
        status=driver["status"],
        reason="" if passed else driver.get("reason", ""),
        failed_step=None if passed else driver.get("step"),
        comparison=None if passed else _comparison(driver.get("comparison")),
        transcript=_events(driver.get("events", [])),
        stdout_tail=run.stdout,
        stderr_tail=run.stderr,
        output_truncated=run.output_truncated,
        diagnostics=run.diagnostics,
        hint=None if passed else _hint(test, driver.get("step")),
        duration=run.duration,
        rerun=rerun,
    )


def _skipped(test: TestSpec, reason: str, rerun: str) -> TestResult:
    return TestResult(
        name=test.name,
        description=test.description,
        visibility=test.visibility,
        points=0.0,
        max_points=test.points,
        extra_credit=test.extra_credit,
        status="skipped",
        reason=reason,
        rerun=rerun,
    )


def _rerun_note(test: str, reason: str, status: str) -> str:
    said = f"the grader failed to run test {test} ({reason}) and ran it again"
    if status == "error":
        return f"{said}; it failed again: this is not a verdict on your program"
    return f"{said}: this time it {status}"


def _python2_note(submission: Submission, results: list[TestResult]) -> str | None:
    if not any(b"SyntaxError" in r.stderr_tail for r in results):
        return None
    root = submission.root
    for rel in submission.files:
        if rel.endswith(".py") and PYTHON2_SIGNS.search(read_file(root / rel)[0]):
            return (
                f"{rel} looks like Python 2 code (print without parentheses, old except syntax "
                "or raw_input); the grader runs Python 3: port it (print(...), input(), "
                "except E as e)."
            )
    return None


def _run_tests(
    loaded: LoadedAssignment,
    submission: Submission,
    backend: Backend,
    plan: ProgramPlan,
    results: list[TestResult],
    notes: list[str],
    timings: dict[str, float],
    *,
    rerun_command: RerunCommand,
    only: list[str] | None,
    on_test: OnTest | None,
) -> tuple[BuildResult, StartupCrash | None]:
    """Build once and run each test in the sandbox; a crash at start, seen in the first test
    run, stops the others at once (each would only see it again)."""
    clock = time.monotonic()
    crash: StartupCrash | None = None
    first = True
    with backend.open(loaded, submission, plan) as sandbox:
        timings["setup"] = time.monotonic() - clock
        build: BuildResult = sandbox.build()
        timings["build"] = build.duration
        if build.program:
            notes.append(makefile_note(plan.entry, build.program))
        tests_started = time.monotonic()
        for test in loaded.spec.tests:
            rerun = rerun_command(test.name)
            if not build.ok:
                result = _skipped(test, "not run: the build failed (see the build log)", rerun)
            elif only and test.name not in only:
                result = _skipped(test, "not selected (--test)", rerun)
            elif crash is not None:
                result = _skipped(test, f"not run: crashed at start (see {crash.test})", rerun)
            else:
                run = sandbox.run_test(test)
                result = test_result(test, run, rerun)
                if result.status == "error":  # the grader's failure: often passing, run again
                    said = result.reason
                    run = sandbox.run_test(test)
                    result = test_result(test, run, rerun)
                    notes.append(_rerun_note(test.name, said, result.status))
                if first and crashed_at_start(run, result):
                    aliases = {plan.entry: plan.entry_copied_from} if plan.entry_copied_from else {}
                    crash = describe_crash(test.name, run, submission, aliases)
                    result.reason = f"{crash.headline}; {result.reason}"
                first = False
            results.append(result)
            if on_test:
                on_test(result)
        timings["tests"] = time.monotonic() - tests_started
    timings.update({f"sandbox_{k}": v for k, v in sandbox.timings.items()})
    return build, crash


def grade(
    loaded: LoadedAssignment,
    submission: Submission,
    backend: Backend,
    *,
    rerun_command: RerunCommand,
    only: list[str] | None = None,
    on_test: OnTest | None = None,
    notes: list[str] | None = None,
) -> SubmissionResult:
    """Grade a submission; a student program's failure is in the result, never raised."""
    spec = loaded.spec
    started_at = datetime.now(UTC)
    clock = time.monotonic()
    notes = list(notes or [])
    if not backend.isolated:
        notes.append(NOT_ISOLATED)
    language = detect_language(submission, spec)
    plan = plan_program(spec, language, submission)
    notes += plan.notes()
    timings: dict[str, float] = {}
    results: list[TestResult] = []
    crash: StartupCrash | None = None
    if plan.ambiguity is not None:  # nothing to run: a verdict like a failed build, at once
        build = BuildResult(ok=False, language=language, log=plan.ambiguity)
        for test in spec.tests:
            skipped = "not run: the grader could not tell which file is your program"
            results.append(_skipped(test, skipped, rerun_command(test.name)))
    else:
        build, crash = _run_tests(
            loaded, submission, backend, plan, results, notes, timings,
            rerun_command=rerun_command, only=only, on_test=on_test,
        )
    if python2 := _python2_note(submission, results):
        notes.append(python2)
    if any(r.status != "passed" for r in results if r.status != "skipped" or not build.ok):
        notes += spec.hints
    timings["total"] = time.monotonic() - clock
    return SubmissionResult(
        assignment_id=spec.id,
        assignment_title=spec.title,
        spec_hash=loaded.spec_hash,
        submission_id=submission.id,
        submission_hash=submission.content_hash,
        grader_version=__version__,
        backend=backend.name,
        image_id=backend.image_id(),
        started_at=started_at,
        build=build,
        timings={k: round(v, 4) for k, v in timings.items()},
        notes=notes,
        entry=build.program or plan.found,
        entry_ambiguity=plan.ambiguity,
        startup_crash=crash,
        score=sum(r.points for r in results),
        max_score=spec.max_score,
        tests=results,
    )
