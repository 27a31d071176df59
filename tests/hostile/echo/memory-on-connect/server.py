"""Hostile: listens, then allocates without end on the first connection."""
import socket
import sys

server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("", int(sys.argv[1])))
server.listen(5)
conn, _ = server.accept()
hoard = []
while True:
    hoard.append(bytearray(16 << 20))
