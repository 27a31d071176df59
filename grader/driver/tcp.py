"""The TCP steps other than reads: connect, send, half_close, close, reset, listen, accept."""

from __future__ import annotations

import errno
import os
import socket
import time
from collections.abc import Callable

from .connection import Listener, TcpConnection, tcp_connection
from .context import Deadline, Scope, Step
from .netio import Poller, pause, resolve, show
from .payload import fragments, materialise
from .state import ProgramState
from .verdict import Verdict, error, failed, plural, seconds, timed_out

PENDING = -1  # our deadline passed while a connect was still pending
ATTEMPT_GRACE = 0.05  # seconds any connection attempt may take, even past the deadline
REFUSALS = {errno.ECONNREFUSED, errno.ECONNRESET, errno.ECONNABORTED}


# --- Client side ---------------------------------------------------------------------------------


def _attempt(scope: Scope, until: float) -> tuple[socket.socket | None, int, str]:
    """One connection attempt: (socket, 0, '') or (None, errno or PENDING, what went wrong)."""
    settings = scope.run.settings
    try:
        family, address = resolve(settings.host, settings.port, socket.SOCK_STREAM)
    except OSError as e:
        return None, errno.EHOSTUNREACH, f"cannot resolve {settings.host} ({e})"
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setblocking(False)
        code = sock.connect_ex(address)
        if code in (errno.EINPROGRESS, errno.EWOULDBLOCK, errno.EALREADY):
            poller = Poller(sock, scope.run.abort)
            try:
                # An attempt begun just before the deadline still gets time to be refused:
                # "no answer" must mean no answer, not that we stopped listening for one.
                until = max(until, time.monotonic() + ATTEMPT_GRACE)
                _, writable = poller.wait(until, read=False, write=True)
            finally:
                poller.close()
            if not writable:
                sock.close()
                return None, PENDING, "no answer"
            code = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
    except BaseException:
        sock.close()
        raise
    if code == 0:
        return sock, 0, ""
    sock.close()
    return None, code, os.strerror(code).lower()


RELISTEN_GRACE = 2.0


def connect(scope: Scope, step: Step) -> None:
    """Connect, retrying while the program is not listening yet (it may still be starting)."""
    name = step.get("connect") or "main"
    label = scope.label(name)
    sock = dial(scope, label, step.get("timeout"))
    conn = TcpConnection(sock, name, label, scope.run)
    scope.bind(name, conn)
    conn.record("connect", note=_ends(sock))


def dial(scope: Scope, label: str, timeout: float | None) -> socket.socket:
    """A connected socket to the program, retrying while it does not listen yet (see connect);
    retries and a timeout are recorded under label, the connect event is the caller's."""
    run = scope.run
    settings = run.settings
    target = show((settings.host, settings.port))
    # Readiness: wait up to connect_timeout for the program to listen. Once it has listened in
    # this run (and was not restarted), a refusal means it stopped listening: no long wait.
    default = (
        min(settings.step_timeout, RELISTEN_GRACE) if run.listened else settings.connect_timeout
    )
    deadline = run.deadline(timeout, default)
    attempts = 0
    problem = ""
    delay = 0.02
    while True:
        sock, code, why = _attempt(scope, deadline.at)
        if sock is not None:
            break
        problem = why
        if code == PENDING:
            run.transcript.record(label, "timeout", note=f"connecting to {target}: no answer")
            raise timed_out(f"waited {deadline.waited()} to connect to {target}: no answer")
        attempts += 1
        state = run.program_state()
        if state is not None and not state["running"]:
            _record_retries(scope, label, attempts, problem, deadline)
            when = "and no longer listens on" if run.listened else "before it listened on"
            raise Verdict("failed", _gone(state, f"{when} port {settings.port}"))
        pause(run.abort, min(delay, max(deadline.remaining(), 0.0)))
        delay = min(delay * 1.5, 0.05)
        # Give up only here, before a new attempt: one begun at the deadline could not finish.
        if deadline.remaining() <= 0:
            _record_retries(scope, label, attempts, problem, deadline)
            tip = " (is the program listening on that port?)" if code in REFUSALS else ""
            raise failed(
                f"could not connect to {target} within {deadline.waited()}: {problem}, "
                f"{plural(attempts, 'attempt')}{tip}"
            )
    _record_retries(scope, label, attempts, problem, deadline)
    run.listened = True
    return sock


def _ends(sock: socket.socket) -> str:
    """'local -> remote' for the connect event; the remote may already have reset it."""
    try:
        return f"{show(sock.getsockname())} -> {show(sock.getpeername())}"
    except OSError as e:
        return f"connected, then {e.strerror or e}"


def _record_retries(
    scope: Scope, label: str, attempts: int, problem: str, deadline: Deadline
) -> None:
    """One note for all failed attempts: an event per retry would flood the transcript."""
    if attempts:
        spent = seconds(time.monotonic() - deadline.begun)
        note = f"{plural(attempts, 'attempt')} failed ({problem}) over {spent}"
        scope.run.transcript.record(label, "connect_retry", note=note)


