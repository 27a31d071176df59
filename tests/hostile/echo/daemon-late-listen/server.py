"""Hostile: daemonizes, and the daemon waits a second before it listens."""
import os
import socket
import sys
import time

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


if os.fork():
    sys.exit(0)
os.setsid()
time.sleep(1)
serve(int(sys.argv[1]))
