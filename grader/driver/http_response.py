"""http_response: read a whole HTTP/1.x response on a connection and check it by the protocol
(``check: protocol``), or only that the request was answered (``check: served``)."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

from .connection import TcpConnection, tcp_connection
from .context import Deadline, Scope, Step
from .http_message import (
    Head,
    Violation,
    content_length,
    dechunk,
    example_status_line,
    is_chunked,
    parse_head,
    unfinished_head,
    without_body,
)
from .payload import materialise
from .verdict import Verdict, comparison, failed, first_difference, plural, quote, timed_out

# Bytes of response read at most: a runaway server must not fill the grader's memory.
MAX_RESPONSE = 16 * 1024 * 1024
TRAILING_CRLF = b"\r\n"
# served: once the answer holds, how long a quiet connection is waited on before it counts as
# served (reading on spares a server that still sends a reset for closing early).
SETTLE = 0.5
# served: where a body may begin when the head is not parsed: after one of the first lines.
MAX_BODY_STARTS = 256


class _Taken:
    """The bytes a step consumes of a connection's buffer, to be put back with ``keep``."""

    def __init__(self, conn: TcpConnection) -> None:
        self.conn = conn
        self.data = bytearray()

    def __call__(self, count: int) -> bytes:
        data = self.conn.take(count)
        self.data += data
        return data


def http_response(scope: Scope, step: Step) -> None:
    conn = tcp_connection(scope, step.get("conn"))
    deadline = scope.run.deadline(step.get("timeout"))
    take = _Taken(conn)
    if step.get("check", "protocol") == "served":
        _served(conn, step, scope, deadline, take)
    else:
        _protocol(conn, step, scope, deadline, take)
    if step.get("keep"):
        # The response stays for the next step: a response checked in stages, each stage
        # with its own hint.
        conn.buffer[:0] = take.data


def _wanted_status(step: Step) -> int | None:
    value = step.get("http_response", "any")
    return None if value == "any" else int(value)


def _read(conn: TcpConnection, deadline: Deadline, done: Callable[[], bool]) -> str:
    """Receive until done(): 'ok', 'ended' or 'timeout'."""
    while not done():
        if conn.ended is not None:
            return "ended"
        if len(conn.buffer) > MAX_RESPONSE:
            return "ok"
        if not conn.receive_once(deadline.at):
            return "timeout"
    return "ok"


def _violation(conn: TcpConnection, v: Violation) -> Verdict:
    preview = conn.run.settings.preview
    around = first_difference(v.expected, v.got)
    return failed(
        v.detail, comparison=comparison("bytes", v.expected, v.got, preview=preview, around=around)
    )


# --- check: protocol --------------------------------------------------------------------------


def _protocol(
    conn: TcpConnection, step: Step, scope: Scope, deadline: Deadline, take: _Taken
) -> None:
    wanted = _wanted_status(step)
    head = _read_head(conn, deadline, wanted, take)
    if wanted is not None and head.code != wanted:
        raise failed(
            f"the status code is {head.code} (status line {quote(head.status_line)}), "
            f"expected {wanted}",
            comparison=comparison(
                "bytes",
                example_status_line(wanted),
                head.status_line + b"\r\n",
                preview=scope.run.settings.preview,
            ),
        )
    body, delimited = _read_body(conn, head, deadline, take)
    if step.get("closes", True):
        _await_close(conn, deadline, delimited, take)
    candidates = [body]
    if delimited == "close" and body.endswith(TRAILING_CRLF):
        # Without a Content-Length the body runs until the close: one CRLF the server sends
        # after the file (as the textbook's servers do) is not counted as the file's.
        candidates.append(body[: -len(TRAILING_CRLF)])
    by = ", as its Content-Length says" if delimited == "length" else ""
    _check_body(scope, step, body, candidates, f"the body ({plural(len(body), 'byte')}{by})")


