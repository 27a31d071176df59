"""smtp_server: the grader plays a mail server (RFC 5321) to a student client, then checks it.

The server answers every line as a real one would, so that a client is never left waiting
for a reply that a scripted dialogue did not foresee: HELO and EHLO (a multi-line 250), MAIL
and RCPT (verbs in any case, with or without a space after the colon), DATA then 354 and the
message up to its line holding a single dot, RSET, NOOP, HELP, QUIT; AUTH, STARTTLS, VRFY and
the other commands it does not offer get 502 with a reason, unknown ones 500, and the dialogue
goes on. Where RFC 5321 leaves a server the choice it is lenient, so that one mistake costs
one check: a bare LF ends a line (recorded for the ``crlf`` check), MAIL is taken without a
HELO, DATA without an accepted recipient (§3.3: refusing it is a MAY).

The session ends at QUIT (221, then the connection is closed), when the client closes or
resets the connection, or after ``idle`` seconds without a complete line (421, then closed:
§4.5.3.2's timeouts, shortened). Then ``smtp_checks`` judges what was recorded.
"""

from __future__ import annotations

import bisect
import time
from collections.abc import Callable

from . import smtp_checks
from .connection import TcpConnection, tcp_connection
from .context import Scope, Step
from .smtp_commands import SERVER, Transaction, answer
from .smtp_session import Exchange, Session
from .verdict import Verdict, error, seconds

# A command line longer than this gets 500 (RFC 5321 §4.5.3.1.4 says 512 octets; real servers
# such as Postfix take 2048).
COMMAND_LIMIT = 2048
# Bytes without a line end after which the server gives up on the connection.
SCAN_LIMIT = 1 << 16
# A message larger than this is refused (552) and the connection closed: a runaway client.
MESSAGE_LIMIT = 4 << 20
# Seconds the server waits for the client to close after the 221, before it closes itself.
CLOSE_GRACE = 1.0


