"""The scenario driver: runs a test's steps against the student program (stdlib only).

This package must import nothing outside the standard library and nothing from ``grader``:
it runs in-process for the local backend and, copied alone into a tester container, as
``python3 -m driver``.

Contract
--------
``run(request, control) -> result`` where ``request`` is a JSON-able dict::

    {
      "steps": [...],              # Assignment test scenario, model_dump(mode="json")
      "role": "server" | "client", # what the student program is
      "host": "127.0.0.1",         # the program's host (role server); the bind host (role client)
      "port": 40123,               # the program's port / the port the grader listens on
      "step_timeout": 5.0, "connect_timeout": 10.0, "test_timeout": 60.0,
      "preview_bytes": 4096,       # bytes of data kept per transcript event
      "transport": "tcp" | "udp",  # optional (tcp): what the impairment relay forwards
      "impair": None | {...}       # optional: start the impairment relay (see ``relay``)
      "redirect": None | {"dns_port": 25000, "answer": "172.18.0.2", "catch": None | 26000}
    }

With ``redirect`` (docker's redirection of a client's destinations, see ``redirect``), the
driver answers DNS queries on 127.0.0.1:dns_port for the whole test, every name with the one
address, and resets every connection to the port ``catch``; each is an event.

With ``impair``, the driver starts the relay first and talks through it: role server, to the
relay on a loopback port, which forwards to host:port; role client, the relay takes host:port
(the program's {port}) and forwards to the driver's own socket on a free loopback port.

and ``result`` is::

    {
      "status": "passed" | "failed" | "timeout" | "error",
      "reason": "one line for the student",
      "step": "3" | "4.client 2.1" | None,      # path of the step that failed
      "comparison": None | {"kind": "bytes", "expected_b64": "...", "got_b64": "...",
                            "got_size": 12, "offset": 0},
      "events": [{"t": 0.0012, "conn": "main", "kind": "send", "size": 6,
                  "data_b64": "...", "sha256": None, "note": None}, ...],
      "duration": 0.42
    }

``control`` is the grader's handle on the student program (see ``Control``).

Details of the result
---------------------
- ``status``: "failed" when a check did not hold (wrong bytes, an early EOF, a refused
  connection at the deadline, the program exited); "timeout" when a deadline passed while
  waiting; "error" only for the driver's own problems (an invalid request or scenario, a
  sandbox call that raised, a driver bug), never for what the student program does.
- ``reason``: ``client 3: step 4 (expect): waited 5.0 s for 12 bytes on 'main', got 5 bytes``.
  The client prefix appears inside ``parallel``; the step number is relative to that client.
  When a network check fails and the program has died, the reason ends with
  ``— the program had exited with code 1``.
- ``step``: the full path: ``"3"``; ``"0.client 3.4"`` (sub-step 4 of client 3 of the
  parallel step 0); ``"1.iteration 7.0"`` (sub-step 0 of iteration 7 of the repeat step 1).
- ``comparison``: ``kind`` is bytes, line, regex, size, sha256, eof, datagram or output.
  ``expected_b64`` and ``got_b64`` are cut to ``preview_bytes``; ``offset`` (added to the
  original contract) is the byte offset where both previews start: 0, unless the first
  difference lies beyond the preview, when both start shortly before it. ``got_size`` is the
  size of everything received. For sha256, ``expected`` is a text: "N bytes with sha256 H".
- ``events``: kinds of ``grader.results.EventKind``. ``t`` is seconds since the test started;
  ``size`` the whole size; ``data_b64`` at most ``preview_bytes`` (``sha256`` is the hash of
  the whole when cut). ``conn`` is the scenario's name, prefixed ``c{i}.`` in parallel client
  i; "program" for process and stdin events, "driver" for notes and driver errors; "relay"
  for what the impairment relay did ("dropped" and "duplicated" events carry the datagram,
  notes say what else: held back, delayed connection, reset).
  Consecutive received chunks are merged into one "recv" event (its note counts the reads);
  failed connection attempts are summarised in one "connect_retry" event. At most 2000 events
  and 256 KiB of data are kept; when events are dropped, the first 1800 and last 200 stay,
  with a "note" event between them saying how many were left out.

The program is not started by the driver for a server test without a ``start`` step: the
backend starts it before calling ``run`` (``start`` steps are the driver's to perform).

Over a process boundary (``python3 -m driver``)
-----------------------------------------------
Everything is JSON lines (see ``stdio``). The driver reads ONE line on stdin, the request.
For each control call it writes ``{"control": "state", "args": {}}`` on stdout and reads one
reply line on stdin: ``{"ok": true, "value": ...}`` or ``{"ok": false, "error": "..."}``.
Bytes travel as ``{"b64": "..."}`` both ways (``output``'s value, ``write_stdin``'s
``data``); ``wait_exit`` has ``{"timeout": seconds}``, ``output`` ``{"stream": "stdout"}``,
``write_stdin`` ``{"data": {"b64": ...}, "close": false}``. Finally the driver writes
``{"result": {...}}`` and exits 0; nothing else appears on its stdout. ``stdio.serve`` is
the grader's side of this conversation.
"""

from __future__ import annotations

from typing import Protocol

from .engine import run
from .state import ProgramState


class Control(Protocol):
    """What the driver may ask of the student program's sandbox."""

    def start(self) -> None:
        """Start the program (a no-op if it is already running)."""

    def stop(self) -> ProgramState:
        """Stop the program (SIGTERM, then SIGKILL); return its state."""

    def restart(self) -> None:
        """Stop the program and start it again with the same port."""

    def state(self) -> ProgramState:
        """Whether the program runs and, if not, how it ended."""

    def wait_exit(self, timeout: float) -> ProgramState:
        """Wait up to timeout seconds for the program to exit; return its state."""

    def write_stdin(self, data: bytes, close: bool) -> None:
        """Write to the program's stdin (and close it when asked)."""

    def output(self, stream: str) -> bytes:
        """Everything the program has written so far on "stdout" or "stderr" (capped)."""


__all__ = ["Control", "run"]