def _read_head(conn: TcpConnection, deadline: Deadline, wanted: int | None, take: _Taken) -> Head:
    parsed: list[Head] = []

    def done() -> bool:
        try:
            head = parse_head(bytes(conn.buffer))
        except Violation as v:
            raise _violation(conn, v) from None
        if head is not None:
            parsed.append(head)
        return head is not None

    outcome = _read(conn, deadline, done)
    if parsed:
        take(parsed[0].size)
        return parsed[0]
    data = bytes(conn.buffer)
    cmp = comparison("bytes", example_status_line(wanted), data, preview=conn.run.settings.preview)
    what = unfinished_head(data)
    if outcome == "timeout":
        raise conn.timeout(f"waited {deadline.waited()} for the response: the program {what}", cmp)
    raise failed(f"{conn.ended_clause()}: it {what}", comparison=cmp)


def _read_body(
    conn: TcpConnection, head: Head, deadline: Deadline, take: _Taken
) -> tuple[bytes, str]:
    """The body and what ended it: 'none', 'length', 'chunked' or 'close'."""
    preview = conn.run.settings.preview
    try:
        length = content_length(head)
    except Violation as v:
        raise _violation(conn, v) from None
    if without_body(head):
        return b"", "none"
    if is_chunked(head):
        decoded: list[tuple[bytes, int]] = []

        def chunks_done() -> bool:
            try:
                found = dechunk(bytes(conn.buffer))
            except Violation as v:
                raise _violation(conn, v) from None
            if found is not None:
                decoded.append(found)
            return found is not None

        outcome = _read(conn, deadline, chunks_done)
        if decoded:
            take(decoded[0][1])
            return decoded[0][0], "chunked"
        got = bytes(conn.buffer)
        clause = f"{plural(len(got), 'byte')} of a chunked body, without its last chunk"
        if outcome == "timeout":
            raise conn.timeout(f"waited {deadline.waited()} for the body: got {clause}")
        raise failed(f"{conn.ended_clause()} after {clause}")
    if length is not None:
        outcome = _read(conn, deadline, lambda: len(conn.buffer) >= length)
        if len(conn.buffer) >= length:
            return take(length), "length"
        got = bytes(conn.buffer)
        cmp = comparison("bytes", f"{length} bytes".encode(), got, preview=preview)
        clause = f"{plural(len(got), 'byte')} of body, its Content-Length says {length}"
        if outcome == "timeout":
            raise conn.timeout(f"waited {deadline.waited()} for the body: got {clause}", cmp)
        raise failed(f"{conn.ended_clause()} after {clause}", comparison=cmp)
    outcome = _read(conn, deadline, lambda: False)
    got = take(len(conn.buffer))
    if outcome == "timeout":
        raise conn.timeout(
            f"waited {deadline.waited()} for the end of the body: without a Content-Length the "
            f"body ends when the program closes the connection, and it did not close it "
            f"({plural(len(got), 'byte')} of body received)",
            comparison("bytes", b"", got, preview=preview),
        )
    return got, "close"


def _await_close(conn: TcpConnection, deadline: Deadline, delimited: str, take: _Taken) -> None:
    """The request said "Connection: close": the program closes after the response (RFC 9112
    §9.6). Bytes after a delimited body are read and ignored."""
    if delimited == "close":
        return
    outcome = _read(conn, deadline, lambda: False)
    extra = len(take(len(conn.buffer)))
    if outcome == "timeout":
        after = f" ({plural(extra, 'byte')} more after it)" if extra else ""
        raise conn.timeout(
            f"the response was complete ({delimited}-delimited body){after}, but the program "
            f"did not close the connection within {deadline.waited()}: close it after each "
            'response (RFC 9112 §9.6, the request says "Connection: close")'
        )


