"""Hostile: answers every connection with an endless stream nobody asked for."""
import socket
import sys

server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("", int(sys.argv[1])))
server.listen(5)
block = b"x" * (1 << 20)
while True:
    conn, _ = server.accept()
    try:
        while True:
            conn.sendall(block)
    except OSError:
        conn.close()
