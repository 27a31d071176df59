"""A small web server of our own in the style of small production servers: status lines
"HTTP/1.1 200 Ok" and "HTTP/1.1 404 Missing", lower-case header names in another order, a
Date header, Content-Length; a thread per connection, the request read up to its blank line."""

import socket
import sys
import threading
from email.utils import formatdate
from pathlib import Path

TYPES = {".html": "text/html; charset=utf-8", ".png": "image/png"}


def head_of(conn):
    data = b""
    while b"\r\n\r\n" not in data and len(data) < 65536:
        chunk = conn.recv(2048)
        if not chunk:
            return None
        data += chunk
    return data


def answer(conn):
    with conn:
        request = head_of(conn)
        if not request:
            return
        target = request.split(b" ", 2)[1].decode("latin-1")
        name = target.lstrip("/").split("?")[0]
        path = Path(name)
        if name and ".." not in path.parts and path.is_file():
            body = path.read_bytes()
            status, kind = "200 Ok", TYPES.get(path.suffix, "application/octet-stream")
        else:
            status, kind, body = "404 Missing", "text/plain", b"no such file\n"
        head = (
            f"HTTP/1.1 {status}\r\n"
            f"date: {formatdate(usegmt=True)}\r\n"
            f"content-length: {len(body)}\r\n"
            f"content-type: {kind}\r\n"
            "server: ok-reason/0.1\r\n"
            "connection: close\r\n\r\n"
        )
        conn.sendall(head.encode("ascii") + body)


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 6789
    listener = socket.create_server(("", port), reuse_port=False)
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=answer, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    main()
