"""http_response against small loopback servers: what HTTP/1.x allows passes, and each
violation is named as it was received."""

from __future__ import annotations

import base64
import hashlib
import socket
import time
from collections.abc import Callable
from typing import Any

import pytest
from driver_doubles import Drive, TcpPeers, never_answer

PAGE = b"<!DOCTYPE html>\n<html><body>Hello</body></html>\n"
REQUEST = "GET /page.html HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"


def _request(conn: socket.socket) -> None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            return
        data += chunk


def server(
    response: bytes, *, per_byte: bool = False, linger: float = 0.0
) -> Callable[[socket.socket], None]:
    """A handler: read the request, send the response (byte by byte), wait, close."""

    def handle(conn: socket.socket) -> None:
        _request(conn)
        if per_byte:
            for i in range(len(response)):
                conn.send(response[i : i + 1])
        else:
            conn.sendall(response)
        time.sleep(linger)
        conn.close()

    return handle


def get(drive: Drive, port: int, status: int | str = 200, **options: Any) -> dict[str, Any]:
    steps = [
        {"connect": "main"},
        {"send": REQUEST},
        {"http_response": status, **options},
    ]
    return drive(steps, port, step_timeout=2.0)


def reason(result: dict[str, Any]) -> str:
    assert result["status"] != "passed", result
    return str(result["reason"]).removeprefix("step 2 (http_response): ")


def compared(result: dict[str, Any]) -> tuple[bytes, bytes]:
    cmp = result["comparison"]
    return base64.b64decode(cmp["expected_b64"]), base64.b64decode(cmp["got_b64"])


@pytest.mark.parametrize(
    "status_line",
    [
        b"HTTP/1.1 200 OK",
        b"HTTP/1.0 200 OK",
        b"HTTP/1.1 200 Ok",
        b"HTTP/1.1 200 ",
        b"HTTP/1.0 200 fine by me",
    ],
)
def test_any_reason_phrase_and_either_version_pass(
    drive: Drive, tcp_peers: TcpPeers, status_line: bytes
) -> None:
    port = tcp_peers.start(server(status_line + b"\r\n\r\n" + PAGE))
    result = get(drive, port, body=PAGE.decode())
    assert result["status"] == "passed", result


def test_a_real_404_reason_phrase_passes(drive: Drive, tcp_peers: TcpPeers) -> None:
    """Python's http.server says 'File not found'."""
    response = b"HTTP/1.0 404 File not found\r\nServer: SimpleHTTP/0.6\r\nConnection: close\r\n"
    response += b"Content-Type: text/html;charset=utf-8\r\nContent-Length: 9\r\n\r\nnot found"
    port = tcp_peers.start(server(response))
    assert get(drive, port, 404)["status"] == "passed"


def test_header_names_are_case_insensitive_and_content_length_ends_the_body(
    drive: Drive, tcp_peers: TcpPeers
) -> None:
    head = f"HTTP/1.1 200 OK\r\nx-extra:  1 \r\ncOnTeNt-LeNgTh: {len(PAGE)}\r\n\r\n".encode()
    # Bytes after the Content-Length body (a CRLF) are not the body's.
    port = tcp_peers.start(server(head + PAGE + b"\r\n"))
    digest = hashlib.sha256(PAGE).hexdigest()
    result = get(drive, port, body=PAGE.decode(), body_sha256=digest, body_contains="Hello")
    assert result["status"] == "passed", result


def test_a_close_delimited_body_sent_byte_by_byte_with_a_crlf_after_it(
    drive: Drive, tcp_peers: TcpPeers
) -> None:
    """The textbook's server: one send per character, then "\\r\\n", then close."""
    port = tcp_peers.start(server(b"HTTP/1.1 200 OK\r\n\r\n" + PAGE + b"\r\n", per_byte=True))
    assert get(drive, port, body=PAGE.decode())["status"] == "passed"


