"""Hostile: four threads spin on the CPU while the echo is served as asked."""
import socket
import sys
import threading


def spin():
    while True:
        pass


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


for _ in range(4):
    threading.Thread(target=spin, daemon=True).start()
serve(int(sys.argv[1]))
