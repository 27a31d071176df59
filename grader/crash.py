"""A crash at start: telling one from a test's failure, and reading what ended the program."""

from __future__ import annotations

import re
import signal

from grader.backends.base import TestRun
from grader.driver.state import ProgramState
from grader.results import SourceLine, StartupCrash, TestResult
from grader.submission import Submission
from grader.untrusted import read_text

# Events that show the program was ready: a connection to the server, or the client's own
# connection or datagram to the reference peer.
CONTACT = frozenset({"connect", "accept", "datagram_in"})
FRAME = re.compile(rb'^\s*File "([^"]+)", line (\d+)', re.MULTILINE)
EXCEPTION = re.compile(rb"^([A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt))\b(:.*)?$", re.M)
CONTEXT = 2  # lines shown before and after the error's line


def crashed_at_start(run: TestRun, result: TestResult) -> bool:
    """Whether the program, in this (the first) test, ended before it was ready: a server
    before it listened or bound, a client before it connected or sent; by an exception or a
    non-zero exit. A program that exits on what a test sent it was ready first: not a crash
    at start."""
    state = run.ended
    if result.status == "passed" or state is None:
        return False
    failed = state["signal"] is not None or state["exit_code"] not in (None, 0)
    if not failed and not EXCEPTION.search(run.stderr):
        return False
    if run.ready is not None:  # the backend watched a server start: it knows
        return not run.ready
    return not any(event.kind in CONTACT for event in result.transcript)


def _ended(state: ProgramState) -> str:
    if state["signal"] is not None:
        try:
            return f"killed by {signal.Signals(state['signal']).name}"
        except ValueError:
            return f"killed by signal {state['signal']}"
    return f"exited with code {state['exit_code']}"


def _last_line(data: bytes) -> str:
    lines = [line.strip() for line in data.decode(errors="replace").splitlines() if line.strip()]
    return lines[-1][:300] if lines else ""


def _where(stderr: bytes, files: dict[str, str]) -> tuple[str, int] | None:
    """The submitted file and line of the innermost traceback frame in the submission."""
    for match in reversed(list(FRAME.finditer(stderr))):
        path = match[1].decode(errors="replace")
        for shown, rel in sorted(files.items(), key=lambda item: -len(item[0])):
            if path == shown or path.endswith(f"/{shown}"):
                return rel, int(match[2])
    return None


def describe_crash(
    test: str, run: TestRun, submission: Submission, aliases: dict[str, str] | None = None
) -> StartupCrash:
    """The crash as the report's headline tells it; aliases maps a name the program ran under
    (the entry's copy) to the submitted file."""
    assert run.ended is not None
    exception = list(EXCEPTION.finditer(run.stderr))
    summary = (
        exception[-1][0].decode(errors="replace").strip()[:300]
        if exception
        else _last_line(run.stderr) or _last_line(run.stdout) or _ended(run.ended)
    )
    files = {rel: rel for rel in submission.files} | (aliases or {})
    found = _where(run.stderr, files)
    source: list[SourceLine] = []
    if found is not None:
        lines = read_text(submission.root / found[0]).splitlines()
        first = max(found[1] - CONTEXT, 1)
        source = [
            SourceLine(number=n, text=lines[n - 1])
            for n in range(first, min(found[1] + CONTEXT, len(lines)) + 1)
        ]
    return StartupCrash(
        test=test,
        summary=summary,
        ended=_ended(run.ended),
        file=found[0] if found else None,
        line=found[1] if found else None,
        source=source,
    )
