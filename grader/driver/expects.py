"""The TCP read checks: expect, expect_line, expect_regex, expect_bytes, expect_sha256,
expect_all, expect_eof and expect_silence."""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable

from .connection import TcpConnection, tcp_connection
from .context import Deadline, Scope, Step
from .payload import materialise, substitute
from .verdict import Verdict, comparison, error, failed, first_difference, plural, quote, seconds

# Data up to this size is quoted whole in a reason; beyond, the reason gives offsets and sizes.
SHORT = 60
# Bytes an expect_line or expect_regex waits through before giving up on a match.
SCAN_LIMIT = 1 << 20


def _read(conn: TcpConnection, step: Step, deadline: Deadline, enough: Callable[[], bool]) -> str:
    """Receive until enough(): 'ok', 'ended' (EOF, RST or error) or 'timeout'."""
    read_size = int(step.get("read_size") or 65536)
    gap = float(step.get("read_gap") or 0)
    while True:
        if flooded := conn.flood():
            raise flooded
        if enough():
            return "ok"
        if conn.ended is not None:
            return "ended"
        if not conn.receive_once(deadline.at, read_size, gap):
            return "timeout"


def _prefix_check(conn: TcpConnection, expected: bytes) -> Callable[[], bool]:
    """enough() for an exact expect: all expected bytes are here, or a difference already is
    (no point waiting out the deadline for bytes that cannot make it right)."""
    checked = 0

    def enough() -> bool:
        nonlocal checked
        upto = min(len(conn.buffer), len(expected))
        if upto > checked:
            if conn.buffer[checked:upto] != expected[checked:upto]:
                return True
            checked = upto
        return len(conn.buffer) >= len(expected)

    return enough


def _check_bytes(
    conn: TcpConnection, expected: bytes, got: bytes, outcome: str, deadline: Deadline, what: str
) -> None:
    """Raise the verdict for got != expected: a difference, extra bytes, or too few bytes."""
    diff = first_difference(expected, got)
    cmp = comparison("bytes", expected, got, preview=conn.run.settings.preview, around=diff)
    if diff < min(len(got), len(expected)):
        if len(expected) <= SHORT and len(got) <= SHORT:
            detail = f"received {quote(got)} on '{conn.name}' instead of {quote(expected)}"
        else:
            detail = (
                f"the bytes received on '{conn.name}' differ from the expected ones at byte "
                f"{diff} (expected {len(expected)} bytes, received {len(got)})"
            )
        raise failed(detail, comparison=cmp)
    if len(got) > len(expected):
        raise failed(
            f"received {len(got)} bytes on '{conn.name}', {len(got) - len(expected)} more than "
            f"the {len(expected)} expected",
            comparison=cmp,
        )
    if outcome == "timeout":
        raise conn.timeout(
            f"waited {deadline.waited()} for {what} on '{conn.name}', "
            f"got {plural(len(got), 'byte')}",
            cmp,
        )
    raise failed(
        f"expected {plural(len(expected), 'byte')} on '{conn.name}', but "
        f"{conn.ended_clause()} after {plural(len(got), 'byte')}",
        comparison=cmp,
    )


def _too_few(conn: TcpConnection, n: int, outcome: str, deadline: Deadline, kind: str) -> Verdict:
    got = bytes(conn.buffer)
    cmp = comparison(kind, f"{n} bytes".encode(), got, preview=conn.run.settings.preview)
    if outcome == "timeout":
        detail = (
            f"waited {deadline.waited()} for {plural(n, 'byte')} on '{conn.name}', "
            f"got {plural(len(got), 'byte')}"
        )
        return conn.timeout(detail, cmp)
    return failed(
        f"expected {plural(n, 'byte')} on '{conn.name}', but {conn.ended_clause()} after "
        f"{plural(len(got), 'byte')}",
        comparison=cmp,
    )


def expect(scope: Scope, step: Step) -> None:
    conn = tcp_connection(scope, step.get("conn"))
    expected = materialise(step["expect"], scope.variables)
    deadline = scope.run.deadline(step.get("timeout"))
    outcome = _read(conn, step, deadline, _prefix_check(conn, expected))
    got = bytes(conn.buffer[: len(expected)])
    if got == expected:
        conn.take(len(expected))
        return
    _check_bytes(conn, expected, got, outcome, deadline, plural(len(expected), "byte"))


