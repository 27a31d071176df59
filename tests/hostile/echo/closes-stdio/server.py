"""Hostile: closes stdin, stdout and stderr, then serves the echo as asked."""
import os
import socket
import sys

for fd in (0, 1, 2):
    os.close(fd)

def serve(port):
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("", port))
    server.listen(5)
    while True:
        conn, _ = server.accept()
        while True:
            data = conn.recv(4096)
            if not data:
                break
            conn.sendall(data)
        conn.close()


serve(int(sys.argv[1]))