def send(scope: Scope, step: Step) -> None:
    conn = tcp_connection(scope, step.get("conn"))
    data = materialise(step["send"], scope.variables)
    drain = bool(step.get("drain", True))
    gap = float(step.get("gap", 0.02))
    deadline = scope.run.deadline(step.get("timeout"))
    offset = 0
    for index, size in enumerate(fragments(len(data), step.get("chunks"))):
        if index and gap:
            conn.idle(min(time.monotonic() + gap, deadline.at), drain=drain)
        conn.flush()  # the echo of this fragment starts a new "recv" event
        t = scope.run.transcript.now()
        piece = data[offset : offset + size]
        sent, problem = conn.send(piece, deadline.at, drain=drain)
        if sent:
            scope.run.transcript.record(conn.label, "send", piece[:sent], t=t)
        offset += sent
        if problem is not None:
            raise _send_problem(conn, problem, offset, len(data), deadline, drain=drain)


def _send_problem(
    conn: TcpConnection, problem: str, sent: int, total: int, deadline: Deadline, *, drain: bool
) -> Verdict:
    progress = f"after {sent} of {total} bytes"
    if problem == "timeout":
        aside = "" if drain else " (this step does not read the replies meanwhile)"
        return conn.timeout(
            f"waited {deadline.waited()} to send {total} bytes on '{conn.name}', sent {sent}: "
            f"the program stopped reading{aside}",
        )
    if problem == "reset":
        return failed(
            f"the program closed the connection '{conn.name}' (reset) while we were sending "
            f"({progress})"
        )
    if problem == "closed":
        return failed(
            f"the program closed the connection '{conn.name}' while we were sending ({progress})"
        )
    return failed(f"sending on '{conn.name}' failed {progress}: {problem}")


# --- Ending connections ------------------------------------------------------------------------


def half_close(scope: Scope, step: Step) -> None:
    conn = tcp_connection(scope, step.get("half_close"))
    try:
        conn.shutdown_write()
    except OSError as e:
        raise failed(
            f"could not shut down the sending side of '{conn.name}': {e.strerror or e}"
        ) from e


def close(scope: Scope, step: Step) -> None:
    name = step.get("close") or "main"
    scope.lookup_any(name).close(record=True)
    scope.forget(name)


def reset(scope: Scope, step: Step) -> None:
    name = step.get("reset") or "main"
    tcp_connection(scope, name).reset_and_close()
    scope.forget(name)


# --- Server side (student clients) -------------------------------------------------------------


def listen(scope: Scope, step: Step) -> None:
    settings = scope.run.settings
    name = step.get("listen") or "main"
    where = show((settings.host, settings.port))
    try:
        family, address = resolve(settings.host, settings.port, socket.SOCK_STREAM)
        sock = socket.socket(family, socket.SOCK_STREAM)
    except OSError as e:
        raise error(f"the grader could not listen on {where}: {e}") from e
    try:
        # Reuse the port at once: the previous test may have left connections in TIME_WAIT.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(64)
    except OSError as e:
        sock.close()
        raise error(f"the grader could not listen on {where}: {e.strerror or e}") from e
    listener = Listener(sock, name, scope.label(name), scope.run)
    scope.bind(name, listener)
    scope.run.transcript.record(listener.label, "listen", note=f"listening on {where}")


def accept(scope: Scope, step: Step) -> None:
    run = scope.run
    name = step.get("accept") or "main"
    listener = scope.lookup(
        step.get("listener") or "main", Listener, "listening socket", inherit=True
    )
    deadline = run.deadline(step.get("timeout"))
    while True:
        # Look at the program every 0.1 s: a client that exited will never connect.
        accepted = listener.accept(min(deadline.at, time.monotonic() + 0.1))
        if accepted is not None:
            break
        state = run.program_state()
        if state is not None and not state["running"]:
            accepted = listener.accept(time.monotonic())  # it may have connected, then exited
            if accepted is not None:
                break
            raise Verdict("failed", _gone(state, f"without connecting to port {run.settings.port}"))
        if deadline.passed():
            detail = f"the program did not connect within {deadline.waited()}"
            run.transcript.record(listener.label, "timeout", note=detail)
            raise Verdict("timeout", detail)
    sock, peer = accepted
    conn = TcpConnection(sock, name, scope.label(name), run)
    scope.bind(name, conn)
    conn.record("accept", note=f"from {show(peer)}")


def _gone(state: ProgramState, clause: str) -> str:
    """The program's end in the words of the brief: 'the program exited (code 1) <clause>'."""
    if state["signal"] is not None:
        return f"the program was killed by signal {state['signal']} {clause}"
    if state["exit_code"] is not None:
        return f"the program exited (code {state['exit_code']}) {clause}"
    return f"the program stopped {clause}"


HANDLERS: dict[str, Callable[[Scope, Step], None]] = {
    "connect": connect,
    "send": send,
    "half_close": half_close,
    "close": close,
    "reset": reset,
    "listen": listen,
    "accept": accept,
}
