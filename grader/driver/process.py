"""The program steps, done through Control: start, restart, stop, stdin and the checks on it."""

from __future__ import annotations

import re
from collections.abc import Callable

from . import durations
from .context import Run, Scope, Step
from .netio import pause
from .payload import materialise, substitute
from .state import ProgramState
from .verdict import Verdict, comparison, error, exit_text, plural, quote

PROGRAM = "program"  # the transcript's connection name for what happens to the program
POLL = 0.02  # seconds between two looks at the program's output
STATE_EVERY = 5  # polls between two looks at whether the program still runs


def _record(run: Run, note: str) -> None:
    run.transcript.record(PROGRAM, "process", note=note)


def _end_note(state: ProgramState) -> str:
    """How the program ended, for a "process" event: 'exited with code 1'."""
    if state["signal"] is not None:
        return f"killed by signal {state['signal']}"
    if state["exit_code"] is not None:
        return f"exited with code {state['exit_code']}"
    return "not running"


def start(scope: Scope, step: Step) -> None:
    run = scope.run
    run.control_call("start the program", run.control.start)
    run.listened = False
    _record(run, "started")


def restart(scope: Scope, step: Step) -> None:
    run = scope.run
    run.control_call("restart the program", run.control.restart)
    run.listened = False
    _record(run, "restarted")


def stop(scope: Scope, step: Step) -> None:
    run = scope.run
    state = run.control_call("stop the program", run.control.stop)
    _record(run, f"stopped ({_end_note(state)})")


def expect_running(scope: Scope, step: Step) -> None:
    run = scope.run
    state = run.control_call("read the program's state", run.control.state)
    if not state["running"]:
        _record(run, _end_note(state))
        ended = exit_text(state)
        detail = "the program is not running" + (
            "" if ended == "is not running" else f": it {ended}"
        )
        raise Verdict("failed", detail)


def expect_exit(scope: Scope, step: Step) -> None:
    run = scope.run
    want = step.get("expect_exit")
    if not (want in ("any", "nonzero") or (isinstance(want, int) and not isinstance(want, bool))):
        raise error(f"expect_exit takes an exit code, 'any' or 'nonzero', not {want!r}")
    deadline = run.deadline(step.get("timeout"))

    def wait() -> ProgramState:
        return run.control.wait_exit(max(deadline.remaining(), 0.0))

    state = run.control_call("wait for the program to exit", wait)
    if state["running"]:
        detail = f"waited {deadline.waited()} for the program to exit; it is still running"
        run.transcript.record(PROGRAM, "timeout", note=detail)
        raise Verdict("timeout", detail)
    _record(run, _end_note(state))
    if want == "any":
        return
    if want == "nonzero":
        if state["exit_code"] == 0:
            raise Verdict("failed", "the program exited with code 0, expected a failure (nonzero)")
        return
    if state["exit_code"] != want or state["signal"] is not None:
        raise Verdict("failed", f"the program {exit_text(state)}, expected exit code {want}")


def stdin(scope: Scope, step: Step) -> None:
    run = scope.run
    data = materialise(step["stdin"], scope.variables)
    close = bool(step.get("eof", False))
    run.control_call(
        "write to the program's standard input", lambda: run.control.write_stdin(data, close)
    )
    run.transcript.record(PROGRAM, "stdin", data, note="then closed stdin" if close else None)


def _output_check(text: str, match: str) -> tuple[Callable[[bytes], bool], str, str]:
    """(check, what is awaited, what is missed) for expect_output: 'to contain 'ok'', 'does
    not contain 'ok''."""
    needle = text.encode("utf-8")
    shown = quote(needle)
    if match == "contains":
        return (lambda out: needle in out), f"to contain {shown}", f"does not contain {shown}"
    if match == "exact":
        return (lambda out: out == needle), f"to be exactly {shown}", f"is not exactly {shown}"
    if match == "regex":
        try:
            pattern = re.compile(text)
        except re.error as e:
            raise error(f"the regular expression /{text}/ is invalid: {e}") from e

        def check(out: bytes) -> bool:
            return pattern.search(out.decode("utf-8", "replace")) is not None

        return check, f"to match /{text}/", f"does not match /{text}/"
    raise error(f"expect_output's match must be exact, regex or contains, not {match!r}")


def expect_output(scope: Scope, step: Step) -> None:
    """Poll the program's output until the check holds; a program that exited gets one last
    look (its last output may still be in the pipe) and then fails at once."""
    run = scope.run
    text = substitute(str(step["expect_output"]), scope.variables)
    stream = step.get("stream") or "stdout"
    if stream not in ("stdout", "stderr"):
        raise error(f"expect_output's stream must be stdout or stderr, not {stream!r}")
    check, awaited, unmet = _output_check(text, step.get("match") or "contains")
    deadline = run.deadline(step.get("timeout"))
    exited: ProgramState | None = None
    polls = 0
    while True:
        out = bytes(
            run.control_call(f"read the program's {stream}", lambda: run.control.output(stream))
        )
        if check(out):
            return
        cmp = comparison("output", text.encode("utf-8"), out, preview=run.settings.preview)
        if exited is not None:
            ended = exit_text(exited)
            raise Verdict(
                "failed",
                f"the program {ended} and its {stream} {unmet} "
                f"(it wrote {plural(len(out), 'byte')})",
                comparison=cmp,
            )
        if deadline.passed():
            detail = (
                f"waited {deadline.waited()} for the program's {stream} {awaited}; "
                f"it wrote {plural(len(out), 'byte')}"
            )
            run.transcript.record(PROGRAM, "timeout", note=detail)
            raise Verdict("timeout", detail, comparison=cmp)
        polls += 1
        if polls % STATE_EVERY == 0:
            state = run.program_state()
            if state is not None and not state["running"]:
                exited = state
                _record(run, _end_note(state))
                pause(run.abort, min(0.1, max(deadline.remaining(), 0.0)))
                continue
        pause(run.abort, min(POLL, max(deadline.remaining(), 0.0)))


HANDLERS: dict[str, Callable[[Scope, Step], None]] = {
    "start": start,
    "restart": restart,
    "stop": stop,
    "expect_running": expect_running,
    "expect_exit": expect_exit,
    "stdin": stdin,
    "expect_output": expect_output,
    **durations.HANDLERS,  # an output check too, in a module of its own
}
