"""The HTTP steps: http_get (a GET made with Python's http.client) and http_response (a whole
HTTP/1.x response read on a connection and checked by the protocol)."""

from __future__ import annotations

import hashlib
import http.client
import socket
from collections.abc import Callable

from .context import Deadline, Scope, Step
from .http_response import http_response
from .netio import show
from .payload import materialise
from .tcp import dial
from .verdict import comparison, failed, first_difference, quote, timed_out

# Bytes of body read at most: a runaway server must not fill the grader's memory.
MAX_BODY = 16 * 1024 * 1024
TRAILING_CRLF = b"\r\n"


class _Client(http.client.HTTPConnection):
    """An HTTPConnection over a socket we connected, recording what it sends."""

    def __init__(self, sock: socket.socket, host: str, port: int, record: Callable[[bytes], None]):
        super().__init__(host, port)
        self.sock = sock
        self._record = record

    def send(self, data: object) -> None:
        if isinstance(data, bytes | bytearray):
            self._record(bytes(data))
        super().send(data)  # type: ignore[arg-type]


def http_get(scope: Scope, step: Step) -> None:
    run = scope.run
    path = str(step["http_get"])
    label = scope.label("http")
    sock = dial(scope, label, step.get("timeout"))
    _record_connect(scope, label, sock)
    deadline = run.deadline(step.get("timeout"))

    def record_send(data: bytes) -> None:
        run.transcript.record(label, "send", data)

    client = _Client(sock, run.settings.host, run.settings.port, record_send)
    what = f"GET {path}"
    stage = "the status line"
    response: http.client.HTTPResponse | None = None
    body = bytearray()
    try:
        _arm(sock, deadline)
        client.request("GET", path, headers={"Connection": "close"})
        _arm(sock, deadline)
        response = client.getresponse()
        stage = "the body"
        while not response.isclosed() and len(body) < MAX_BODY:
            _arm(sock, deadline)
            chunk = response.read(65536)
            if not chunk:
                break
            body += chunk
    except TimeoutError:
        _record_response(scope, label, response, bytes(body))
        got = f" ({len(body)} bytes of it received)" if stage == "the body" and body else ""
        run.transcript.record(label, "timeout", note=f"waiting for {stage}")
        raise timed_out(
            f"waited {deadline.waited()} for the response to {what}: {stage} did not arrive"
            f"{' whole' if got else ''}{got}"
        ) from None
    except http.client.RemoteDisconnected:
        raise failed(
            f"the program closed the connection without a response to {what} (http.client)"
        ) from None
    except http.client.BadStatusLine as e:
        raise failed(
            f"http.client rejects the response to {what}: its status line {quote(_line(e))} "
            f'is not "HTTP/1.x code reason"'
        ) from None
    except http.client.IncompleteRead as e:
        _record_response(scope, label, response, bytes(body) + e.partial)
        raise failed(
            f"the response to {what} ended after {len(body) + len(e.partial)} bytes of body, "
            f"before its Content-Length ({len(body) + len(e.partial) + (e.expected or 0)})"
        ) from None
    except http.client.HTTPException as e:
        raise failed(
            f"http.client rejects the response to {what}: {type(e).__name__}: {e}"
        ) from None
    except OSError as e:
        raise failed(f"the connection failed during {what}: {e.strerror or e}") from None
    finally:
        client.close()
    assert response is not None
    data = bytes(body)
    _record_response(scope, label, response, data)
    _check(scope, step, what, response, data)


def _record_connect(scope: Scope, label: str, sock: socket.socket) -> None:
    try:
        ends = f"{show(sock.getsockname())} -> {show(sock.getpeername())}"
    except OSError as e:
        ends = f"connected, then {e.strerror or e}"
    scope.run.transcript.record(label, "connect", note=f"{ends} (http.client)")
    sock.setblocking(True)


def _arm(sock: socket.socket, deadline: Deadline) -> None:
    """The socket's timeout: the rest of the step's deadline."""
    remaining = deadline.remaining()
    if remaining <= 0:
        raise TimeoutError
    sock.settimeout(remaining)


def _line(e: http.client.BadStatusLine) -> bytes:
    line = e.args[0] if e.args else ""
    return line.encode("latin-1", "replace") if isinstance(line, str) else bytes(line)


def _head(response: http.client.HTTPResponse) -> bytes:
    version = "HTTP/1.0" if response.version == 10 else "HTTP/1.1"
    lines = [f"{version} {response.status} {response.reason}"]
    lines += [f"{name}: {value}" for name, value in response.getheaders()]
    return "".join(f"{line}\r\n" for line in [*lines, ""]).encode("latin-1", "replace")


def _record_response(
    scope: Scope, label: str, response: http.client.HTTPResponse | None, body: bytes
) -> None:
    """One recv event: the status line and headers as http.client parsed them, then the body."""
    if response is None:
        return
    head = _head(response)
    note = f"status {response.status}, {len(body)} bytes of body (as parsed by http.client)"
    scope.run.transcript.record(label, "recv", head + body, note=note)


def _check(
    scope: Scope, step: Step, what: str, response: http.client.HTTPResponse, body: bytes
) -> None:
    preview = scope.run.settings.preview
    expected_status = int(step.get("status", 200))
    if response.status != expected_status:
        raise failed(
            f"{what} got status {response.status} {response.reason!r}, expected {expected_status}"
        )
    # Without a Content-Length the body runs until the close: one CRLF the server sends after
    # the file (as the textbook's servers do) is not counted as the file's.
    trimmed = body
    if response.getheader("Content-Length") is None and body.endswith(TRAILING_CRLF):
        trimmed = body[: -len(TRAILING_CRLF)]
    if step.get("body") is not None:
        expected = materialise(step["body"], scope.variables)
        if expected not in (body, trimmed):
            diff = first_difference(expected, body)
            raise failed(
                f"the body of {what} differs from the expected {len(expected)} bytes at byte "
                f"{diff} ({len(body)} bytes received)",
                comparison=comparison("bytes", expected, body, preview=preview, around=diff),
            )
    if step.get("body_sha256") is not None:
        digest = str(step["body_sha256"]).lower()
        got = hashlib.sha256(body).hexdigest()
        if got != digest and hashlib.sha256(trimmed).hexdigest() != digest:
            raise failed(
                f"the {len(body)} bytes of the body of {what} have sha256 {got[:12]}…, "
                f"expected {digest[:12]}…",
                comparison=comparison("sha256", f"sha256 {digest}".encode(), body, preview=preview),
            )
    if step.get("body_contains") is not None:
        needle = str(step["body_contains"]).encode("utf-8")
        if needle not in body:
            raise failed(
                f"the body of {what} ({len(body)} bytes) does not contain {quote(needle)}",
                comparison=comparison("bytes", needle, body, preview=preview),
            )


HANDLERS: dict[str, Callable[[Scope, Step], None]] = {
    "http_get": http_get,
    "http_response": http_response,
}