def expect_line(scope: Scope, step: Step) -> None:
    conn = tcp_connection(scope, step.get("conn"))
    expected = substitute(str(step["expect_line"]), scope.variables).encode("utf-8")
    deadline = scope.run.deadline(step.get("timeout"))
    preview = scope.run.settings.preview
    scanned = 0

    def enough() -> bool:
        nonlocal scanned
        if conn.buffer.find(b"\n", scanned) >= 0:
            return True
        scanned = len(conn.buffer)
        return scanned > SCAN_LIMIT

    outcome = _read(conn, step, deadline, enough)
    end = conn.buffer.find(b"\n")
    if end >= 0:
        line = conn.take(end + 1)[:-1]
        line = line.removesuffix(b"\r")
        if line == expected:
            return
        diff = first_difference(expected, line)
        cmp = comparison("line", expected, line, preview=preview, around=diff)
        if len(expected) <= SHORT and len(line) <= SHORT:
            detail = (
                f"received the line {quote(line)} on '{conn.name}' instead of {quote(expected)}"
            )
        else:
            detail = (
                f"the line received on '{conn.name}' ({len(line)} bytes) differs from the "
                f"expected one ({len(expected)} bytes) at byte {diff}"
            )
        raise failed(detail, comparison=cmp)
    got = bytes(conn.buffer)
    cmp = comparison("line", expected, got, preview=preview)
    if outcome == "ok":
        raise failed(
            f"no end of line (\\n) in the first {len(got)} bytes received on '{conn.name}'",
            comparison=cmp,
        )
    if outcome == "timeout":
        raise conn.timeout(
            f"waited {deadline.waited()} for a line on '{conn.name}', got "
            f"{plural(len(got), 'byte')} without an end of line (\\n)",
            cmp,
        )
    raise failed(
        f"{conn.ended_clause()} after {plural(len(got), 'byte')}, before the end of the line (\\n)",
        comparison=cmp,
    )


def expect_regex(scope: Scope, step: Step) -> None:
    conn = tcp_connection(scope, step.get("conn"))
    source = substitute(str(step["expect_regex"]), scope.variables)
    flags = 0
    for flag in step.get("flags") or []:
        if flag not in ("IGNORECASE", "MULTILINE", "DOTALL"):
            raise error(f"unknown regular expression flag {flag!r}")
        flags |= getattr(re, flag)
    try:
        pattern = re.compile(source, flags)
    except re.error as e:
        raise error(f"the regular expression /{source}/ is invalid: {e}") from e
    deadline = scope.run.deadline(step.get("timeout"))
    found: list[re.Match[str]] = []

    def enough() -> bool:
        # surrogateescape: any bytes decode, and the match's length maps back to bytes exactly.
        match = pattern.match(conn.buffer.decode("utf-8", "surrogateescape"))
        if match is not None:
            found.append(match)
            return True
        return len(conn.buffer) > SCAN_LIMIT

    outcome = _read(conn, step, deadline, enough)
    if found:
        conn.take(len(found[0].group(0).encode("utf-8", "surrogateescape")))
        return
    got = bytes(conn.buffer)
    cmp = comparison("regex", source.encode("utf-8"), got, preview=scope.run.settings.preview)
    some = f"{plural(len(got), 'byte')} that do not match" if got else "nothing"
    if outcome == "ok":
        raise failed(
            f"the first {len(got)} bytes received on '{conn.name}' do not match /{source}/",
            comparison=cmp,
        )
    if outcome == "timeout":
        raise conn.timeout(
            f"waited {deadline.waited()} on '{conn.name}' for data matching /{source}/, got {some}",
            cmp,
        )
    raise failed(
        f"{conn.ended_clause()} after {plural(len(got), 'byte')}, which do not match /{source}/",
        comparison=cmp,
    )


def expect_bytes(scope: Scope, step: Step) -> None:
    conn = tcp_connection(scope, step.get("conn"))
    n = int(step["expect_bytes"])
    deadline = scope.run.deadline(step.get("timeout"))
    outcome = _read(conn, step, deadline, lambda: len(conn.buffer) >= n)
    if len(conn.buffer) < n:
        raise _too_few(conn, n, outcome, deadline, "size")
    conn.take(n)


def expect_sha256(scope: Scope, step: Step) -> None:
    conn = tcp_connection(scope, step.get("conn"))
    spec = step["expect_sha256"]
    n, digest = int(spec["size"]), str(spec["sha256"]).lower()
    deadline = scope.run.deadline(step.get("timeout"))
    outcome = _read(conn, step, deadline, lambda: len(conn.buffer) >= n)
    if len(conn.buffer) < n:
        raise _too_few(conn, n, outcome, deadline, "sha256")
    data = conn.take(n)
    got = hashlib.sha256(data).hexdigest()
    if got != digest:
        expected = f"{n} bytes with sha256 {digest}".encode()
        raise failed(
            f"the {n} bytes received on '{conn.name}' have sha256 {got[:12]}…, "
            f"expected {digest[:12]}…",
            comparison=comparison("sha256", expected, data, preview=scope.run.settings.preview),
        )


