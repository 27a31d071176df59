# Echo server whose settings live in a config.py that was not handed in.
import socket
import sys

from config import BACKLOG, BUFFER

listener = socket.socket()
listener.bind(("", int(sys.argv[1])))
listener.listen(BACKLOG)
while True:
    conn, _ = listener.accept()
    conn.sendall(conn.recv(BUFFER))
    conn.close()
