"""smtp_server: the grader's mail server answers like a real one, and each check holds alone."""

from __future__ import annotations

import base64
import socket
import threading
import time
from collections.abc import Callable

from driver_doubles import HOST, Drive, FakeControl

Client = Callable[[socket.socket], None]
CRLF = b"\r\n"


def client_program(port: int, client: Client) -> FakeControl:
    """A fake program whose start() runs `client` on a connection to the grader's server."""
    control = FakeControl(running=False)

    def run() -> None:
        try:
            with socket.create_connection((HOST, port), timeout=10) as sock:
                client(sock)
        except OSError:
            pass  # the server closed or reset: what some tests do on purpose
        control.exit(0)

    control.on_start = lambda: threading.Thread(target=run, daemon=True).start()
    return control


def read_reply(sock: socket.socket) -> bytes:
    """One whole reply, multi-line ones included (byte by byte: nothing read ahead)."""
    data = b""
    while True:
        line = b""
        while not line.endswith(CRLF):
            byte = sock.recv(1)
            if not byte:
                return data + line
            line += byte
        data += line
        if line[3:4] != b"-":
            return data


def dialogue(*commands: bytes, message: bytes | None = None) -> tuple[Client, list[bytes]]:
    """A careful client: each command after the reply to the one before; ``message`` (raw
    bytes, dot line included) right after DATA's reply. Returns it and the replies it got."""
    replies: list[bytes] = []

    def client(sock: socket.socket) -> None:
        replies.append(read_reply(sock))
        for command in commands:
            sock.sendall(command)
            replies.append(read_reply(sock))
            if command.upper().startswith(b"DATA") and message is not None:
                sock.sendall(message)
                replies.append(read_reply(sock))

    return client, replies


MAIL = b"Subject: hi\r\n\r\nI love computer networks!\r\n.\r\n"
CLASSIC = (
    b"HELO me\r\n",
    b"MAIL FROM:<alice@example.com>\r\n",
    b"RCPT TO:<bob@example.com>\r\n",
    b"DATA\r\n",
    b"QUIT\r\n",
)
ALL = ["greeting", "hello", "envelope", "message", "crlf", "quit", "waits"]


def serve(
    drive: Drive, free_port: tuple[int, socket.socket], client: Client, **options: object
) -> dict:
    port, sock = free_port
    sock.close()  # the driver listens on this port itself
    steps = [
        {"listen": "server"},
        {"start": None},
        {"accept": "smtp", "listener": "server"},
        {"smtp_server": options.pop("checks", ALL), "conn": "smtp", "idle": 1.0, **options},
    ]
    return drive(steps, port, client_program(port, client), role="client", step_timeout=2.0)


def codes(replies: list[bytes]) -> list[str]:
    return [r[:3].decode() for r in replies]


def test_a_classic_dialogue_passes_every_check(drive: Drive, free_port):
    client, replies = dialogue(*CLASSIC, message=MAIL)
    result = serve(drive, free_port, client)
    assert result["status"] == "passed", result["reason"]
    assert codes(replies) == ["220", "250", "250", "250", "354", "250", "221"]
    notes = [e["note"] for e in result["events"] if e["kind"] == "note"]
    assert notes[-1] == (
        "SMTP session: the client sent HELO, MAIL, RCPT, DATA, the message, QUIT; "
        "the dialogue ended with QUIT"
    ), notes


def test_ehlo_gets_a_multiline_reply_without_pipelining_auth_or_starttls(drive: Drive, free_port):
    client, replies = dialogue(b"EHLO me\r\n", b"QUIT\r\n")
    serve(drive, free_port, client, checks=[])
    lines = replies[1].split(CRLF)[:-1]
    assert [line[:4] for line in lines] == [b"250-"] * (len(lines) - 1) + [b"250 "], lines
    keywords = {line[4:].split()[0] for line in lines[1:]}
    assert keywords == {b"SIZE", b"8BITMIME", b"ENHANCEDSTATUSCODES", b"HELP"}, lines


def test_verbs_in_any_case_and_a_space_after_the_colon_are_accepted(drive: Drive, free_port):
    client, replies = dialogue(
        b"helo me\r\n",
        b"mail from: <alice@example.com> SIZE=100\r\n",
        b"Rcpt To: bob@example.com\r\n",  # no angle brackets: Postfix's leniency
        b"data\r\n",
        b"quit\r\n",
        message=MAIL,
    )
    result = serve(drive, free_port, client)
    assert result["status"] == "passed", result["reason"]
    assert codes(replies) == ["220", "250", "250", "250", "354", "250", "221"]