def expect_all(scope: Scope, step: Step) -> None:
    conn = tcp_connection(scope, step.get("conn"))
    expected = materialise(step["expect_all"], scope.variables)
    deadline = scope.run.deadline(step.get("timeout"))
    matches = _prefix_check(conn, expected)

    def enough() -> bool:
        # Stop early once the outcome is certain: a difference, or more bytes than expected.
        return len(conn.buffer) > len(expected) or (
            matches() and conn.buffer[: len(expected)] != expected
        )

    outcome = _read(conn, step, deadline, enough)
    got = bytes(conn.buffer)
    if got != expected:
        what = f"{len(expected)} bytes and the end of the connection"
        _check_bytes(conn, expected, got, outcome, deadline, what)
    if conn.eof:
        conn.take(len(got))
        return
    received = f"received the expected {len(expected)} bytes on '{conn.name}'"
    if outcome == "timeout":
        raise conn.timeout(
            f"{received}, then waited {deadline.waited()} for the program to "
            "close the connection; it stayed open"
        )
    raise failed(
        f"{received}, but then the connection was reset instead of closed"
        if conn.reset
        else f"{received}, but then {conn.ended_clause()}"
    )


def expect_eof(scope: Scope, step: Step) -> None:
    # The action's value names the connection; 'conn' is honoured when the value is the default.
    name = step.get("expect_eof") or "main"
    if name == "main" and step.get("conn"):
        name = step["conn"]
    conn = tcp_connection(scope, name)
    deadline = scope.run.deadline(step.get("timeout"))
    outcome = _read(conn, step, deadline, lambda: len(conn.buffer) > 0)
    preview = scope.run.settings.preview
    if conn.buffer:
        extra = bytes(conn.buffer)
        raise failed(
            f"the program sent {plural(len(extra), 'more byte')} on '{name}' where it should "
            f"have closed it: "
            f"{quote(extra)}",
            comparison=comparison("eof", b"", extra, preview=preview),
        )
    if outcome == "timeout":
        raise conn.timeout(
            f"waited {deadline.waited()} for the program to close '{name}'; it stayed open",
            comparison("eof", b"", b"", preview=preview),
        )
    if conn.reset:
        raise failed(
            f"the connection '{name}' was reset instead of closed: the program aborted "
            "it (RST) rather than closing it"
        )
    if not conn.eof:
        raise failed(f"{conn.ended_clause()} instead of closing normally")


def expect_silence(scope: Scope, step: Step) -> None:
    conn = tcp_connection(scope, step.get("conn"))
    quiet = float(step["expect_silence"])
    if conn.buffer:
        raise failed(
            f"the program had sent {plural(len(conn.buffer), 'byte')} on '{conn.name}' "
            f"that no step expected, where it should stay silent: {quote(bytes(conn.buffer))}"
        )
    if conn.ended is not None:
        raise failed(f"{conn.ended_clause()} where it should stay open and silent")
    deadline = scope.run.deadline(quiet)
    outcome = _read(conn, {}, deadline, lambda: len(conn.buffer) > 0)
    if outcome == "timeout":
        if deadline.test_limit is not None:
            raise conn.timeout(
                f"the test's {seconds(deadline.test_limit)} limit ran out during "
                f"the {seconds(quiet)} of silence on '{conn.name}'"
            )
        return
    after = seconds(time.monotonic() - deadline.begun)
    if conn.buffer:
        raise failed(
            f"the program sent {plural(len(conn.buffer), 'byte')} on '{conn.name}' "
            f"{after} into {seconds(quiet)} of expected silence: {quote(bytes(conn.buffer))}"
        )
    raise failed(f"{conn.ended_clause()} {after} into {seconds(quiet)} of expected silence")


HANDLERS: dict[str, Callable[[Scope, Step], None]] = {
    "expect": expect,
    "expect_line": expect_line,
    "expect_regex": expect_regex,
    "expect_bytes": expect_bytes,
    "expect_sha256": expect_sha256,
    "expect_all": expect_all,
    "expect_eof": expect_eof,
    "expect_silence": expect_silence,
}
