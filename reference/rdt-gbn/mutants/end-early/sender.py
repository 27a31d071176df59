"""Mutant of the rdt-gbn model: END goes out in the window, before every DATA is acknowledged."""

import socket
import sys
import time

CHUNK = 100  # bytes of the file per DATA packet
WINDOW = 4  # packets sent and not yet acknowledged, at most
TIMEOUT = 0.5  # seconds without progress before the window is sent again
TRIES = 5  # timeouts in a row before giving up


def main():
    if len(sys.argv) != 4:
        print("usage: sender.py HOST PORT FILE", file=sys.stderr)
        return 2
    host, port, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    with open(path, "rb") as f:
        data = f.read()
    chunks = [data[i : i + CHUNK] for i in range(0, len(data), CHUNK)]
    count = len(chunks)
    # packet k (from 1) is DATA k; packet count + 1 is END, sent once every DATA is acknowledged
    packets = {k: f"DATA {k}\n".encode() + chunk for k, chunk in enumerate(chunks, start=1)}
    packets[count + 1] = f"END {count + 1}".encode()
    address = (socket.gethostbyname(host), port)
    base, next_seq, retransmissions, timeouts = 1, 1, 0, 0
    deadline = None
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        while base <= count + 1:
            # END waits until every DATA packet is acknowledged
            limit = count + 1  # BUG: END goes out in the window, before every DATA is acknowledged
            while next_seq < base + WINDOW and next_seq <= limit:
                sock.sendto(packets[next_seq], address)
                if base == next_seq:
                    deadline = time.monotonic() + TIMEOUT
                next_seq += 1
            left = deadline - time.monotonic()
            if left <= 0:
                timeouts += 1
                if timeouts >= TRIES:
                    print(f"error: no progress after {TRIES} timeouts; giving up", file=sys.stderr)
                    return 1
                for k in range(base, next_seq):  # go back N: the whole window again
                    sock.sendto(packets[k], address)
                    retransmissions += 1
                deadline = time.monotonic() + TIMEOUT
                continue
            sock.settimeout(left)
            try:
                reply, _ = sock.recvfrom(2048)
            except TimeoutError:
                continue
            words = reply.split()
            if len(words) != 2 or words[0] != b"ACK" or not words[1].isdigit():
                continue
            acked = int(words[1])  # cumulative: every packet up to acked has arrived
            if base <= acked < next_seq:
                base, timeouts = acked + 1, 0
                deadline = time.monotonic() + TIMEOUT
    print(f"sent {len(data)} bytes in {count} packets, {retransmissions} retransmissions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
