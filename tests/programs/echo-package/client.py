import socket
import sys

from shared import net

with socket.create_connection((sys.argv[1], int(sys.argv[2]))) as sock:
    sock.sendall(b"hello\n")
    print(sock.recv(net.BUFSIZE).decode(), end="")
