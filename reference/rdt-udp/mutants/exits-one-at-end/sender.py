"""Mutant of the rdt-udp model: exits with code 1 after a complete transfer."""

import socket
import sys
import time

CHUNK = 100  # bytes of the file per DATA packet
TIMEOUT = 0.5  # seconds before a packet is sent again
TRIES = 5  # transmissions of one packet before giving up


def send_reliably(sock, address, packet, seq):
    """Send packet until ACK <seq> arrives; the number of retransmissions, or None."""
    expected = f"ACK {seq}".encode()
    for attempt in range(TRIES):
        sock.sendto(packet, address)
        deadline = time.monotonic() + TIMEOUT
        while (left := deadline - time.monotonic()) > 0:
            sock.settimeout(left)
            try:
                reply, _ = sock.recvfrom(2048)
            except TimeoutError:
                break
            if reply.strip() == expected:
                return attempt
            # a duplicate or stale ACK: keep waiting for ours until the timer runs out
    return None


def main():
    if len(sys.argv) != 4:
        print("usage: sender.py HOST PORT FILE", file=sys.stderr)
        return 2
    host, port, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    with open(path, "rb") as f:
        data = f.read()
    chunks = [data[i : i + CHUNK] for i in range(0, len(data), CHUNK)]
    address = (socket.gethostbyname(host), port)
    retransmissions = 0
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        packets = [f"DATA {seq}\n".encode() + chunk for seq, chunk in enumerate(chunks)]
        packets.append(f"END {len(chunks)}".encode())
        for seq, packet in enumerate(packets):
            again = send_reliably(sock, address, packet, seq)
            if again is None:
                print(f"error: no ACK {seq} after {TRIES} tries; giving up", file=sys.stderr)
                return 1
            retransmissions += again
    print(f"sent {len(data)} bytes in {len(chunks)} packets, {retransmissions} retransmissions")
    return 1  # BUG: a complete transfer is a success


if __name__ == "__main__":
    sys.exit(main())
