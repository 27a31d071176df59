"""Hostile client: probes its network's gateway and the Docker socket; does its work only when
nothing answers, so full marks mean contained."""
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



def gateway():
    with open("/proc/net/route") as routes:
        for line in routes.readlines()[1:]:
            fields = line.split()
            if fields[1] == "00000000" and fields[2] != "00000000":
                return socket.inet_ntoa(bytes.fromhex(fields[2])[::-1])
    mine = socket.gethostbyname(socket.gethostname())
    return mine.rsplit(".", 1)[0] + ".1"


reached = [p for p in ("/var/run/docker.sock", "/run/docker.sock") if os.path.exists(p)]
target = gateway()
for port in (22, 80, 2375, 2376):
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    probe.settimeout(0.3)
    try:
        probe.connect((target, port))
        reached.append(f"{target}:{port}")
    except OSError:
        pass
    finally:
        probe.close()
if reached:
    print("ESCAPED:", reached, file=sys.stderr)
    sys.exit(1)
fetch(sys.argv[1], int(sys.argv[2]), sys.argv[3])
