"""The checks of an SMTP session that smtp_server recorded: each enforces one rule of RFC 5321.

A check looks only at its own rule, so that one mistake costs one check: what the client
chose (its name after HELO, the addresses, the message's headers and text, what it prints)
is never checked, and a failure elsewhere in the dialogue does not make this check fail.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .verdict import Verdict, comparison, quote, seconds

if TYPE_CHECKING:
    from .smtp_session import Exchange, Session

CRLF = b"\r\n"


def failed(detail: str, *, comparison: dict[str, Any] | None = None) -> Verdict:
    """A check that did not hold. Not a network failure: the dialogue is over, and that the
    client has exited by now is no news for the reason."""
    return Verdict("failed", detail, comparison=comparison)


def _sent(session: Session) -> str:
    """What the client sent, as a list for a reason: 'HELO, MAIL, RCPT, DATA, the message'."""
    names = [x.name() for x in session.exchanges]
    return ", ".join(names) if names else "nothing"


def _reply_text(x: Exchange) -> str:
    last = x.reply.rstrip(CRLF).split(CRLF)[-1]
    return quote(last, 60) if last else "no reply"


def greeting(session: Session) -> None:
    """RFC 5321 §3.1: the server speaks first; the client sends nothing before the 220."""
    if session.first_byte is None:
        raise failed(f"the client sent nothing after the server's 220 greeting; {session.ending()}")
    if session.greeted is None or session.first_byte < session.greeted:
        after = seconds(session.first_byte - session.connected)
        delay = seconds(session.greeting_delay)
        raise failed(
            f"the client sent {quote(session.early) if session.early else 'data'} {after} after "
            f"connecting, before the server's 220 greeting (sent after {delay}): an SMTP server "
            "speaks first (RFC 5321 §3.1); receive the greeting before sending HELO"
        )


def hello(session: Session) -> None:
    """RFC 5321 §4.1.1.1 and §4.1.4: HELO or EHLO with a name opens the session, before MAIL."""
    before: list[Exchange] = []
    for x in session.exchanges:
        if x.kind == "command" and x.verb == "MAIL":
            break
        before.append(x)
    greeted = [x for x in before if x.verb in ("HELO", "EHLO")]
    if any(x.code == 250 for x in greeted):
        return
    if greeted:
        raise failed(
            f"the client's {greeted[0].show()} has no name after it (the server answered "
            f"{_reply_text(greeted[0])}): send 'HELO name' (RFC 5321 §4.1.1.1)"
        )
    first = session.exchanges[0].show() if session.exchanges else "nothing"
    where = " before MAIL FROM" if len(before) < len(session.exchanges) else ""
    raise failed(
        f"no HELO or EHLO command{where}: the client's first command was {first} (it sent "
        f"{_sent(session)}); a session opens with HELO or EHLO and a name (RFC 5321 §4.1.1.1)"
    )


def envelope(session: Session) -> None:
    """RFC 5321 §4.1.1.2, §4.1.1.3 and §3.3: MAIL FROM:<address>, then at least one RCPT
    TO:<address>, both accepted, before DATA. Which addresses is the client's choice."""
    before: list[Exchange] = []
    for x in session.exchanges:
        if x.kind == "message" or x.verb == "DATA":
            break
        before.append(x)
    for x in before:
        if x.verb in ("MAIL", "RCPT") and x.code != 250:
            form = "MAIL FROM:<address>" if x.verb == "MAIL" else "RCPT TO:<address>"
            raise failed(
                f"the server refused the client's {x.show()} with {_reply_text(x)}: the "
                f"envelope is {form} (RFC 5321 §4.1.1.2, §4.1.1.3)"
            )
    mails = [x for x in before if x.verb == "MAIL"]
    if not mails:
        raise failed(
            f"no MAIL FROM command before DATA (the client sent {_sent(session)}): the envelope "
            "starts with MAIL FROM:<sender> (RFC 5321 §4.1.1.2)"
        )
    after_mail = before[before.index(mails[-1]) :]
    if not any(x.verb == "RCPT" for x in after_mail):
        raise failed(
            f"no RCPT TO command after MAIL FROM and before DATA (the client sent "
            f"{_sent(session)}): each recipient is given with RCPT TO:<recipient> "
            "(RFC 5321 §4.1.1.3)"
        )


