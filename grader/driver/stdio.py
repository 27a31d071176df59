"""The JSON-lines protocol over stdin/stdout: the driver's side (``main``) and the grader's
(``serve``), for running the driver in another process or container."""

from __future__ import annotations

import base64
import json
import sys
import threading
from collections.abc import Mapping
from typing import IO, TYPE_CHECKING, Any

from .engine import run
from .state import ProgramState, program_state

if TYPE_CHECKING:
    from . import Control

CALLS = ("start", "stop", "restart", "state", "wait_exit", "write_stdin", "output")


class ControlChannelError(Exception):
    """The other side of the protocol refused a call, answered nonsense or went away."""


def _state(value: Any) -> ProgramState:
    """A program state as the grader sent it, checked: a malformed one is a channel error."""
    if not isinstance(value, dict) or not isinstance(value.get("running"), bool):
        raise ControlChannelError(f"malformed program state: {value!r}")
    code, killed_by = value.get("exit_code"), value.get("signal")
    return program_state(
        value["running"],
        code if isinstance(code, int) else None,
        killed_by if isinstance(killed_by, int) else None,
    )


def _encode(value: Any) -> Any:
    """Bytes travel as {"b64": ...}; everything else the calls return is plain JSON."""
    if isinstance(value, bytes | bytearray):
        return {"b64": base64.b64encode(value).decode("ascii")}
    return value


def _decode_bytes(value: Any) -> bytes:
    if isinstance(value, Mapping) and isinstance(value.get("b64"), str):
        return base64.b64decode(value["b64"])
    raise ControlChannelError(f"expected bytes as {{'b64': ...}}, got {value!r}")


def _write_line(stream: IO[bytes], message: Mapping[str, Any]) -> None:
    stream.write(json.dumps(message).encode("ascii") + b"\n")  # ASCII: no encoding surprises
    stream.flush()


def _read_line(stream: IO[bytes]) -> dict[str, Any] | None:
    """The next JSON object, or None at the end of the stream."""
    line = stream.readline()
    if not line:
        return None
    try:
        message = json.loads(line)
    except ValueError as e:
        raise ControlChannelError(f"not a JSON line: {line[:200]!r}") from e
    if not isinstance(message, dict):
        raise ControlChannelError(f"not a JSON object: {line[:200]!r}")
    return message


class JsonLinesControl:
    """A Control whose calls are JSON lines: {"control": name, "args": {...}} out, then
    {"ok": true, "value": ...} or {"ok": false, "error": "..."} in."""

    def __init__(self, replies: IO[bytes], calls: IO[bytes]) -> None:
        self._replies = replies
        self._calls = calls
        self._lock = threading.Lock()  # parallel clients must not interleave call and reply

    def _call(self, name: str, **args: Any) -> Any:
        with self._lock:
            _write_line(self._calls, {"control": name, "args": args})
            reply = _read_line(self._replies)
        if reply is None:
            raise ControlChannelError(f"no reply to {name}: the grader closed the channel")
        if not reply.get("ok"):
            raise ControlChannelError(str(reply.get("error") or f"{name} failed"))
        return reply.get("value")

    def start(self) -> None:
        self._call("start")

    def stop(self) -> ProgramState:
        return _state(self._call("stop"))

    def restart(self) -> None:
        self._call("restart")

    def state(self) -> ProgramState:
        return _state(self._call("state"))

    def wait_exit(self, timeout: float) -> ProgramState:
        return _state(self._call("wait_exit", timeout=timeout))

    def write_stdin(self, data: bytes, close: bool) -> None:
        self._call("write_stdin", data=_encode(data), close=close)

    def output(self, stream: str) -> bytes:
        return _decode_bytes(self._call("output", stream=stream))


def main(stdin: IO[bytes] | None = None, stdout: IO[bytes] | None = None) -> int:
    """``python3 -m driver``: one request line in, control calls out, one result line out."""
    requests = stdin if stdin is not None else sys.stdin.buffer
    results = stdout if stdout is not None else sys.stdout.buffer
    # Only protocol lines may reach stdout: a stray print would break the grader's parser.
    printed_to, sys.stdout = sys.stdout, sys.stderr
    try:
        result = _handle(requests, results)
    finally:
        sys.stdout = printed_to
    _write_line(results, {"result": result})
    return 0


def _handle(requests: IO[bytes], results: IO[bytes]) -> dict[str, Any]:
    """The result of the request read from ``requests``; control calls go out on ``results``."""
    problem = "no request on stdin"
    try:
        request = _read_line(requests)
    except ControlChannelError as e:
        request, problem = None, str(e)
    if request is None:
        return {
            "status": "error",
            "reason": f"invalid driver request: {problem}",
            "step": None,
            "comparison": None,
            "events": [],
            "duration": 0.0,
        }
    return run(request, JsonLinesControl(requests, results))


def serve(
    request: Mapping[str, Any],
    control: Control,
    to_driver: IO[bytes],
    from_driver: IO[bytes],
) -> dict[str, Any]:
    """The grader's side: send the request to a driver process, answer its control calls with
    ``control``, and return its result.

    ``to_driver`` is the driver's stdin, ``from_driver`` its stdout. Raises
    ControlChannelError when the driver ends without a result or breaks the protocol.
    """
    _write_line(to_driver, dict(request))
    while True:
        message = _read_line(from_driver)
        if message is None:
            raise ControlChannelError("the driver ended without a result")
        if "result" in message:
            result = message["result"]
            if not isinstance(result, dict):
                raise ControlChannelError(f"the driver's result is not an object: {result!r}")
            return result
        answer = _answer(control, message.get("control"), message.get("args") or {})
        _write_line(to_driver, answer)


def _answer(control: Control, name: Any, args: Mapping[str, Any]) -> dict[str, Any]:
    if name not in CALLS:
        return {"ok": False, "error": f"unknown control call {name!r}"}
    try:
        value: Any = None
        if name == "write_stdin":
            control.write_stdin(_decode_bytes(args.get("data")), bool(args.get("close")))
        elif name == "wait_exit":
            value = control.wait_exit(float(args.get("timeout", 0)))
        elif name == "output":
            value = control.output(str(args.get("stream", "stdout")))
        else:
            value = getattr(control, name)()
    except Exception as e:  # noqa: BLE001 -- the driver reports the sandbox's failure itself
        return {"ok": False, "error": f"{type(e).__name__}: {e}"}
    return {"ok": True, "value": _encode(value)}