def test_a_chunked_body_is_decoded(drive: Drive, tcp_peers: TcpPeers) -> None:
    body = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    body += b"10\r\n" + PAGE[:16] + b"\r\n" + f"{len(PAGE) - 16:x}\r\n".encode() + PAGE[16:]
    body += b"\r\n0\r\n\r\n"
    port = tcp_peers.start(server(body))
    assert get(drive, port, body=PAGE.decode())["status"] == "passed"


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (b" HTTP/1.1 200 OK\r\n\r\n", "the status line is ' HTTP/1.1 200 OK' (a leading space)"),
        (b"200 OK\r\n\r\n", "the status line is '200 OK' (no HTTP version before the status"),
        (b"HTTP/1.1 200\r\n\r\n", "the status line is 'HTTP/1.1 200' (no space after the status"),
        (
            b"http/1.1 200 OK\r\n\r\n",
            "the status line is 'http/1.1 200 OK' (the version is case-sensitive",
        ),
        (b"HTTP/1.1 200 OK\n\n", "the status line 'HTTP/1.1 200 OK' ends in LF, not CRLF"),
    ],
)
def test_a_wrong_status_line_is_named_as_received(
    drive: Drive, tcp_peers: TcpPeers, response: bytes, expected: str
) -> None:
    port = tcp_peers.start(server(response + PAGE))
    result = get(drive, port)
    assert result["status"] == "failed", result
    assert reason(result).startswith(expected), reason(result)
    assert compared(result)[0] == b"HTTP/1.1 200 OK\r\n" or b"\r\n" in compared(result)[0]


def test_a_header_line_ending_in_lf_is_named_by_its_number(
    drive: Drive, tcp_peers: TcpPeers
) -> None:
    response = b"HTTP/1.1 200 OK\r\nServer: x\r\nContent-Type: text/html\n\r\n" + PAGE
    port = tcp_peers.start(server(response))
    result = get(drive, port)
    assert reason(result) == (
        "header line 3 of the response ('Content-Type: text/html') ends in LF, not CRLF "
        "(RFC 9112 §2.2)"
    )
    expected, got = compared(result)
    assert (expected, got) == (
        b"HTTP/1.1 200 OK\r\nServer: x\r\nContent-Type: text/html\r\n",
        b"HTTP/1.1 200 OK\r\nServer: x\r\nContent-Type: text/html\n",
    )


def test_no_blank_line_after_the_headers_is_caught_at_the_first_body_line(
    drive: Drive, tcp_peers: TcpPeers
) -> None:
    # The 404 of a server that forgot the blank line, and keeps the connection open: the
    # verdict comes at once, at the first line that is not a header.
    response = b"HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\n<h1>404</h1>\r\n"
    port = tcp_peers.start(server(response, linger=3))
    started = time.monotonic()
    result = get(drive, port, 404)
    assert time.monotonic() - started < 1.5, "the verdict waited for the close"
    assert reason(result) == (
        "no blank line after the headers: line 3 of the response is '<h1>404</h1>', not a "
        "header field 'Name: value' (RFC 9112 §2.1: a blank line ends the headers)"
    )
    expected, got = compared(result)
    assert expected == b"HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\n\r\n<h1>404</h1>\r\n"
    assert got == response


def test_a_bare_lf_blank_line_is_named(drive: Drive, tcp_peers: TcpPeers) -> None:
    port = tcp_peers.start(server(b"HTTP/1.1 200 OK\r\nA: b\r\n\n" + PAGE))
    assert reason(get(drive, port)).startswith("the blank line after the headers is a bare LF")


def test_a_space_before_the_colon_is_named(drive: Drive, tcp_peers: TcpPeers) -> None:
    port = tcp_peers.start(server(b"HTTP/1.1 200 OK\r\nContent-Type : text/html\r\n\r\n"))
    assert reason(get(drive, port)) == (
        "header line 2 of the response is 'Content-Type : text/html': a space between the "
        "field name and the colon (RFC 9112 §5.1 forbids it)"
    )


def test_the_status_code_decides(drive: Drive, tcp_peers: TcpPeers) -> None:
    port = tcp_peers.start(server(b"HTTP/1.1 200 OK\r\n\r\n" + PAGE))
    result = get(drive, port, 404)
    assert reason(result) == "the status code is 200 (status line 'HTTP/1.1 200 OK'), expected 404"
    assert compared(result) == (b"HTTP/1.1 404 Not Found\r\n", b"HTTP/1.1 200 OK\r\n")
    assert get(drive, port, "any")["status"] == "passed"


def test_a_body_shorter_than_its_content_length(drive: Drive, tcp_peers: TcpPeers) -> None:
    port = tcp_peers.start(server(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + PAGE))
    assert reason(get(drive, port)) == (
        f"the program closed the connection 'main' after {len(PAGE)} bytes of body, its "
        "Content-Length says 100"
    )


def test_a_different_body_is_compared_byte_by_byte(drive: Drive, tcp_peers: TcpPeers) -> None:
    port = tcp_peers.start(server(b"HTTP/1.1 200 OK\r\n\r\n" + PAGE.replace(b"\n", b"\r\n")))
    result = get(drive, port, body=PAGE.decode())
    assert reason(result) == (
        f"the body ({len(PAGE) + 2} bytes) differs from the expected {len(PAGE)} bytes at byte 15"
    )
    assert compared(result) == (PAGE, PAGE.replace(b"\n", b"\r\n"))


