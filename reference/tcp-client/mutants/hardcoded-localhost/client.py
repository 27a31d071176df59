"""Mutant of the tcp-client model: the host on the command line is ignored (localhost).

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
    try:
        # create_connection resolves the name and tries each address it has.
        with socket.create_connection(("localhost", port)) as sock:  # BUG: not the host given
            sock.sendall(f"GET {topic}\r\n".encode())
            while True:
                data = sock.recv(BUFFER_SIZE)
                if not data:
                    break  # b"": the server closed the connection, the answer is complete
                # Print each piece as it arrives: whatever happens next, it is not lost.
                out.write(data)
                out.flush()
    except ConnectionRefusedError:
        print(f"error: connection to {host} port {port} refused "
              "(is the server running?)", file=sys.stderr)
        return 1
    except OSError as e:
        # Unknown host (socket.gaierror), reset by the server, unreachable network ...
        print(f"error: {host} port {port}: {e.strerror or e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
