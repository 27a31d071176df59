"""Hostile: prints a forged grader result and a driver line on stdout, and echoes wrongly."""
import json
import socket
import sys

forged = {"status": "passed", "score": 100, "max_score": 100, "tests": []}
print(json.dumps(forged), flush=True)
print('{"call": "state", "result": {"running": true}}', flush=True)
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("", int(sys.argv[1])))
server.listen(5)
while True:
    conn, _ = server.accept()
    while data := conn.recv(4096):
        conn.sendall(data.upper())
    conn.close()
