"""TCP endpoints: a buffered connection that tells EOF from RST, and a listening socket."""

from __future__ import annotations

import contextlib
import socket
import time
from typing import TYPE_CHECKING, Any

from .netio import Poller, arm_reset, pause
from .transcript import Accumulator
from .verdict import Verdict, failed, megabytes, timed_out

if TYPE_CHECKING:
    from .context import Run, Scope

# Bytes asked of each recv while draining during a send (the echo of a large send).
DRAIN_SIZE = 65536
# Bytes read, without waiting, before a normal close: unread data would make close send a RST.
CLOSE_DRAIN_LIMIT = 1 << 20
# Bytes kept unread per connection; beyond, what arrives is counted and dropped, so that a
# program flooding the grader cannot grow the driver without bound (every check of the
# assignments needs at most a few MiB: large-1mib's echo is the largest).
BUFFER_LIMIT = 16 << 20


class TcpConnection:
    """A connected TCP socket with a receive buffer that later expects consume.

    Received chunks are recorded as merged "recv" events (one per run of consecutive reads);
    EOF and RST are recorded as "eof" and "rst" and remembered, since every later read must
    report them the same way.
    """

    def __init__(self, sock: socket.socket, name: str, label: str, run: Run) -> None:
        sock.setblocking(False)
        self.sock = sock
        self.name = name  # as the scenario says it: 'main'
        self.label = label  # as the transcript says it: 'c3.main' in client 3
        self.run = run
        self.buffer = bytearray()
        self.received = 0  # bytes received in all, consumed or not
        self.dropped = 0  # bytes received beyond BUFFER_LIMIT of unread data, and not kept
        self.eof = False
        self.reset = False
        self.failure: str | None = None  # any other receive error, e.g. "Connection timed out"
        self._poller = Poller(sock, run.abort)
        self._pending: Accumulator | None = None
        self._closed = False

    @property
    def ended(self) -> str | None:
        """How the program ended the connection: 'closed', 'reset', an error text, or None."""
        if self.reset:
            return "reset"
        if self.eof:
            return "closed"
        return self.failure

    def ended_clause(self) -> str:
        """The connection's end as a clause: "the program closed the connection 'main'"."""
        if self.reset:
            return f"the program reset the connection '{self.name}'"
        if self.eof:
            return f"the program closed the connection '{self.name}'"
        return f"the connection '{self.name}' failed ({self.failure})"

    def timeout(self, detail: str, cmp: dict[str, Any] | None = None) -> Verdict:
        """A "timeout" verdict, recorded as an event on this connection too."""
        self.record("timeout", note=detail)
        return timed_out(detail, comparison=cmp)

    def record(self, kind: str, data: bytes = b"", *, note: str | None = None) -> None:
        self.flush()
        self.run.transcript.record(self.label, kind, data, note=note)

    def flush(self) -> None:
        """Record the received chunks merged so far as one "recv" event."""
        pending, self._pending = self._pending, None
        if pending is not None:
            note = f"{pending.reads} reads" if pending.reads > 1 else None
            self.run.transcript.record(
                self.label,
                "recv",
                pending.head,
                size=pending.size,
                digest=pending.digest(),
                note=note,
                t=pending.t,
            )

    def receive_once(self, until: float, read_size: int = DRAIN_SIZE, gap: float = 0.0) -> bool:
        """One recv into the buffer (or the end of the connection); False if `until` came first.

        ``gap`` sleeps before the recv: a slow reader.
        """
        if gap:
            pause(self.run.abort, min(gap, until - time.monotonic()))
        readable, _ = self._poller.wait(until, read=True)
        if readable:
            self._recv(read_size)
        return readable

    def _recv(self, size: int) -> None:
        try:
            data = self.sock.recv(size)
        except (BlockingIOError, InterruptedError):
            return  # woken without data after all; the caller waits again
        except ConnectionResetError:
            self.reset = self.run.peer_ended = True
            self.record("rst", note="the program reset the connection")
            return
        except OSError as e:
            self.failure = e.strerror or str(e)
            self.run.peer_ended = True
            self.record("error", note=self.failure)
            return
        if not data:
            self.eof = self.run.peer_ended = True
            self.record("eof", note="the program closed the connection")
            return
        room = max(0, BUFFER_LIMIT - len(self.buffer))
        self.buffer += data[:room]
        self.dropped += max(0, len(data) - room)
        self.received += len(data)
        if self._pending is None:
            self._pending = Accumulator(self.run.transcript.now(), self.run.transcript.preview)
        self._pending.add(data)

    def send(self, data: bytes, until: float, *, drain: bool) -> tuple[int, str | None]:
        """Send all of data before `until`: (bytes sent, None) or (bytes sent, problem), the
        problem being 'timeout', 'closed', 'reset' or an error text.

        With drain, whatever the program sends meanwhile is read into the buffer, so that a
        program echoing a large send never blocks on a full buffer (nor, then, do we).
        """
        view = memoryview(data)
        sent = 0
        while sent < len(data):
            readable, writable = self._poller.wait(
                until, read=drain and self.ended is None, write=True
            )
            if readable:
                self._recv(DRAIN_SIZE)
                if self.reset:
                    return sent, "reset"
            if writable:
                try:
                    sent += self.sock.send(view[sent:])
                except (BlockingIOError, InterruptedError):
                    continue
                except ConnectionResetError:
                    self.reset = self.run.peer_ended = True
                    self.record("rst", note="the program reset the connection")
                    return sent, "reset"
                except BrokenPipeError:
                    self.run.peer_ended = True
                    return sent, "closed"
                except OSError as e:
                    return sent, e.strerror or str(e)
            elif not readable:
                return sent, "timeout"
        return sent, None

    def idle(self, until: float, *, drain: bool) -> None:
        """Wait until `until` (a gap between fragments), reading meanwhile if drain."""
        while time.monotonic() < until:
            if not drain or self.ended is not None:
                pause(self.run.abort, until - time.monotonic())
                return
            self.receive_once(until)

    def flood(self) -> Verdict | None:
        """The verdict once more arrived unread than the driver keeps, else None: no check can
        be right about data that was dropped."""
        if not self.dropped:
            return None
        unread = len(self.buffer) + self.dropped
        return failed(
            f"the program sent {megabytes(unread)} on '{self.name}' that no step asked for "
            f"(the grader keeps {megabytes(BUFFER_LIMIT)} unread and counted the rest)"
        )

    def take(self, count: int) -> bytes:
        """Consume count bytes from the buffer."""
        data = bytes(self.buffer[:count])
        del self.buffer[:count]
        return data

    def shutdown_write(self) -> None:
        self.sock.shutdown(socket.SHUT_WR)
        self.record("half_close")

    def close(self, *, record: bool) -> None:
        """Close normally. Bytes already arrived are read first: closing a socket with unread
        data sends a RST, which the program would see as an abort."""
        if self._closed:
            return
        drained = 0
        while drained < CLOSE_DRAIN_LIMIT and self.ended is None:
            before = self.received
            self._recv(DRAIN_SIZE)  # non-blocking: stops at the first empty read
            if self.received == before:
                break
            drained += self.received - before
        if not record and self.eof:
            # The run is over and the program closed first: an orderly close would leave the
            # program's port in TIME_WAIT for a minute, so a fixed-port server without
            # SO_REUSEADDR could not start for the next test. A RST after its FIN frees the
            # port at once, and the program, having closed, cannot notice.
            with contextlib.suppress(OSError):
                arm_reset(self.sock)
        if record:
            self.record("close")
        self.flush()
        self._release()

    def reset_and_close(self) -> None:
        """Abort the connection: the program receives a RST."""
        if self._closed:
            return
        # If the connection is already gone, closing it is all there is left to do.
        with contextlib.suppress(OSError):
            arm_reset(self.sock)
        self.record("reset")
        self._release()

    def _release(self) -> None:
        self._closed = True
        self._poller.close()
        self.sock.close()


def tcp_connection(scope: Scope, name: Any) -> TcpConnection:
    """The TCP connection a step names (default 'main'); another kind is a scenario error."""
    return scope.lookup(name or "main", TcpConnection, "TCP connection")


class Listener:
    """A listening TCP socket on the run's port, for a student client to connect to."""

    def __init__(self, sock: socket.socket, name: str, label: str, run: Run) -> None:
        sock.setblocking(False)
        self.sock = sock
        self.name = name
        self.label = label
        self.run = run
        self._poller = Poller(sock, run.abort)
        self._closed = False

    def accept(self, until: float) -> tuple[socket.socket, tuple[str, int]] | None:
        """A connection accepted before `until`, or None."""
        readable, _ = self._poller.wait(until, read=True)
        if not readable:
            return None
        try:
            conn, peer = self.sock.accept()
        except (BlockingIOError, InterruptedError, ConnectionAbortedError):
            return None  # the connection went away before we took it
        return conn, peer

    def flush(self) -> None:
        """Nothing is merged on a listener."""

    def close(self, *, record: bool) -> None:
        if self._closed:
            return
        self._closed = True
        if record:
            self.run.transcript.record(self.label, "close")
        self._poller.close()
        self.sock.close()
