import socket
import sys

port = int(sys.argv[1]) if len(sys.argv) > 1 else 12000
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind(('', port))

client = None
while True:
    data, addr = sock.recvfrom(65535)
    if client is None:
        client = addr
        print('client is', client)
    sock.sendto(data, client)
