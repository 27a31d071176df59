"""The program is its whole process tree: a child that listens is the server.

A program that forks and lets its first process exit 0 (a daemon: fork + exit, or a double fork
with setsid) still runs: the grader watches and stops every process the test started, not only
the one it started. Local: a process is the program's when its environment carries the test's
token (set when the program starts; children inherit it, a new session does not shed it).
Docker: one program runs per student container at a time, so every process of the program user
but the keeper shell is the program's (the sandbox asks the keeper, which `kill -0 -1` spares).
"""

from __future__ import annotations

import os
import secrets
import signal
import time
from collections.abc import Callable
from pathlib import Path

from grader.driver.state import ProgramState, program_state

RUN_VAR = "SOCKET_GRADER_RUN"
DAEMONIZED = (
    "your program went to the background (daemonized); the grader graded the process that "
    "listens"
)
KILL_ROUNDS = 200  # a fork bomb forks between two scans: kill until a scan finds none
KILL_PAUSE = 0.005
GONE_POLL = 0.02
SETTLE = 0.3  # seconds a first process that is exiting, its tree running on, is waited for


def new_token() -> str:
    """A token for one run of the program, to put in its environment as RUN_VAR."""
    return secrets.token_hex(12)


def token_pids(token: str, proc: Path = Path("/proc")) -> set[int]:
    """The processes (of this user) whose environment carries the token."""
    needle = f"{RUN_VAR}={token}".encode()
    uid = os.getuid()
    found: set[int] = set()
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if entry.stat().st_uid != uid:
                continue
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue  # ended while we looked, or not ours
        if needle in environ.split(b"\0"):
            found.add(int(entry.name))
    return found


def kill_tree(token: str) -> None:
    """SIGKILL every process carrying the token until none is left (or KILL_ROUNDS scans)."""
    for _ in range(KILL_ROUNDS):
        pids = token_pids(token)
        if not pids:
            return
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                continue
        time.sleep(KILL_PAUSE)


def signal_tree(token: str, sig: signal.Signals) -> None:
    """Send sig once to every process carrying the token."""
    for pid in token_pids(token):
        try:
            os.kill(pid, sig)
        except (ProcessLookupError, PermissionError):
            continue


def tree_state(first: ProgramState, others_alive: Callable[[], bool]) -> tuple[ProgramState, bool]:
    """The program's state from its first process's and whether other processes of its tree
    run: a first process that exited 0 while its tree lives went to the background, and the
    program runs. Returns (state, daemonized)."""
    if not first["running"] and first["exit_code"] == 0 and others_alive():
        return program_state(True), True
    return first, False


def wait_gone(state: Callable[[], ProgramState], timeout: float) -> ProgramState:
    """state() once the program (its whole tree) has ended, or at the timeout."""
    until = time.monotonic() + timeout
    current = state()
    while current["running"] and time.monotonic() < until:
        time.sleep(GONE_POLL)
        current = state()
    return current
