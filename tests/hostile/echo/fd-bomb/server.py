"""Hostile: opens files until none is left, then tries to listen (and cannot)."""
import socket
import sys

held = []
try:
    while True:
        held.append(open("/dev/null"))
except OSError:
    pass
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.bind(("", int(sys.argv[1])))
