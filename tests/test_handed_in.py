"""Textbook-style submissions graded as handed in: the program found among several files, a
crash at start said once; each gets the verdict an instructor would give (programs/verdicts.yaml).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from grader.backends.base import Backend
from grader.backends.local import LocalBackend
from grader.grading import grade
from grader.results import SubmissionResult
from grader.spec import load_assignment
from grader.submission import load_submission

ROOT = Path(__file__).resolve().parent.parent
PROGRAMS = Path(__file__).resolve().parent / "programs"
VERDICTS: dict[str, dict[str, Any]] = yaml.safe_load((PROGRAMS / "verdicts.yaml").read_text())
# A crash at start is seen at once: the test it shows in ends well before the connect timeout
# it would otherwise wait (10 s; measured 0.05-0.3 s, loaded machines take longer), and no
# other test runs at all.
CRASH_SHARE = 0.5


def graded(name: str, backend: Backend) -> SubmissionResult:
    label = VERDICTS[name]
    loaded = load_assignment(ROOT / "assignments" / label["assignment"])
    submission = load_submission(PROGRAMS / name)
    return grade(loaded, submission, backend, rerun_command=lambda test: test)


def check_verdict(name: str, result: SubmissionResult) -> None:
    label = VERDICTS[name]
    why = f"{name}: {label['why']}"
    failed = [(t.name, t.status, t.reason) for t in result.tests if t.status != "passed"]
    if "score" in label:
        assert result.score == label["score"], (why, failed, result.notes)
    if label.get("full_marks"):
        assert result.full_marks, (why, failed, result.notes)
        assert result.score >= result.max_score, (why, failed)
    passed = {t.name for t in result.tests if t.status == "passed"}
    assert set(label.get("passes", [])) <= passed, (why, failed)
    assert result.entry == label.get("entry"), (why, result.entry, result.notes)
    assert (result.entry_ambiguity is not None) == label.get("ambiguous", False), why
    crash = result.startup_crash
    assert (crash.summary if crash else None) == label.get("crash"), (why, crash, failed[:2])
    if crash is not None:
        assert crash.line == label.get("line"), (why, crash)
        assert crash.test == result.tests[0].name, why
        assert result.tests[0].reason.startswith(crash.headline), result.tests[0].reason
        later = {(t.status, t.reason) for t in result.tests[1:]}
        assert later == {("skipped", f"not run: crashed at start (see {crash.test})")}, why
        timeout = load_assignment(ROOT / "assignments" / label["assignment"]).spec.limits
        assert result.tests[0].duration < CRASH_SHARE * timeout.connect_timeout, why
        assert all(t.duration == 0 for t in result.tests[1:]), why
    else:
        assert not any("crashed at start" in t.reason for t in result.tests), why


@pytest.mark.parametrize("name", sorted(VERDICTS))
def test_local_verdict_is_the_instructors(name: str) -> None:
    check_verdict(name, graded(name, LocalBackend()))


@pytest.mark.docker
@pytest.mark.parametrize(
    "name",
    ["echo-c-two-mains", "echo-c-makefile-other-name", "echo-package", "echo-argparse-port",
     "crash-missing-module", "client-crash", "udp-crash", "udp-dies-on-datagram"],
)
def test_docker_verdict_is_the_instructors(name: str, docker_backend: Backend) -> None:
    check_verdict(name, graded(name, docker_backend))


def test_crash_headline_quotes_the_source_around_the_error() -> None:
    crash = graded("crash-indentation", LocalBackend()).startup_crash
    assert crash is not None
    assert crash.headline == (
        "your program crashed at start: IndentationError: unexpected indent (server.py, line 12)"
    )
    assert [(s.number, s.text) for s in crash.source] == [
        (10, "while True:"),
        (11, "    connectionSocket, addr = serverSocket.accept()"),
        (12, "     data = connectionSocket.recv(1024)"),
        (13, "    connectionSocket.send(data)"),
        (14, "    connectionSocket.close()"),
    ]
    assert crash.ended == "exited with code 1"


def test_python2_note_stays_with_the_crash() -> None:
    result = graded("crash-python2", LocalBackend())
    assert any("looks like Python 2 code" in note for note in result.notes), result.notes


def test_ambiguity_is_one_line_naming_the_candidates_and_nothing_runs() -> None:
    result = graded("echo-two-servers", LocalBackend())
    assert result.entry_ambiguity == (
        "cannot tell which file is the server: server_v1.py (binds and listens), server_v2.py "
        "(binds and listens); keep one, or name the one to grade server.py"
    )
    assert not result.build.ok
    assert {t.status for t in result.tests} == {"skipped"}
    assert all(t.duration == 0 for t in result.tests)


def test_report_names_the_file_run_and_why() -> None:
    result = graded("echo-client-and-server", LocalBackend())
    assert (
        "the handout names the program server.py; TCPServer.py was run: it binds and listens"
        in result.notes
    ), result.notes
