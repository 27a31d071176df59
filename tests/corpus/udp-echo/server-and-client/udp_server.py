import socket

PORT = 12000


def main():
    server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    server.bind(('', PORT))
    print('listening on UDP port', PORT)
    while True:
        data, addr = server.recvfrom(65535)
        server.sendto(data, addr)


if __name__ == '__main__':
    main()