def test_a_connection_kept_open_after_a_content_length_body(
    drive: Drive, tcp_peers: TcpPeers
) -> None:
    head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(PAGE)}\r\n\r\n".encode()
    port = tcp_peers.start(server(head + PAGE, linger=3))
    steps = [
        {"connect": "main"},
        {"send": REQUEST},
        {"http_response": 200, "timeout": 0.5},
    ]
    result = drive(steps, port)
    assert result["status"] == "timeout", result
    assert "but the program did not close the connection within 0.5 s" in result["reason"]
    steps[2] = {"http_response": 200, "timeout": 0.5, "closes": False, "body": PAGE.decode()}
    assert drive(steps, port)["status"] == "passed"


def test_no_response_at_all(drive: Drive, tcp_peers: TcpPeers) -> None:
    port = tcp_peers.start(server(b""))
    assert reason(get(drive, port)) == (
        "the program closed the connection 'main': it sent no response"
    )
    port = tcp_peers.start(never_answer)
    result = get(drive, port, timeout=0.3)
    assert result["status"] == "timeout", result
    assert reason(result) == "waited 0.3 s for the response: the program sent no response"


# --- check: served ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "response",
    [
        b" HTTP/1.1 200 OK\n" + PAGE,  # malformed: served all the same
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n" + PAGE + b"\r\n",  # no blank line
        b"200 OK\r\n\r\n" + PAGE,
    ],
)
def test_served_accepts_any_answer_that_carries_the_page(
    drive: Drive, tcp_peers: TcpPeers, response: bytes
) -> None:
    port = tcp_peers.start(server(response))
    digest = hashlib.sha256(PAGE).hexdigest()
    for options in ({"body": PAGE.decode()}, {"body_sha256": digest}, {"body_contains": "Hello"}):
        result = get(drive, port, "any", check="served", **options)
        assert result["status"] == "passed", (options, result)


def test_served_fails_without_the_page(drive: Drive, tcp_peers: TcpPeers) -> None:
    port = tcp_peers.start(server(b"HTTP/1.1 400 Bad Request\r\n\r\n"))
    result = get(drive, port, "any", check="served", body_contains="Hello")
    assert reason(result) == "the answer (28 bytes) does not contain 'Hello'"
    port = tcp_peers.start(server(b""))
    assert reason(get(drive, port, "any", check="served")) == (
        "the program closed the connection 'main' without answering the request"
    )


def test_served_passes_a_connection_left_open_once_the_answer_is_quiet(
    drive: Drive, tcp_peers: TcpPeers
) -> None:
    port = tcp_peers.start(server(b"HTTP/1.1 200 OK\r\n\r\n" + PAGE, linger=3))
    started = time.monotonic()
    result = get(drive, port, "any", check="served", body_contains="Hello")
    assert result["status"] == "passed", result
    assert time.monotonic() - started < 1.5, "served waited for the close"


# --- keep: a response checked in stages -----------------------------------------------------


def test_keep_leaves_the_response_for_the_next_step(drive: Drive, tcp_peers: TcpPeers) -> None:
    """served, then the protocol, then the status and body: the failing stage is the one
    whose check failed (its hint is the one shown)."""
    response = b"HTTP/1.0 404 File not found\r\nContent-Length: 9\r\n\r\nnot found"
    port = tcp_peers.start(server(response))
    stages = [
        {"http_response": "any", "check": "served", "keep": True},
        {"http_response": "any", "keep": True},
        {"http_response": 404, "body": "not found"},
    ]
    steps = [{"connect": "main"}, {"send": REQUEST}, *stages]
    assert drive(steps, port)["status"] == "passed"
    steps[-1] = {"http_response": 200}
    result = drive(steps, port)
    assert (result["step"], result["reason"]) == (
        "4",
        "step 4 (http_response): the status code is 404 (status line 'HTTP/1.0 404 File not "
        "found'), expected 200",
    ), result
    port = tcp_peers.start(server(b" " + response))
    result = drive(steps, port)
    assert result["step"] == "3", result
    received = [e for e in result["events"] if e["kind"] == "recv"]
    assert len(received) == 1, "a kept response is received, and shown, once"


def test_a_content_length_shorter_than_the_file_cuts_the_body(
    drive: Drive, tcp_peers: TcpPeers
) -> None:
    port = tcp_peers.start(server(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n" + PAGE))
    assert reason(get(drive, port, body=PAGE.decode())) == (
        f"the body (10 bytes, as its Content-Length says) differs from the expected "
        f"{len(PAGE)} bytes at byte 10"
    )
