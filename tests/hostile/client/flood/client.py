"""Hostile client: sends its request, then an endless stream to the server."""
import socket
import sys

sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
sock.connect((sys.argv[1], int(sys.argv[2])))
sock.sendall(f"GET {sys.argv[3]}\r\n".encode())
block = b"y" * (1 << 20)
try:
    while True:
        sock.sendall(block)
except OSError:
    pass
