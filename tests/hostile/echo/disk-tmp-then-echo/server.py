"""Hostile: fills /tmp to its limit, then serves the echo as asked (contained: full marks)."""
import socket
import sys

try:
    with open("/tmp/fill.bin", "wb") as out:
        while True:
            out.write(b"\0" * (1 << 20))
            out.flush()
except OSError:
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


serve(int(sys.argv[1]))
