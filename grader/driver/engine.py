"""Running a scenario: step dispatch, sleep, repeat, parallel and barrier, and the result."""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from . import expects, http, process, smtp, tcp, udp
from .context import Group, Run, Scope, Settings, Step
from .netio import pause
from .redirect import Redirection
from .relay import Relay, start_relay
from .verdict import Aborted, Verdict, error, exit_text, seconds

if TYPE_CHECKING:
    from . import Control

# Seconds a parallel client may outlive the test's deadline before the driver gives up on it.
JOIN_GRACE = 5.0
# Seconds a network failure waits for a dying program to be seen dead.
EXIT_GRACE = 0.2


def sleep(scope: Scope, step: Step) -> None:
    run = scope.run
    duration = float(step["sleep"])
    deadline = run.deadline(duration)
    pause(run.abort, max(deadline.remaining(), 0.0))
    if deadline.test_limit is not None:
        raise Verdict(
            "timeout",
            f"the test's {seconds(deadline.test_limit)} limit ran out during a "
            f"{seconds(duration)} sleep",
        )


def barrier(scope: Scope, step: Step) -> None:
    """Wait for every client of the parallel step; a no-op outside one (nobody to wait for)."""
    group = scope.group
    if group is None:
        return
    run = scope.run
    deadline = run.deadline(step.get("timeout"))
    here = group.positions.get(scope.client, "")
    try:
        group.barrier.wait(timeout=max(deadline.remaining(), 0.001))
    except threading.BrokenBarrierError:
        if run.abort.is_set() or deadline.remaining() > 0.005:
            # Another client failed, or its own barrier wait timed out first and says so.
            raise Aborted from None
        late = [
            f"client {client} is still at {where}"
            for client, where in sorted(group.positions.items())
            if where != here
        ]
        raise Verdict(
            "timeout",
            f"waited {deadline.waited()} at the barrier for the other clients"
            + (f"; {', '.join(late)}" if late else ""),
        ) from None


HANDLERS: dict[str, Callable[[Scope, Step], None]] = {
    **tcp.HANDLERS,
    **expects.HANDLERS,
    **udp.HANDLERS,
    **process.HANDLERS,
    **http.HANDLERS,
    **smtp.HANDLERS,
    "sleep": sleep,
    "barrier": barrier,
}
STRUCTURE = ("parallel", "repeat")


def action_of(step: Any) -> str:
    """The step's one action key; anything else is an invalid scenario."""
    if not isinstance(step, Mapping):
        raise error(f"a step must be a mapping, not {step!r}")
    found = [key for key in step if key in HANDLERS or key in STRUCTURE]
    if len(found) != 1:
        raise error(
            f"a step needs exactly one action key; this one has {', '.join(found) or 'none'} "
            f"(its keys: {', '.join(map(str, step))})"
        )
    return str(found[0])


def run_steps(scope: Scope, steps: Any, path: str, local: str) -> None:
    """Run steps in order. ``path`` prefixes each step's full path ("0.client 3."), ``local``
    its path within the innermost parallel client, which the reason shows."""
    if not isinstance(steps, list):
        raise error(f"steps must be a list, not {steps!r}")
    run = scope.run
    for index, step in enumerate(steps):
        here, label = f"{path}{index}", f"step {local}{index}"
        try:
            action = action_of(step)
            label = f"{label} ({action})"
            if scope.group is not None:
                scope.group.positions[scope.client] = label
            _check_test_deadline(run)
            if action == "parallel":
                _parallel(scope, step, f"{here}.")
            elif action == "repeat":
                _repeat(scope, step, f"{here}.", f"{local}{index}.")
            else:
                HANDLERS[action](scope, step)
        except Verdict as v:
            v.locate(here, label)
            raise
        except (KeyError, TypeError, ValueError) as e:
            # The scenario model rules these out; a request built by hand may still have them.
            malformed = error(f"this step is malformed ({type(e).__name__}: {e})")
            malformed.locate(here, label)
            raise malformed from e
        finally:
            scope.flush()


def _check_test_deadline(run: Run) -> None:
    if time.monotonic() >= run.test_deadline:
        limit = seconds(run.settings.test_timeout)
        raise Verdict("timeout", f"the test's {limit} limit ran out before this step")


def _repeat(scope: Scope, step: Step, path: str, local: str) -> None:
    times = int(step["times"])
    before = scope.variables.get("iteration")
    try:
        for k in range(times):
            scope.variables["iteration"] = str(k)
            run_steps(scope, step["repeat"], f"{path}iteration {k}.", f"{local}iteration {k}.")
    finally:
        if before is None:
            scope.variables.pop("iteration", None)
        else:
            scope.variables["iteration"] = before