def test_auth_starttls_and_unknown_commands_are_refused_and_the_dialogue_goes_on(
    drive: Drive, free_port
):
    client, replies = dialogue(
        b"EHLO me\r\n",
        b"STARTTLS\r\n",
        b"AUTH LOGIN\r\n",
        base64.b64encode(b"alice") + CRLF,
        b"VRFY bob\r\n",
        b"NOOP\r\n",
        b"RSET\r\n",
        *CLASSIC[1:],
        message=MAIL,
    )
    result = serve(drive, free_port, client)
    assert result["status"] == "passed", result["reason"]
    assert codes(replies) == [
        "220",
        "250",
        "502",
        "502",
        "500",
        "502",
        "250",
        "250",
        "250",
        "250",
        "354",
        "250",
        "221",
    ]
    assert b"offers no authentication" in replies[3], replies[3]
    assert b"offers no TLS" in replies[2], replies[2]


def test_dots_are_unstuffed_in_the_message_as_received(drive: Drive, free_port):
    client, _ = dialogue(*CLASSIC, message=b"..one dot\r\nplain\r\n.\r\n")
    result = serve(drive, free_port, client)
    assert result["status"] == "passed", result["reason"]
    kept = [e for e in result["events"] if e["note"] == "the message as received (dots unstuffed)"]
    assert [base64.b64decode(e["data_b64"]) for e in kept] == [b".one dot\r\nplain\r\n"]


def test_bare_lf_fails_only_the_crlf_check(drive: Drive, free_port):
    commands = [c.replace(CRLF, b"\n") for c in CLASSIC]
    client, replies = dialogue(*commands, message=MAIL.replace(CRLF, b"\n"))
    others = [c for c in ALL if c != "crlf"]
    assert serve(drive, free_port, client, checks=others)["status"] == "passed"
    assert codes(replies) == ["220", "250", "250", "250", "354", "250", "221"]
    client, _ = dialogue(*commands, message=MAIL)
    result = serve(drive, free_port, client, checks=["crlf"])
    assert result["status"] == "failed", result
    assert result["reason"] == (
        "step 3 (smtp_server): line 1 the client sent (the command 'HELO me\\n') ends with a "
        "bare LF (\\n): SMTP lines end with CR LF, \\r\\n (RFC 5321 §2.3.8)"
    ), result["reason"]


def test_no_helo_fails_only_the_hello_check(drive: Drive, free_port):
    client, replies = dialogue(*CLASSIC[1:], message=MAIL)
    result = serve(drive, free_port, client, checks=[c for c in ALL if c != "hello"])
    assert result["status"] == "passed", result["reason"]
    assert codes(replies) == ["220", "250", "250", "354", "250", "221"]  # MAIL without HELO
    client, _ = dialogue(*CLASSIC[1:], message=MAIL)
    result = serve(drive, free_port, client, checks=["hello"])
    assert result["reason"].startswith(
        "step 3 (smtp_server): no HELO or EHLO command before MAIL FROM: the client's first "
        "command was 'MAIL FROM:<alice@example.com>'"
    ), result["reason"]


def test_a_malformed_sender_fails_only_the_envelope_check(drive: Drive, free_port):
    commands = (CLASSIC[0], b"MAIL FROM alice@example.com\r\n", *CLASSIC[2:])
    client, replies = dialogue(*commands, message=MAIL)
    result = serve(drive, free_port, client, checks=["envelope"])
    assert codes(replies) == ["220", "250", "501", "503", "354", "250", "221"]
    assert result["reason"] == (
        "step 3 (smtp_server): the server refused the client's 'MAIL FROM alice@example.com' "
        "with '501 5.5.4 Syntax: MAIL FROM:<address>': the envelope is MAIL FROM:<address> "
        "(RFC 5321 §4.1.1.2, §4.1.1.3)"
    ), result["reason"]
    client, _ = dialogue(*commands, message=MAIL)
    others = [c for c in ALL if c != "envelope"]
    assert serve(drive, free_port, client, checks=others)["status"] == "passed"


def test_a_message_without_its_dot_line_ends_in_a_421_after_the_idle_time(drive: Drive, free_port):
    client, _ = dialogue(*CLASSIC, message=b"I love computer networks!\r\n")
    started = time.monotonic()
    result = serve(drive, free_port, client, checks=["message"])
    assert 1.0 <= time.monotonic() - started < 4, "the idle time was not kept"
    sent = [base64.b64decode(e["data_b64"]) for e in result["events"] if e["kind"] == "send"]
    assert sent[-1].startswith(b"421 4.4.2 grader.example.com Error: timeout"), sent
    assert result["reason"].startswith(
        "step 3 (smtp_server): the message (27 bytes) never ended: no line holding a single dot"
    ), result["reason"]


