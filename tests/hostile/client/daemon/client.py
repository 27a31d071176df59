"""Hostile client: a double-fork daemon; the grandchild does the client's work."""
import os
import socket
import sys

def fetch(host, port, topic):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.connect((host, port))
    sock.sendall(f"GET {topic}\r\n".encode())
    while data := sock.recv(4096):
        sys.stdout.buffer.write(data)
    sys.stdout.flush()
    sock.close()


if os.fork():
    sys.exit(0)
os.setsid()
if os.fork():
    os._exit(0)
fetch(sys.argv[1], int(sys.argv[2]), sys.argv[3])
