"""The record of one SMTP session: what the client sent, when, and what it was answered."""

from __future__ import annotations

from dataclasses import dataclass, field

from .verdict import seconds

# The first bytes of a TLS handshake record (RFC 8446 §5.1: content type 22, version 3.x).
TLS_RECORD = b"\x16\x03"


@dataclass
class Exchange:
    """One thing the client sent (a command line or the message) and the server's reply."""

    kind: str  # "command" or "message"
    raw: bytes  # as received: a line with its end, or the message with its dot line
    verb: str  # a command's first word, upper case; "" for the message
    arg: str  # the rest of a command line, stripped
    arrived: float  # when its first byte was read (time.monotonic)
    lines: list[bytes] = field(default_factory=list)  # each line as received, end included
    terminated: bool = True  # a message: its dot line came
    code: int = 0  # the reply's code; 0 when none was sent
    reply: bytes = b""
    replied: float | None = None  # when the reply's last byte was sent

    def name(self) -> str:
        """A short name for a list: 'MAIL', 'the message', 'a line that is no command'."""
        if self.kind == "message":
            return "the message"
        if not self.verb:
            return "an empty line"
        if self.verb.isascii() and self.verb.isalpha():
            return self.verb
        if self.raw.startswith(TLS_RECORD):
            return "a TLS handshake"  # a client that goes on with TLS after a refused STARTTLS
        return "a line that is no command"

    def show(self) -> str:
        """How a reason names it: 'MAIL FROM:<a@b>' or 'the message'."""
        if self.kind == "message":
            return "the message"
        text = self.raw.rstrip(b"\r\n").decode("utf-8", "backslashreplace")
        return repr(text[:60] + ("…" if len(text) > 60 else ""))


@dataclass
class Session:
    """What the client did: the basis of every check."""

    connected: float
    greeted: float | None = None  # when the greeting's last byte was sent
    exchanges: list[Exchange] = field(default_factory=list)
    early: bytes = b""  # bytes read before the greeting was complete
    first_byte: float | None = None
    end: str = ""  # "quit", "closed", "reset", "idle", "too long", "too big", "gone"
    ended_client: float | None = None  # when the client closed or reset the connection
    leftover: bytes = b""  # bytes of an unfinished line at the end
    greeting_delay: float = 0.0
    reply_delay: float = 0.0
    idle: float = 0.0

    def commands(self, *verbs: str) -> list[Exchange]:
        return [x for x in self.exchanges if x.kind == "command" and x.verb in verbs]

    def ending(self) -> str:
        """How the dialogue ended, as a clause: 'then the client closed the connection'."""
        return {
            "quit": "the dialogue ended with QUIT",
            "closed": "then the client closed the connection",
            "reset": "then the client reset the connection",
            "idle": f"then the client sent no complete line for {seconds(self.idle)}: the "
            "server gave up (421)",
            "too long": "then the client sent 64 KiB without a line end",
            "too big": "then the message passed 4 MiB",
            "gone": "then the connection failed",
        }.get(self.end, "")
