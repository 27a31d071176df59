"""Hostile: looks for the Docker engine's socket and a writable host path; serves the echo
only when none is found, so full marks mean contained."""
import os
import socket
import sys

found = []
for path in ("/var/run/docker.sock", "/run/docker.sock", "/run/containerd/containerd.sock"):
    if os.path.exists(path):
        found.append(path)
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.connect(path)
        found.append("connected " + path)
    except OSError:
        pass
    finally:
        probe.close()
for path in ("/etc/escaped", "/usr/escaped", "/escaped"):
    try:
        with open(path, "w") as out:
            out.write("escaped")
        found.append("wrote " + path)
    except OSError:
        pass
if found:
    print("ESCAPED:", found, file=sys.stderr)
    sys.exit(1)

def serve(port):
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("", port))
    server.listen(5)
    while True:
        conn, _ = server.accept()
        while True:
            data = conn.recv(4096)
            if not data:
                break
            conn.sendall(data)
        conn.close()


serve(int(sys.argv[1]))