def _parallel(scope: Scope, step: Step, path: str) -> None:
    """N client threads with private namespaces, started together; the first failure wins
    and stops the others."""
    run = scope.run
    count = int(step["clients"])
    if count < 1:
        raise error(f"parallel needs at least one client, not {count}")
    steps = step["parallel"]
    group = Group(threading.Barrier(count), {})
    run.add_group(group)
    failures: list[Verdict] = []
    lock = threading.Lock()

    def fail(verdict: Verdict) -> None:
        with lock:
            failures.append(verdict)
        run.stop_everything()

    def client(i: int) -> None:
        mine = Scope(
            run,
            prefix=f"{scope.prefix}c{i}.",
            variables={**scope.variables, "client": str(i)},
            parent=scope,
            group=group,
            client=i,
        )
        try:
            group.barrier.wait(timeout=max(run.test_deadline - time.monotonic(), 0.001))
            run_steps(mine, steps, f"{path}client {i}.", "")
        except threading.BrokenBarrierError:
            if not run.abort.is_set():
                fail(Verdict("timeout", "the clients could not all start before the test's limit"))
        except Aborted:
            pass  # another client failed; its verdict is the one reported
        except Verdict as v:
            v.clients.insert(0, i)
            fail(v)
        except Exception as e:  # noqa: BLE001 -- a driver bug in a thread must reach the result
            run.transcript.record("driver", "error", note=traceback.format_exc(limit=-5))
            bug = error(f"driver error in client {i}: {e!r}")
            bug.clients.insert(0, i)
            fail(bug)
        finally:
            mine.close_all()

    threads = [
        threading.Thread(target=client, args=(i,), name=f"driver client {i}", daemon=True)
        for i in range(count)
    ]
    for thread in threads:
        thread.start()
    until = run.test_deadline + JOIN_GRACE
    for thread in threads:
        thread.join(max(until - time.monotonic(), 0.0))
    stuck = sum(thread.is_alive() for thread in threads)
    if failures:
        raise failures[0]
    if stuck:
        run.stop_everything()
        raise error(f"{stuck} parallel clients did not stop in time (a driver bug)")


def _annotate(run: Run, verdict: Verdict) -> None:
    """Add the program's death to a network failure: the likely cause, for the student.

    A program closes its connections while it dies, a moment before it is seen dead: when it
    ended a connection, it gets a moment to finish exiting.
    """
    state = run.program_state(wait=EXIT_GRACE if run.peer_ended else 0.0)
    if state is None or state["running"]:
        return
    verdict.detail += f" — the program {exit_text(state, perfect=True)}"
    run.transcript.record("program", "process", note=exit_text(state))


def run(request: Mapping[str, Any], control: Control) -> dict[str, Any]:
    """Run one test's scenario against the program; see the package docstring for the shapes.

    Never raises for anything the student program does, nor for a bad request: every outcome
    is a result. The sockets it opened are closed and its threads ended when it returns.
    """
    started = time.monotonic()
    try:
        settings = Settings.from_request(request)
    except ValueError as e:
        return _result(error(f"invalid driver request: {e}"), [], started)
    state = Run(settings, control, started)
    top = Scope(state)
    verdict: Verdict | None = None
    relay: Relay | None = None
    redirection: Redirection | None = None
    try:
        if request.get("redirect") is not None:
            redirection = _start_redirection(request, state)
        if request.get("impair") is not None:
            relay, host, port = _start_relay(request, state)
            state.settings = replace(settings, host=host, port=port)
        run_steps(top, settings.steps, "", "")
    except Verdict as v:
        verdict = v
    except Aborted:
        verdict = error("the run stopped without a failure to report (a driver bug)")
    except Exception as e:  # noqa: BLE001 -- a driver bug is an "error" result, never a crash
        state.transcript.record("driver", "error", note=traceback.format_exc(limit=-5))
        verdict = error(f"driver error: {e!r}")
    finally:
        top.close_all()
        state.close_all()
        if relay is not None:
            relay.close()
        if redirection is not None:
            redirection.close()
    if verdict is not None and verdict.network and verdict.status in ("failed", "timeout"):
        _annotate(state, verdict)
    return _result(verdict, state.transcript.events(), started)


def _start_relay(request: Mapping[str, Any], state: Run) -> tuple[Relay, str, int]:
    """Start the impairment relay the request asks for; a bad configuration or a port it
    cannot bind is the grader's error."""
    settings = state.settings
    transport = request.get("transport", "tcp")
    if transport not in ("tcp", "udp"):
        raise error(f"invalid driver request: 'transport' must be tcp or udp, not {transport!r}")
    try:
        return start_relay(
            request["impair"], transport, settings.role, settings.host, settings.port,
            state.transcript, settings.connect_timeout,
        )
    except ValueError as e:
        raise error(f"invalid driver request: {e}") from e
    except OSError as e:
        raise error(f"the grader could not start the impairment relay: {e}") from e


def _start_redirection(request: Mapping[str, Any], state: Run) -> Redirection:
    """Start the DNS responder (and catcher) of docker's redirection the request asks for; a
    bad configuration or a port it cannot bind is the grader's error."""
    try:
        return Redirection(request["redirect"], state.transcript)
    except ValueError as e:
        raise error(f"invalid driver request: {e}") from e
    except OSError as e:
        raise error(f"the grader could not start its side of the redirection: {e}") from e


def _result(
    verdict: Verdict | None, events: list[dict[str, Any]], started: float
) -> dict[str, Any]:
    return {
        "status": "passed" if verdict is None else verdict.status,
        "reason": "" if verdict is None else verdict.reason(),
        "step": None if verdict is None else verdict.step,
        "comparison": None if verdict is None else verdict.comparison,
        "events": events,
        "duration": round(time.monotonic() - started, 6),
    }