class Server:
    """Plays the server side of one SMTP session on a connection and records it."""

    def __init__(self, scope: Scope, conn: TcpConnection, step: Step) -> None:
        self.run = scope.run
        self.conn = conn
        self.session = Session(
            connected=time.monotonic(),
            greeting_delay=float(step.get("greeting_delay") or 0),
            reply_delay=float(step.get("reply_delay") or 0),
            idle=float(step.get("idle") or self.run.settings.step_timeout),
        )
        self.split_gap = float(step.get("split_gap") or 0)
        slow = step.get("slow")
        self.slow: set[str] | None = None if slow is None else {str(s).upper() for s in slow}
        self.stamps: list[tuple[int, float]] = []  # (end offset of a read, when it was read)
        self.starts: list[int] = []  # the offsets, for bisect
        self.last_activity = self.session.connected
        self.transaction = Transaction()
        if conn.buffer:
            self._stamp()

    # --- Receiving, with the time each byte was read ---------------------------------------

    def _stamp(self) -> None:
        end = self.conn.received
        if end > (self.stamps[-1][0] if self.stamps else 0):
            now = time.monotonic()
            self.stamps.append((end, now))
            self.starts.append(end)
            self.last_activity = now
            if self.session.first_byte is None:
                self.session.first_byte = now
        if self.conn.ended is not None and self.session.ended_client is None:
            self.session.ended_client = time.monotonic()

    def _offset(self) -> int:
        """The absolute offset of the first byte still in the buffer."""
        return self.conn.received - len(self.conn.buffer)

    def arrival(self, offset: int) -> float:
        """When the byte at this absolute offset was read."""
        index = bisect.bisect_right(self.starts, offset)
        return self.stamps[min(index, len(self.stamps) - 1)][1]

    def _receive(self, until: float) -> bool:
        """One read before `until` (bounded by the test's deadline); False if nothing came."""
        if self.conn.ended is not None:
            return False
        if time.monotonic() >= self.run.test_deadline:
            raise self._out_of_time()
        got = self.conn.receive_once(min(until, self.run.test_deadline))
        self._stamp()
        return got

    def _pause(self, duration: float) -> None:
        """Wait, reading what the client sends meanwhile (a slow server)."""
        until = time.monotonic() + duration
        while time.monotonic() < until:
            if self.conn.ended is not None:
                return  # nobody left to wait for
            self._receive(until)

    def _out_of_time(self) -> Verdict:
        limit = seconds(self.run.settings.test_timeout)
        done = ", ".join(x.name() for x in self.session.exchanges) or "nothing"
        return self.conn.timeout(
            f"the test's {limit} limit ran out during the SMTP dialogue (the client had sent: "
            f"{done})"
        )

    # --- Replying ------------------------------------------------------------------------

    def _slow(self, key: str) -> bool:
        return self.slow is None or key in self.slow

    def reply(self, key: str, text: str | list[str], exchange: Exchange | None = None) -> bool:
        """Send a reply (a multi-line one for a list, RFC 5321 §4.2.1) and note it in the
        exchange it answers; False if the client is gone. ``key`` names it for the slow list:
        GREETING, a verb, or MESSAGE."""
        lines = [text] if isinstance(text, str) else text
        data = "".join(
            f"{line[:3]}{'-' if i < len(lines) - 1 else ' '}{line[4:]}\r\n"
            for i, line in enumerate(lines)
        ).encode()
        if key != "GREETING" and self.session.reply_delay and self._slow(key):
            self._pause(self.session.reply_delay)
        pieces = [data]
        if self.split_gap and self._slow(key) and len(data) > 1:
            half = len(data) // 2
            pieces = [data[:half], data[half:]]
        for index, piece in enumerate(pieces):
            if index:
                self._pause(self.split_gap)
            if not self._send(piece):
                return False
        done = time.monotonic()
        self.last_activity = done
        if exchange is not None:
            exchange.code, exchange.reply, exchange.replied = int(lines[-1][:3]), data, done
        if key == "GREETING":
            self.session.greeted = done
        return True

    def _send(self, data: bytes) -> bool:
        self.conn.flush()
        t = self.run.transcript.now()
        until = min(time.monotonic() + self.run.settings.step_timeout, self.run.test_deadline)
        sent, problem = self.conn.send(data, until, drain=False)
        if sent:
            self.run.transcript.record(self.conn.label, "send", data[:sent], t=t)
        if problem is not None:
            self._stamp()
            if self.session.end == "":
                self.session.end = "reset" if problem == "reset" else "closed"
            return False
        return True

    # --- The dialogue ----------------------------------------------------------------------

    def play(self) -> Session:
        s = self.session
        if s.greeting_delay:
            self._pause(s.greeting_delay)
        if self.reply("GREETING", f"220 {SERVER} ESMTP ready"):
            s.early = bytes(self.conn.buffer)
            while s.end == "" and self._one():
                pass
        if s.end == "":
            s.end = "gone"
        return s

    def _line(self) -> tuple[bytes, float] | None:
        """The next line (up to LF, which a CR should precede) and when its first byte came;
        None when the dialogue ends first (the reason is in session.end)."""
        buffer = self.conn.buffer
        while True:
            end = buffer.find(b"\n")
            if end >= 0:
                at = self.arrival(self._offset())
                return self.conn.take(end + 1), at
            if len(buffer) > SCAN_LIMIT:
                self.session.end = "too long"
                self.session.leftover = bytes(buffer)
                return None
            if self.conn.ended is not None:
                self.session.end = "reset" if self.conn.reset else "closed"
                self.session.leftover = bytes(buffer)
                return None
            idle_until = self.last_activity + self.session.idle
            if not self._receive(idle_until) and time.monotonic() >= idle_until:
                if self.conn.ended is not None:
                    continue
                self.session.end = "idle"
                self.session.leftover = bytes(buffer)
                return None

    def _one(self) -> bool:
        """Read one command and answer it; False when the dialogue is over."""
        got = self._line()
        if got is None:
            self._give_up()
            return False
        raw, at = got
        text = raw.rstrip(b"\r\n").decode("latin-1")
        verb, _, arg = text.strip().partition(" ")
        exchange = Exchange("command", raw, verb.upper(), arg.strip(), at, lines=[raw])
        self.session.exchanges.append(exchange)
        if len(raw) > COMMAND_LIMIT:
            reply: str | list[str] = "500 5.5.2 Line too long"
        else:
            reply = answer(self.transaction, exchange)
        if not self.reply(exchange.verb, reply, exchange):
            return False
        if exchange.verb == "QUIT" and exchange.code == 221:
            self.session.end = "quit"
            self._close_after_quit()
            return False
        if exchange.verb == "DATA" and exchange.code == 354:
            return self._message()
        return True

    def _message(self) -> bool:
        """Receive the message up to its dot line (RFC 5321 §4.1.1.4), unstuffing dots."""
        message = Exchange("message", b"", "", "", 0.0, terminated=False)
        started, size = False, 0
        while True:
            got = self._line()
            if got is None:
                message.raw = b"".join(message.lines) + self.session.leftover
                if not started and self.session.leftover:  # an unfinished first line
                    message.arrived = self.arrival(self._offset())
                    self.session.exchanges.append(message)
                self._give_up()
                return False
            raw, at = got
            if not started:
                started, message.arrived = True, at
                self.session.exchanges.append(message)
            message.lines.append(raw)
            size += len(raw)
            if raw.rstrip(b"\r\n") == b".":
                message.terminated = True
                break
            if size > MESSAGE_LIMIT:
                self.session.end = "too big"
                self.reply("MESSAGE", "552 5.3.4 Message too big", message)
                return False
        message.raw = b"".join(message.lines)
        # The message as the server keeps it (RFC 5321 §4.5.2): the dot line off, and the
        # first of two leading dots, which the client added, removed.
        text = b"".join(line[1:] if line.startswith(b".") else line for line in message.lines[:-1])
        self.run.transcript.record(
            self.conn.label, "note", text, note="the message as received (dots unstuffed)"
        )
        self.transaction.queued += 1
        self.transaction.clear()
        queued = self.transaction.queued
        return self.reply("MESSAGE", f"250 2.0.0 Ok: queued as {queued}", message)

    def _give_up(self) -> None:
        """The client is silent or sent too much: 421 and close (RFC 5321 §3.8)."""
        if self.session.end in ("idle", "too long"):
            why = "timeout" if self.session.end == "idle" else "line too long"
            self.reply("CLOSE", f"421 4.4.2 {SERVER} Error: {why}, closing connection")

    def _close_after_quit(self) -> None:
        """After the 221 the server closes (RFC 5321 §4.1.1.10); the client may close first."""
        until = time.monotonic() + CLOSE_GRACE
        while self.conn.ended is None and time.monotonic() < until:
            self._receive(until)


def smtp_server(scope: Scope, step: Step) -> None:
    checks = step.get("smtp_server") or []
    if not isinstance(checks, list) or any(c not in smtp_checks.CHECKS for c in checks):
        raise error(
            f"smtp_server takes a list of checks among {', '.join(smtp_checks.CHECKS)}, not "
            f"{checks!r}"
        )
    name = step.get("conn") or "main"
    conn = tcp_connection(scope, name)
    session = Server(scope, conn, step).play()
    conn.close(record=True)
    scope.forget(name)
    scope.run.transcript.record(conn.label, "note", note=smtp_checks.summary(session))
    for check in checks:
        smtp_checks.CHECKS[check](session)


HANDLERS: dict[str, Callable[[Scope, Step], None]] = {"smtp_server": smtp_server}
