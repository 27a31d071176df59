"""A generated batch of tcp-echo entries (graded, rejected, ungraded, hostile) for output tests."""

from __future__ import annotations

import functools
import random
from datetime import timedelta

from conftest import (
    STARTED,
    error_test,
    failed_test,
    hidden_test,
    later_test,
    passed_test,
    skipped_test,
    submission,
    timeout_test,
)

from grader.results import BatchEntry, BuildResult, Student, SubmissionResult, TestResult
from grader.spec import Assignment

XSS = "<script>alert(1)</script>"
CONTROL = "\x00\x1b[31m\x07\x0b\x0c\ufffe"
# (test name, points, visibility, chance that a generated student passes it)
TESTS = [
    ("echo-one", 10, "visible", 0.95),
    ("echo-crlf", 10, "visible", 0.55),
    ("second-client", 10, "visible", 0.6),
    ("large-1mib", 10, "visible", 0.35),
    ("slow-reader", 5, "visible", 0.8),
    ("restart-reuseaddr", 5, "hidden", 0.3),
    ("concurrent-10", 10, "after_due_date", 0.7),
]


def assignment() -> Assignment:
    """The assignment the sample results belong to (the conftest tests, as a spec)."""
    return Assignment.model_validate(
        {
            "id": "tcp-echo",
            "title": "TCP echo server",
            "summary": "Echo every byte back.",
            "role": "server",
            "transport": "tcp",
            "languages": {"python": {"entry": "server.py", "run": "python3 server.py {port}"}},
            "tests": [
                {
                    "name": name,
                    "points": points,
                    "description": f"Checks {name}.",
                    "visibility": visibility,
                    "scenario": [{"connect": "main"}],
                }
                for name, points, visibility, _ in TESTS
            ],
        }
    )


@functools.cache
def _failing() -> dict[str, TestResult]:
    echo_one = passed_test().model_copy(
        update={"status": "failed", "points": 0.0, "reason": "No reply within 5.0 s."}
    )
    concurrent = later_test().model_copy(
        update={"status": "timeout", "points": 0.0, "reason": "3 of 10 clients got no reply."}
    )
    tests = [
        echo_one,
        failed_test(),
        timeout_test(),
        error_test(),
        skipped_test(),
        hidden_test(),
        concurrent,
    ]
    return {t.name: t for t in tests}


@functools.cache
def _passing() -> dict[str, TestResult]:
    out = {}
    for name, test in _failing().items():
        out[name] = test.model_copy(
            update={
                "status": "passed",
                "points": test.max_points,
                "reason": "",
                "failed_step": None,
                "comparison": None,
                "diagnostics": [],
            }
        )
    out["echo-one"] = passed_test()
    out["concurrent-10"] = later_test()
    return out


def graded(
    sid: str, passes: list[bool], *, seconds: float = 6.0, **changes: object
) -> SubmissionResult:
    """A result of student sid that passes the tests flagged in passes (in TESTS order)."""
    tests = [
        (_passing() if ok else _failing())[name].model_copy(update={"rerun": f"--test {name}"})
        for (name, *_), ok in zip(TESTS, passes, strict=True)
    ]
    return submission(
        tests, submission_id=sid, timings={"build": 0.01, "tests": seconds}, **changes
    )


def entry(sid: str, result: SubmissionResult | None = None, **changes: object) -> BatchEntry:
    fields: dict[str, object] = {
        "student": Student(id=sid, name=f"Student {sid}", email=f"{sid}@example.edu"),
        "source": f"{sid}/",
        "status": "graded" if result is not None else "rejected",
        "result": result,
    }
    fields.update(changes)
    return BatchEntry.model_validate(fields)