def test_pipelined_commands_fail_the_waits_check_with_a_slow_server(drive: Drive, free_port):
    def pipelined(sock: socket.socket) -> None:
        read_reply(sock)
        sock.sendall(b"".join(CLASSIC[:4]) + MAIL + CLASSIC[4])
        while sock.recv(4096):
            pass

    result = serve(drive, free_port, pipelined, checks=["waits"], reply_delay=0.2)
    assert result["status"] == "failed", result
    assert result["reason"].startswith(
        "step 3 (smtp_server): the client sent 'MAIL FROM:<alice@example.com>' "
    ), result["reason"]
    assert "before the server had finished its reply to 'HELO me'" in result["reason"]
    client, _ = dialogue(*CLASSIC, message=MAIL)
    assert serve(drive, free_port, client, checks=["waits"], reply_delay=0.2)["status"] == "passed"


def test_a_reply_in_two_pieces_is_a_reply_only_when_whole(drive: Drive, free_port):
    def one_recv(sock: socket.socket) -> None:
        sock.recv(1024)
        for command in CLASSIC:
            sock.sendall(command)
            sock.recv(1024)

    options = {"checks": ["waits"], "split_gap": 0.3, "slow": ["helo"]}
    result = serve(drive, free_port, one_recv, **options)
    assert result["status"] == "failed", result
    assert "before the server had finished its reply to 'HELO me'" in result["reason"], result
    client, _ = dialogue(*CLASSIC, message=MAIL)
    assert serve(drive, free_port, client, **options)["status"] == "passed"


def test_sending_before_the_greeting_fails_the_greeting_check(drive: Drive, free_port):
    def eager(sock: socket.socket) -> None:
        sock.sendall(CLASSIC[0])
        while sock.recv(4096):
            pass

    result = serve(drive, free_port, eager, checks=["greeting"], greeting_delay=0.3)
    assert result["status"] == "failed", result
    assert result["reason"].startswith("step 3 (smtp_server): the client sent 'HELO me\\r\\n' "), (
        result["reason"]
    )
    assert "before the server's 220 greeting (sent after 0.3 s)" in result["reason"]


def test_closing_before_the_221_fails_the_quit_check(drive: Drive, free_port):
    def hasty(sock: socket.socket) -> None:
        client, _ = dialogue(*CLASSIC[:4], message=MAIL)
        client(sock)
        sock.sendall(b"QUIT\r\n")

    options = {"checks": ["quit"], "reply_delay": 0.3, "slow": ["QUIT"]}
    result = serve(drive, free_port, hasty, **options)
    assert result["status"] == "failed", result
    assert "closed the connection 0." in result["reason"], result["reason"]
    assert result["reason"].endswith(
        "after QUIT, before the server's 221 reply (it came 0.3 s after QUIT): receive the 221, "
        "then close (RFC 5321 §4.1.1.10)"
    ), result["reason"]
    client, _ = dialogue(*CLASSIC, message=MAIL)
    assert serve(drive, free_port, client, **options)["status"] == "passed"


def test_a_tls_handshake_after_a_refused_starttls_is_named_not_quoted_raw(drive: Drive, free_port):
    client, replies = dialogue(b"EHLO me\r\n", b"STARTTLS\r\n", b"\x16\x03\x01\x02\x00\x01\n")
    result = serve(drive, free_port, client, checks=["quit"])
    assert codes(replies) == ["220", "250", "502", "500"]
    assert result["reason"] == (
        "step 3 (smtp_server): no QUIT command (the client sent EHLO, STARTTLS, a TLS "
        "handshake; then the client closed the connection): say goodbye with QUIT and receive "
        "the 221 before closing (RFC 5321 §4.1.1.10)"
    ), result["reason"]


def test_a_runaway_line_or_message_ends_the_session_with_the_reason(drive: Drive, free_port):
    def flood_line(sock: socket.socket) -> None:
        read_reply(sock)
        sock.sendall(b"HELO " + b"x" * 70000)
        while sock.recv(4096):
            pass

    result = serve(drive, free_port, flood_line, checks=["crlf"])
    sent = [base64.b64decode(e["data_b64"]) for e in result["events"] if e["kind"] == "send"]
    assert sent[-1].startswith(b"421 4.4.2 grader.example.com Error: line too long"), sent
    assert result["reason"].endswith(
        "then the client sent 64 KiB without a line end: end every line with \\r\\n "
        "(RFC 5321 §2.3.8)"
    ), result["reason"]

    big = b"y" * 1000 + CRLF
    client, _ = dialogue(*CLASSIC, message=big * 4300 + b".\r\n")
    result = serve(drive, free_port, client, checks=["message"])
    sent = [base64.b64decode(e["data_b64"]) for e in result["events"] if e["kind"] == "send"]
    assert sent[-1] == b"552 5.3.4 Message too big\r\n", sent[-1]
    assert "the message (" in result["reason"] and "never ended" in result["reason"], result
