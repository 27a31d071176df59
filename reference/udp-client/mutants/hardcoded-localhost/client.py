"""UDP client: sends one message to a UDP server and prints its reply.

Usage: python3 client.py HOST PORT MESSAGE

Model solution of the udp-client assignment. Sends MESSAGE (UTF-8, nothing added) as one
datagram, waits up to TIMEOUT seconds for one reply datagram, prints it followed by a newline
and exits 0. No reply in time: a message on stderr and exit code 1.
"""

import socket
import sys

TIMEOUT = 2.0  # seconds to wait for the reply
MAX_DATAGRAM = 65535  # the largest UDP datagram: a smaller buffer truncates bigger replies


def main():
    if len(sys.argv) != 4 or not sys.argv[2].isdigit():
        print(f"usage: {sys.argv[0]} HOST PORT MESSAGE", file=sys.stderr)
        return 2
    host, port, message = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    try:
        # The server's address: a name such as "localhost" or "tester" is resolved here.
        family, _, _, _, address = socket.getaddrinfo("127.0.0.1", port, type=socket.SOCK_DGRAM)[0]  # BUG: host ignored
        with socket.socket(family, socket.SOCK_DGRAM) as sock:
            # UDP gives no guarantee: the datagram or the reply may be lost. Never wait forever.
            sock.settimeout(TIMEOUT)
            sock.sendto(message.encode(), address)
            # One recvfrom returns exactly one datagram, whole (up to the buffer's size).
            reply, _ = sock.recvfrom(MAX_DATAGRAM)
    except socket.timeout:
        print(f"timeout: no reply from {host} port {port} within {TIMEOUT:g} s", file=sys.stderr)
        return 1
    except OSError as e:
        print(f"error: {host} port {port}: {e.strerror or e}", file=sys.stderr)
        return 1
    sys.stdout.buffer.write(reply + b"\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
