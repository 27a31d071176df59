# Bulletin client that decodes each piece as ASCII: it dies on what one test sends.
import socket
import sys

host, port, topic = sys.argv[1], int(sys.argv[2]), sys.argv[3]
sock = socket.create_connection((host, port))
sock.sendall(f"GET {topic}\r\n".encode())
while data := sock.recv(4096):
    if data.startswith(b"ok"):
        raise SystemExit("unexpected answer: " + data.decode())
    sys.stdout.write(data.decode("ascii"))
