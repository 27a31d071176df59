"""What the grader knows of the student program at a moment: running, or how it ended.

The sandbox (local process or container exec) reports it, the driver reads it, and across the
JSON-lines control channel it travels as this very mapping.
"""

from __future__ import annotations

from typing import TypedDict


class ProgramState(TypedDict):
    running: bool
    exit_code: int | None  # None while running, when killed by a signal, or never started
    signal: int | None  # the signal that killed it


def program_state(
    running: bool, exit_code: int | None = None, signal: int | None = None
) -> ProgramState:
    return {"running": running, "exit_code": exit_code, "signal": signal}


def from_wait_status(code: int | None) -> ProgramState:
    """From subprocess's returncode: None while running, -N when signal N killed it."""
    if code is None:
        return program_state(True)
    if code < 0:
        return program_state(False, signal=-code)
    return program_state(False, exit_code=code)