def build_failure(sid: str) -> SubmissionResult:
    tests = [
        _failing()[name].model_copy(
            update={
                "status": "skipped",
                "points": 0.0,
                "reason": "Not run: the build failed.",
                "comparison": None,
                "transcript": [],
                "stdout_tail": b"",
                "stderr_tail": b"",
                "diagnostics": [],
            }
        )
        for name, *_ in TESTS
    ]
    return submission(
        tests,
        submission_id=sid,
        build=BuildResult(
            ok=False,
            language="c",
            command="gcc -Wall -o server server.c",
            log="server.c:42:5: \x1b[1;31merror:\x1b[0m expected ';' before 'return'\n",
            duration=0.4,
        ),
        timings={"build": 0.4},
    )


def batch(count: int = 40, seed: int = 5) -> list[BatchEntry]:
    """count generated students plus the special cases, in a scrambled order."""
    rng = random.Random(seed)
    entries = []
    for i in range(count):
        sid = f"s{i + 1:03d}"
        passes = [rng.random() < chance for *_, chance in TESTS]
        started = STARTED + timedelta(seconds=7 * i)
        result = graded(sid, passes, seconds=round(rng.uniform(2, 12), 2), started_at=started)
        entries.append(entry(sid, result))
    entries += [
        entry("full-marks", graded("full-marks", [True] * len(TESTS), seconds=3.1)),
        entry("zero", graded("zero", [False] * len(TESTS), seconds=31.5)),
        entry("builds-not", build_failure("builds-not")),
        entry(
            "traversal",
            message="evil.zip: entry '../../etc/passwd' leads out of the submission folder",
            source="evil.zip",
        ),
        entry(
            "unlucky",
            status="infrastructure_error",
            message="The Docker engine did not answer within 30 s (retried 3 times).",
        ),
        entry(
            f"{XSS}\x00id",
            graded(f"{XSS}\x00id", [True, False, True, True, True, False, True], seconds=4.0),
            student=Student(id=f"{XSS}\x00id", name=f'=HYPERLINK("x"){CONTROL}', email=XSS),
        ),
        entry("Ana María Ñ", graded("Ana María Ñ", [True] * 5 + [False, True])),
        entry("CON", graded("CON", [True, False] * 3 + [True])),
        entry("Bob", graded("Bob", [True] * 7)),
        entry("bob", graded("bob", [False] * 6 + [True])),
    ]
    rng.shuffle(entries)
    return entries


def bonus_assignment() -> Assignment:
    """A pinger-like assignment: two graded tests and one worth 5 points of extra credit."""
    tests = [("ping-format", 10, False), ("timeouts", 20, False), ("statistics", 5, True)]
    return Assignment.model_validate(
        {
            "id": "udp-pinger",
            "title": "UDP pinger client",
            "summary": "Ten pings, their RTTs, then statistics.",
            "role": "client",
            "transport": "udp",
            "languages": {"python": {"entry": "c.py", "run": "python3 c.py {host} {port}"}},
            "tests": [
                {
                    "name": name,
                    "points": points,
                    "extra_credit": extra,
                    "description": f"Checks {name}.",
                    "scenario": [{"udp_bind": "server"}, {"start": None}],
                }
                for name, points, extra in tests
            ],
        }
    )


def bonus_entry(sid: str, *, statistics: bool, timeouts: bool = True) -> BatchEntry:
    """A student of bonus_assignment: ping-format passed, timeouts and statistics as asked."""
    spec = bonus_assignment()
    tests = []
    for test in spec.tests:
        passed = {"statistics": statistics, "timeouts": timeouts}.get(test.name, True)
        tests.append(
            TestResult(
                name=test.name,
                description=test.description,
                visibility="visible",
                points=test.points if passed else 0.0,
                max_points=test.points,
                extra_credit=test.extra_credit,
                status="passed" if passed else "failed",
                reason="" if passed else "step 24 (expect_output): no 'loss 10%' in the output",
                rerun=f"--test {test.name}",
            )
        )
    result = submission(
        tests,
        submission_id=sid,
        assignment_id=spec.id,
        assignment_title=spec.title,
        max_score=spec.max_score,
    )
    return entry(sid, result)
