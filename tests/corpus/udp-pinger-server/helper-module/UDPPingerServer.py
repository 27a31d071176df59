"""Pinger server: answers pings upper-cased, loses some of them on purpose."""
from socket import AF_INET, SOCK_DGRAM, socket

from lossy import LossyChannel

PORT = 12000


def main():
    sock = socket(AF_INET, SOCK_DGRAM)
    sock.bind(('', PORT))
    channel = LossyChannel(0.3)
    print('UDP pinger server on port', PORT)
    while True:
        data, client = sock.recvfrom(2048)
        if channel.lose():
            continue
        sock.sendto(data.upper(), client)


if __name__ == '__main__':
    main()
