"""Hostile: listens on as many ports as it can hold (never the one it is given)."""
import socket
import time

held = []
while True:
    try:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind(("", 0))
        s.listen(1)
        held.append(s)
    except OSError:
        break
time.sleep(3600)
