"""Hostile: terminal escapes, control and binary bytes on stdout and stderr, a wrong echo."""
import os
import socket
import sys

nasty = b"\x1b]0;pwned\x07\x1b[2J\x1b[31mred\x00\x07\x08\x7f\xff\xfe" + os.urandom(256)
sys.stdout.buffer.write(nasty + b"\n")
sys.stdout.flush()
sys.stderr.buffer.write(b"<script>alert(1)</script>{{7*7}}" + nasty + b"\n")
sys.stderr.flush()
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("", int(sys.argv[1])))
server.listen(5)
while True:
    conn, _ = server.accept()
    while data := conn.recv(4096):
        conn.sendall(b"\x1b]0;pwned\x07\x1b[2J<script>alert(1)</script>" + data)
    conn.close()
