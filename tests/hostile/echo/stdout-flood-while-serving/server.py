"""Hostile: a thread floods stdout while the echo is served as asked."""
import socket
import sys
import threading


def flood():
    line = b"flood " * 10000 + b"\n"
    while True:
        sys.stdout.buffer.write(line)


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


threading.Thread(target=flood, daemon=True).start()
serve(int(sys.argv[1]))
