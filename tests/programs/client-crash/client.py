# Bulletin client that misspells a name before it connects.
import socket
import sys

host, port, topic = sys.argv[1], int(sys.argv[2]), sys.argv[3]
sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
sock.conect((host, port))
sock.sendall(f"GET {topic}\r\n".encode())
while data := sock.recv(4096):
    sys.stdout.buffer.write(data)