def message(session: Session) -> None:
    """RFC 5321 §4.1.1.4: DATA, then after the 354 the message, ended by a line holding a
    single dot. Its headers and text are the client's choice."""
    datas = session.commands("DATA")
    if not datas:
        raise failed(
            f"no DATA command (the client sent {_sent(session)}; {session.ending()}): the "
            "message is sent after DATA and the server's 354 reply (RFC 5321 §4.1.1.4)"
        )
    accepted = [x for x in datas if x.code == 354]
    if not accepted:
        raise failed(
            f"the server refused the client's {datas[0].show()} with {_reply_text(datas[0])}: "
            "send DATA alone on its line (RFC 5321 §4.1.1.4)"
        )
    index = session.exchanges.index(accepted[0])
    following = session.exchanges[index + 1 : index + 2]
    if not following or following[0].kind != "message":
        raise failed(f"after the 354 reply to DATA the client sent no message; {session.ending()}")
    body = following[0]
    if not body.terminated:
        tail = body.raw[-40:]
        raise failed(
            f"the message ({len(body.raw)} bytes) never ended: no line holding a single dot "
            f"came (the bytes \\r\\n.\\r\\n), so the server kept waiting for more of it; "
            f"{session.ending()}. The message ended with {quote(tail)}",
            comparison=comparison("bytes", b"\r\n.\r\n", tail, preview=4096),
        )


def crlf(session: Session) -> None:
    """RFC 5321 §2.3.8: every line, commands and message alike, ends with CR LF; no bare CR
    or LF elsewhere. (The server takes a bare LF as a line end so that the dialogue goes on.)"""
    count = 0
    for x in session.exchanges:
        for line in x.lines:
            count += 1
            body = line[:-2] if line.endswith(CRLF) else line.removesuffix(b"\n")
            what = "the message's" if x.kind == "message" else "the command"
            if not line.endswith(CRLF) or b"\r" in body or b"\n" in body:
                ends = "a bare LF (\\n)" if not line.endswith(CRLF) else "CR LF"
                stray = " and holds a bare CR" if b"\r" in body else ""
                raise failed(
                    f"line {count} the client sent ({what} {quote(line)}) ends with {ends}"
                    f"{stray}: SMTP lines end with CR LF, \\r\\n (RFC 5321 §2.3.8)",
                    comparison=comparison("line", body + CRLF, line, preview=4096),
                )
    if session.leftover:
        raise failed(
            f"the client's last bytes {quote(session.leftover)} have no line end; "
            f"{session.ending()}: end every line with \\r\\n (RFC 5321 §2.3.8)"
        )
    if count == 0:
        raise failed(f"the client sent no line at all; {session.ending()}")


def quit_(session: Session) -> None:
    """RFC 5321 §4.1.1.10: the client ends with QUIT and does not close the connection before
    the 221 reply (it SHOULD wait for it)."""
    quits = session.commands("QUIT")
    if not quits:
        raise failed(
            f"no QUIT command (the client sent {_sent(session)}; {session.ending()}): say "
            "goodbye with QUIT and receive the 221 before closing (RFC 5321 §4.1.1.10)"
        )
    x = quits[0]
    ended = session.ended_client
    if ended is not None and (x.replied is None or ended < x.replied):
        how = "reset" if session.end == "reset" else "closed"
        after = seconds(max(ended - x.arrived, 0.0))
        delay = ""
        if session.reply_delay:
            delay = f" (it came {seconds(session.reply_delay)} after QUIT)"
        raise failed(
            f"the client {how} the connection {after} after QUIT, before the server's 221 "
            f"reply{delay}: receive the 221, then close (RFC 5321 §4.1.1.10)"
        )


def waits(session: Session) -> None:
    """RFC 5321 §4.3.1: without PIPELINING (RFC 2920) in the EHLO reply, the client sends each
    command, and the message, only after the whole reply to what it sent before."""
    sent = session.exchanges
    if len(sent) < 2:
        raise failed(
            f"the client sent {_sent(session)} ({session.ending()}): not enough of a dialogue "
            "to show that it waits for each reply"
        )
    for before, x in itertools.pairwise(sent):
        if before.replied is None or x.arrived < before.replied:
            early = f"{seconds(before.replied - x.arrived)} " if before.replied else ""
            raise failed(
                f"the client sent {x.show()} {early}before the server had finished its reply "
                f"to {before.show()}: wait for each reply, up to the end of its last "
                "line, before sending more (RFC 5321 §4.3.1; this server does not offer "
                "PIPELINING)"
            )


CHECKS: dict[str, Callable[[Session], None]] = {
    "greeting": greeting,
    "hello": hello,
    "envelope": envelope,
    "message": message,
    "crlf": crlf,
    "quit": quit_,
    "waits": waits,
}


def summary(session: Session) -> str:
    """One line for the transcript: what the client sent and how the session ended."""
    return f"SMTP session: the client sent {_sent(session)}; {session.ending()}"
