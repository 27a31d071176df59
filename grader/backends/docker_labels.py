"""Labels on what the grader creates, and whether the grader process that made it still runs."""

from __future__ import annotations

import os
import socket
from pathlib import Path

LABEL = "socket-grader"  # on every container and network the grader makes
LABEL_RUN = "socket-grader.run"
LABEL_SUBMISSION = "socket-grader.submission"
LABEL_VERSION = "socket-grader.version"
LABEL_OWNER = "socket-grader.owner"  # host/boot id/pid/start time of the grader process


def _boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return "unknown"


def _start_time(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (tells a reused pid apart)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def owner_label(pid: int | None = None) -> str:
    pid = os.getpid() if pid is None else pid
    return f"{socket.gethostname()}/{_boot_id()}/{pid}/{_start_time(pid)}"


def owner_gone(owner: str) -> bool:
    """Whether the grader process that made an object has ended (False when we cannot tell)."""
    try:
        host, boot, pid, started = owner.split("/")
        number = int(pid)
    except ValueError:
        return False
    if host != socket.gethostname():
        return False  # another machine sharing this engine: its processes are not ours to see
    return boot != _boot_id() or _start_time(number) != started
