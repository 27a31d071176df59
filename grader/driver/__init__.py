"""The scenario driver: runs a test's steps against the student program (stdlib only).

This package must import nothing outside the standard library and nothing from ``grader``:
it runs in-process for the local backend and, copied alone into a tester container, as
``python3 -m driver`` for the Docker backend.

Contract
--------
``run(request, control) -> result`` where ``request`` is a JSON-able dict::

    {
      "steps": [...],              # Assignment test scenario, model_dump(mode="json")
      "role": "server" | "client", # what the student program is
      "host": "127.0.0.1",         # the program's host (role server); the bind host (role client)
      "port": 40123,               # the program's port / the port the grader listens on
      "step_timeout": 5.0, "connect_timeout": 10.0, "test_timeout": 60.0,
      "preview_bytes": 4096        # bytes of data kept per transcript event
    }

and ``result`` is::

    {
      "status": "passed" | "failed" | "timeout" | "error",
      "reason": "one line for the student",
      "step": "3" | "4.client 2.1" | None,      # path of the step that failed
      "comparison": None | {"kind": "bytes", "expected_b64": "...", "got_b64": "...",
                            "got_size": 12},
      "events": [{"t": 0.0012, "conn": "main", "kind": "send", "size": 6,
                  "data_b64": "...", "sha256": None, "note": None}, ...],
      "duration": 0.42
    }

``control`` is the grader's handle on the student program (see ``Control``).
"""

from __future__ import annotations

from typing import Protocol


class Control(Protocol):
    """What the driver may ask of the student program's sandbox."""

    def start(self) -> None:
        """Start the program (a no-op if it is already running)."""

    def stop(self) -> dict[str, int | bool | None]:
        """Stop the program (SIGTERM, then SIGKILL); return its state."""

    def restart(self) -> None:
        """Stop the program and start it again with the same port."""

    def state(self) -> dict[str, int | bool | None]:
        """{"running": bool, "exit_code": int | None, "signal": int | None}."""

    def wait_exit(self, timeout: float) -> dict[str, int | bool | None]:
        """Wait up to timeout seconds for the program to exit; return its state."""

    def write_stdin(self, data: bytes, close: bool) -> None:
        """Write to the program's stdin (and close it when asked)."""

    def output(self, stream: str) -> bytes:
        """Everything the program has written so far on "stdout" or "stderr" (capped)."""
