"""http_get against small loopback HTTP servers: what http.client accepts and what it rejects."""

from __future__ import annotations

import base64
import hashlib
import socket
import threading
import time
from collections.abc import Callable

from driver_doubles import Drive, TcpPeers, never_answer

PAGE = b"<html><body>Hello</body></html>\n"


def _request(conn: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def server(response: bytes, *, pieces: int = 1) -> Callable[[socket.socket], None]:
    """A handler: read the request, send the response (in pieces), close."""

    def handle(conn: socket.socket) -> None:
        _request(conn)
        size = max(len(response) // pieces, 1)
        for i in range(0, len(response), size):
            conn.sendall(response[i : i + size])
            if pieces > 1:
                time.sleep(0.01)
        conn.close()

    return handle


def events_of(result: dict, kind: str) -> list[dict]:
    return [e for e in result["events"] if e["kind"] == kind and e["conn"] == "http"]


def test_http10_without_content_length_reads_until_close(drive: Drive, tcp_peers: TcpPeers):
    port = tcp_peers.start(server(b"HTTP/1.0 200 OK\r\n\r\n" + PAGE, pieces=4))
    result = drive([{"http_get": "/page.html", "body": PAGE.decode()}], port)
    assert result["status"] == "passed", result
    sent = base64.b64decode(events_of(result, "send")[0]["data_b64"])
    assert sent.startswith(b"GET /page.html HTTP/1.1\r\n"), sent
    assert b"Connection: close\r\n" in sent, sent
    recv = events_of(result, "recv")[0]
    assert base64.b64decode(recv["data_b64"]).startswith(b"HTTP/1.0 200 OK\r\n"), recv
    assert len(events_of(result, "connect")) == 1, result["events"]


def test_http11_with_content_length_and_headers(drive: Drive, tcp_peers: TcpPeers):
    response = (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
        + f"Content-Length: {len(PAGE)}\r\n\r\n".encode()
        + PAGE
    )
    port = tcp_peers.start(server(response))
    digest = hashlib.sha256(PAGE).hexdigest()
    steps = [
        {"http_get": "/page.html", "body": PAGE.decode()},
        {"http_get": "/page.html", "body_sha256": digest, "body_contains": "Hello"},
    ]
    result = drive(steps, port)
    assert result["status"] == "passed", result


def test_a_crlf_after_the_body_is_not_counted(drive: Drive, tcp_peers: TcpPeers):
    port = tcp_peers.start(server(b"HTTP/1.1 200 OK\r\n\r\n" + PAGE + b"\r\n"))
    digest = hashlib.sha256(PAGE).hexdigest()
    steps = [
        {"http_get": "/page.html", "body": PAGE.decode()},
        {"http_get": "/page.html", "body_sha256": digest},
    ]
    result = drive(steps, port)
    assert result["status"] == "passed", result


def test_a_different_body_fails_with_a_comparison(drive: Drive, tcp_peers: TcpPeers):
    port = tcp_peers.start(server(b"HTTP/1.1 200 OK\r\n\r\n" + PAGE[:-5]))
    result = drive([{"http_get": "/page.html", "body": PAGE.decode()}], port)
    assert result["status"] == "failed", result
    assert "the body of GET /page.html differs" in result["reason"], result
    assert result["comparison"]["kind"] == "bytes", result


def test_404_is_checked_with_status(drive: Drive, tcp_peers: TcpPeers):
    response = b"HTTP/1.1 404 Not Found\r\n\r\n<h1>404</h1>"
    port = tcp_peers.start(server(response))
    result = drive([{"http_get": "/missing.html", "status": 404}], port)
    assert result["status"] == "passed", result
    result = drive([{"http_get": "/missing.html"}], port)
    assert result["status"] == "failed", result
    assert "got status 404 'Not Found', expected 200" in result["reason"], result


def test_a_status_line_without_version_is_rejected(drive: Drive, tcp_peers: TcpPeers):
    port = tcp_peers.start(server(b" 200 OK\r\n\r\n" + PAGE))
    result = drive([{"http_get": "/page.html"}], port)
    assert result["status"] == "failed", result
    assert result["reason"].startswith("step 0 (http_get): http.client rejects"), result
    assert "' 200 OK\\r\\n'" in result["reason"], result


def test_a_close_without_response_fails(drive: Drive, tcp_peers: TcpPeers):
    port = tcp_peers.start(server(b""))
    result = drive([{"http_get": "/page.html"}], port)
    assert result["status"] == "failed", result
    assert "closed the connection without a response" in result["reason"], result


def test_a_server_that_never_answers_times_out(drive: Drive, tcp_peers: TcpPeers):
    port = tcp_peers.start(never_answer)
    started = time.monotonic()
    result = drive([{"http_get": "/page.html", "timeout": 0.4}], port)
    assert time.monotonic() - started < 3, "the step's deadline was not kept"
    assert result["status"] == "timeout", result
    assert result["reason"] == (
        "step 0 (http_get): waited 0.4 s for the response to GET /page.html: "
        "the status line did not arrive"
    ), result


def test_connect_retries_until_the_program_listens(drive: Drive, free_port, tcp_peers: TcpPeers):
    port, sock = free_port
    late = threading.Timer(
        0.3,
        lambda: (
            sock.listen(8),
            tcp_peers.start(server(b"HTTP/1.0 200 OK\r\n\r\nx"), listener=sock),
        ),
    )
    late.start()
    try:
        result = drive([{"http_get": "/", "body": "x"}], port)
    finally:
        late.cancel()
    assert result["status"] == "passed", result
    assert events_of(result, "connect_retry"), result["events"]


def test_content_length_ends_the_body_while_the_server_keeps_the_connection(
    drive: Drive, tcp_peers: TcpPeers
):
    def handle(conn: socket.socket) -> None:
        _request(conn)
        head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(PAGE)}\r\n\r\n".encode()
        conn.sendall(head + PAGE)
        time.sleep(1)  # no close: the Content-Length alone ends the body

    port = tcp_peers.start(handle)
    started = time.monotonic()
    result = drive([{"http_get": "/page.html", "body": PAGE.decode()}], port)
    assert result["status"] == "passed", result
    assert time.monotonic() - started < 0.9, "the body was read past its Content-Length"
