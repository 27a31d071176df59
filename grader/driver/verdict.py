"""How a test ends early: the verdicts that steps raise and the expected-versus-got comparison."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .state import ProgramState

# Reasons quote at most this many bytes of data; the comparison carries the longer preview.
QUOTE_BYTES = 40


class Verdict(Exception):  # noqa: N818 -- an outcome carried up the stack, not an error
    """The test's outcome, decided by a step: "failed", "timeout" or "error".

    Raised inside the driver and turned into the result by ``engine.run``; it never escapes
    ``run``. ``network`` marks checks on the wire, whose reason gains the program's exit status
    when the program turns out to have died.
    """

    def __init__(
        self,
        status: str,
        detail: str,
        *,
        comparison: dict[str, Any] | None = None,
        network: bool = False,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.comparison = comparison
        self.network = network
        self.step: str | None = None  # full path, e.g. "0.client 3.4", set where it was raised
        self.label: str | None = None  # "step 4 (expect)", relative to the innermost client
        self.clients: list[int] = []  # the parallel clients it happened in, outermost first

    def locate(self, step: str, label: str) -> None:
        """Remember the innermost step that raised it (outer steps leave it alone)."""
        if self.step is None:
            self.step = step
            self.label = label

    def reason(self) -> str:
        """The one line the student reads: client, step, then what went wrong."""
        clients = "".join(f"client {c}: " for c in self.clients)
        label = f"{self.label}: " if self.label else ""
        return f"{clients}{label}{self.detail}"


class Aborted(Exception):  # noqa: N818 -- a signal to stop, not an error
    """A parallel client stopped waiting because another client already failed the test."""


def failed(detail: str, *, comparison: dict[str, Any] | None = None) -> Verdict:
    """A check on the wire did not hold."""
    return Verdict("failed", detail, comparison=comparison, network=True)


def timed_out(detail: str, *, comparison: dict[str, Any] | None = None) -> Verdict:
    """A deadline passed while waiting on the wire."""
    return Verdict("timeout", detail, comparison=comparison, network=True)


def error(detail: str) -> Verdict:
    """The driver cannot go on: an invalid request or scenario, or a broken sandbox."""
    return Verdict("error", detail)


def first_difference(a: bytes, b: bytes) -> int:
    """Offset of the first byte where a and b differ; -1 when they are equal.

    When one is a prefix of the other, the offset is the shorter one's length.
    """
    if a == b:
        return -1
    n = min(len(a), len(b))
    block = 4096
    i = 0
    # Compare blocks first: byte by byte over a megabyte would take a noticeable time.
    while i < n and a[i : i + block] == b[i : i + block]:
        i += block
    while i < n and a[i] == b[i]:
        i += 1
    return min(i, n)


def comparison(
    kind: str,
    expected: bytes,
    got: bytes,
    *,
    preview: int,
    got_size: int | None = None,
    around: int | None = None,
) -> dict[str, Any]:
    """Expected and got cut to the preview, so that megabytes never reach the result.

    When ``around`` (a first difference) lies beyond the preview, both previews start a little
    before it, at ``offset``, so that the difference is visible.
    """
    offset = 0
    if around is not None and around >= preview:
        offset = around - min(256, preview // 4)
    return {
        "kind": kind,
        "expected_b64": b64(expected[offset : offset + preview]),
        "got_b64": b64(got[offset : offset + preview]),
        "got_size": len(got) if got_size is None else got_size,
        "offset": offset,
    }


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def quote(data: bytes, limit: int = QUOTE_BYTES) -> str:
    """Bytes as a short quoted text for a reason: 'hello\\n', with … when cut."""
    text = repr(data[:limit].decode("utf-8", "backslashreplace"))
    return text + "…" if len(data) > limit else text


def seconds(value: float) -> str:
    """A duration for a reason: 5.0 s, 0.25 s."""
    text = f"{value:.2f}".rstrip("0")
    return f"{text}0 s" if text.endswith(".") else f"{text} s"


def megabytes(count: int) -> str:
    """A large byte count for a reason: '100.0 MB'."""
    return f"{count / 1e6:.1f} MB"


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def exit_text(state: ProgramState, *, perfect: bool = False) -> str:
    """How the program ended, as words after "the program": 'exited with code 1'.

    ``perfect`` gives the past perfect for a reason's aside: 'had exited with code 1'.
    """
    if state["signal"] is not None:
        verb = "had been killed" if perfect else "was killed"
        return f"{verb} by signal {state['signal']}"
    if state["exit_code"] is not None:
        verb = "had exited" if perfect else "exited"
        return f"{verb} with code {state['exit_code']}"
    return "was not running" if perfect else "is not running"
