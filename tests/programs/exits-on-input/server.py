# Echo server that treats every message as a number, and dies on anything else.
import socket
import sys

listener = socket.socket()
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("", int(sys.argv[1])))
listener.listen()
while True:
    conn, _ = listener.accept()
    data = conn.recv(4096)
    value = int(data.decode())
    conn.sendall(f"{value}\n".encode())
    conn.close()
