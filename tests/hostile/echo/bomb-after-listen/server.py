"""Hostile: serves the first client, then forks without end on the next connection."""
import os
import socket
import sys
import time

server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("", int(sys.argv[1])))
server.listen(5)
conn, _ = server.accept()
while data := conn.recv(4096):
    conn.sendall(data)
conn.close()
server.accept()
while True:
    try:
        os.fork()
    except OSError:
        time.sleep(0.01)
