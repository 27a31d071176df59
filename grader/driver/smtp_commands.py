"""The replies of the grader's mail server to each command, as RFC 5321 has a server answer."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .smtp_session import Exchange

SERVER = "grader.example.com"  # the name the server gives itself
# The EHLO reply (RFC 5321 §4.1.1.1): no PIPELINING (RFC 2920), so the client must wait for
# each reply; no AUTH (RFC 4954) and no STARTTLS (RFC 3207), so it must not rely on them.
EHLO_KEYWORDS = ("SIZE 10485760", "8BITMIME", "ENHANCEDSTATUSCODES", "HELP")
# Commands a real server may know but this one does not offer: 502 (RFC 5321 §4.2.4).
NOT_OFFERED = {
    "AUTH": "this server offers no authentication (AUTH is not in its EHLO reply): send the "
    "mail without logging in",
    "STARTTLS": "this server offers no TLS (STARTTLS is not in its EHLO reply): go on in plain "
    "text",
    "VRFY": "this server does not verify addresses",
    "EXPN": "this server does not expand mailing lists",
    "BDAT": "CHUNKING is not in the EHLO reply: send the message with DATA",
    "ETRN": "this server holds no queue for you",
    "TURN": "this server does not change roles",
    "ATRN": "this server does not change roles",
    "SEND": "send the mail with MAIL FROM",
    "SOML": "send the mail with MAIL FROM",
    "SAML": "send the mail with MAIL FROM",
}

# RFC 5321 §4.1.2: Mailbox = Local-part "@" ( Domain / address-literal ); the local part is a
# dot-string or a quoted string, the domain dot-separated labels of letters, digits and hyphens.
MAILBOX = (
    r'(?:"[^"\r\n]*"|[^\s@<>()\[\],;:"]+)'
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
    r"|\[[^\]\s]+\])"
)
# RFC 5321 §4.1.2: Path = "<" [ A-d-l ":" ] Mailbox ">" (the source route is obsolete but
# allowed). The angle brackets may be left out, as Postfix and Exim accept by default.
PATH = re.compile(rf"(?:<(?:@[^:<>\s]+:)?(?P<inside>{MAILBOX})>|(?P<bare>{MAILBOX}))")
# RFC 5321 §4.1.1.2 and §4.1.1.3: "MAIL FROM:" Reverse-path [SP Mail-parameters]; "RCPT TO:"
# Forward-path [SP Rcpt-parameters]. The verb's case is free (§2.4); a space after the colon
# is tolerated, as every real server does.
MAIL_ARG = re.compile(r"FROM:[ \t]*(?P<path><[^<>]*>|[^\s<>]+)(?:[ \t]+(?P<params>.*))?", re.I)
RCPT_ARG = re.compile(r"TO:[ \t]*(?P<path><[^<>]*>|[^\s<>]+)(?:[ \t]+(?P<params>.*))?", re.I)
# RFC 5321 §4.1.1.3: <Postmaster> without a domain is a valid recipient.
POSTMASTER = re.compile(r"<postmaster>", re.I)


@dataclass
class Transaction:
    """The mail transaction under way (RFC 5321 §3.3): its sender and how many recipients."""

    sender: str | None = None
    recipients: int = 0
    queued: int = 0  # messages accepted so far

    def clear(self) -> None:
        self.sender, self.recipients = None, 0


def _hello(state: Transaction, x: Exchange) -> str | list[str]:
    # RFC 5321 §4.1.1.1: "HELO" SP Domain / "EHLO" SP ( Domain / address-literal ).
    if not x.arg:
        return f"501 5.5.4 Syntax: {x.verb} hostname"
    state.clear()
    if x.verb == "HELO":
        return f"250 {SERVER}"
    return [f"250 {SERVER} greets {x.arg.split()[0]}", *(f"250 {k}" for k in EHLO_KEYWORDS)]


def _mail(state: Transaction, x: Exchange) -> str:
    match = MAIL_ARG.fullmatch(x.arg)
    if match is None:
        return "501 5.5.4 Syntax: MAIL FROM:<address>"
    path = match.group("path")
    if path != "<>" and PATH.fullmatch(path) is None:  # <> is the null reverse-path
        return "501 5.1.7 Bad sender address syntax"
    if state.sender is not None:
        return "503 5.5.1 Error: nested MAIL command"
    state.sender, state.recipients = path, 0
    return "250 2.1.0 Ok"


def _rcpt(state: Transaction, x: Exchange) -> str:
    match = RCPT_ARG.fullmatch(x.arg)
    if match is None:
        return "501 5.5.4 Syntax: RCPT TO:<address>"
    path = match.group("path")
    if PATH.fullmatch(path) is None and POSTMASTER.fullmatch(path) is None:
        return "501 5.1.3 Bad recipient address syntax"
    if state.sender is None:
        return "503 5.5.1 Error: need MAIL command"
    state.recipients += 1
    return "250 2.1.5 Ok"


def _data(state: Transaction, x: Exchange) -> str:
    if x.arg:
        return "501 5.5.4 Syntax: DATA"
    # Lenient: no 503/554 without a recipient (a MAY, RFC 5321 §3.3); the envelope check
    # reports a missing envelope, and the message is still received and checked on its own.
    return "354 End data with <CR><LF>.<CR><LF>"


def _rset(state: Transaction, x: Exchange) -> str:
    state.clear()
    return "250 2.0.0 Ok"


def _noop(state: Transaction, x: Exchange) -> str:
    return "250 2.0.0 Ok"


def _help(state: Transaction, x: Exchange) -> str:
    return "214 2.0.0 Commands: HELO EHLO MAIL RCPT DATA RSET NOOP HELP QUIT"


def _quit(state: Transaction, x: Exchange) -> str:
    return f"221 2.0.0 {SERVER} closing connection"


COMMANDS: dict[str, Callable[[Transaction, Exchange], str | list[str]]] = {
    "HELO": _hello,
    "EHLO": _hello,
    "MAIL": _mail,
    "RCPT": _rcpt,
    "DATA": _data,
    "RSET": _rset,
    "NOOP": _noop,
    "HELP": _help,
    "QUIT": _quit,
}


def answer(state: Transaction, x: Exchange) -> str | list[str]:
    """The reply to a command line: its handler's, 502 for what is not offered, else 500."""
    handler = COMMANDS.get(x.verb)
    if handler is not None:
        return handler(state, x)
    if x.verb in NOT_OFFERED:
        return f"502 5.5.1 {x.verb} not implemented: {NOT_OFFERED[x.verb]}"
    return "500 5.5.2 Syntax error, command unrecognized"
