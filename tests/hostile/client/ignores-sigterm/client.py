"""Hostile client: does its work, then ignores SIGTERM and SIGINT and never exits."""
import signal
import socket
import sys
import time

def fetch(host, port, topic):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.connect((host, port))
    sock.sendall(f"GET {topic}\r\n".encode())
    while data := sock.recv(4096):
        sys.stdout.buffer.write(data)
    sys.stdout.flush()
    sock.close()


for sig in (signal.SIGTERM, signal.SIGINT):
    signal.signal(sig, signal.SIG_IGN)
fetch(sys.argv[1], int(sys.argv[2]), sys.argv[3])
while True:
    time.sleep(1)