def _check_body(scope: Scope, step: Step, body: bytes, candidates: list[bytes], what: str) -> None:
    preview = scope.run.settings.preview
    if step.get("body") is not None:
        expected = materialise(step["body"], scope.variables)
        if expected not in candidates:
            diff = first_difference(expected, body)
            raise failed(
                f"{what} differs from the expected {plural(len(expected), 'byte')} at byte {diff}",
                comparison=comparison("bytes", expected, body, preview=preview, around=diff),
            )
    if step.get("body_sha256") is not None:
        digest = str(step["body_sha256"]).lower()
        if all(hashlib.sha256(c).hexdigest() != digest for c in candidates):
            got = hashlib.sha256(body).hexdigest()
            raise failed(
                f"{what} has sha256 {got[:12]}…, expected {digest[:12]}…",
                comparison=comparison("sha256", f"sha256 {digest}".encode(), body, preview=preview),
            )
    if step.get("body_contains") is not None:
        needle = str(step["body_contains"]).encode("utf-8")
        if needle not in body:
            raise failed(
                f"{what} does not contain {quote(needle)}",
                comparison=comparison("bytes", needle, body, preview=preview),
            )


# --- check: served ----------------------------------------------------------------------------


def _served(
    conn: TcpConnection, step: Step, scope: Scope, deadline: Deadline, take: _Taken
) -> None:
    """An answer arrived: any bytes, whatever the status line and headers say; the body
    options hold for the bytes after one of the response's first lines (or, body_contains,
    anywhere in it). Reads until the close, the end of a Content-Length body, or a quiet
    connection once the answer holds."""

    def holds() -> bool:
        return bool(conn.buffer) and _served_problem(scope, step, bytes(conn.buffer)) is None

    quiet_since = [time.monotonic()]
    seen = [0]

    def done() -> bool:
        data = bytes(conn.buffer)
        if len(data) != seen[0]:
            seen[0] = len(data)
            quiet_since[0] = time.monotonic()
        if _complete_by_length(data):
            return True
        return holds() and time.monotonic() - quiet_since[0] >= SETTLE

    while not done():
        if conn.ended is not None or len(conn.buffer) > MAX_RESPONSE or deadline.passed():
            break
        conn.receive_once(min(deadline.at, time.monotonic() + SETTLE / 5))
    data = take(len(conn.buffer))
    if not data:
        if conn.ended is not None:
            raise failed(f"{conn.ended_clause()} without answering the request")
        raise timed_out(f"waited {deadline.waited()} for an answer: nothing arrived")
    problem = _served_problem(scope, step, data)
    if problem is not None:
        raise failed(
            f"the answer ({plural(len(data), 'byte')}) {problem}",
            comparison=comparison(
                "bytes", _served_expected(scope, step), data, preview=scope.run.settings.preview
            ),
        )


def _complete_by_length(data: bytes) -> bool:
    """A head that parses and a Content-Length body that has all arrived."""
    try:
        head = parse_head(data)
        length = None if head is None else content_length(head)
    except Violation:
        return False
    return head is not None and length is not None and len(data) >= head.size + length


def _body_starts(data: bytes) -> list[int]:
    starts = [0]
    at = data.find(b"\n")
    while at >= 0 and len(starts) < MAX_BODY_STARTS:
        starts.append(at + 1)
        at = data.find(b"\n", at + 1)
    return starts


def _served_problem(scope: Scope, step: Step, data: bytes) -> str | None:
    tails = [data[s:] for s in _body_starts(data)]
    tails += [t[: -len(TRAILING_CRLF)] for t in tails if t.endswith(TRAILING_CRLF)]
    if step.get("body") is not None:
        expected = materialise(step["body"], scope.variables)
        if expected not in tails:
            return f"does not end with the expected {plural(len(expected), 'byte')} of body"
    if step.get("body_sha256") is not None:
        digest = str(step["body_sha256"]).lower()
        if all(hashlib.sha256(t).hexdigest() != digest for t in tails):
            return f"does not end with the body of sha256 {digest[:12]}…"
    if step.get("body_contains") is not None:
        needle = str(step["body_contains"]).encode("utf-8")
        if needle not in data:
            return f"does not contain {quote(needle)}"
    return None


def _served_expected(scope: Scope, step: Step) -> bytes:
    if step.get("body") is not None:
        return materialise(step["body"], scope.variables)
    if step.get("body_contains") is not None:
        return str(step["body_contains"]).encode("utf-8")
    if step.get("body_sha256") is not None:
        return f"sha256 {step['body_sha256']}".encode()
    return b""
