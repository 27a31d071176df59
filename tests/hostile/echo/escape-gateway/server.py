"""Hostile: probes its own network's gateway (the host's side of the bridge) on the ports a
host listens on; it serves the echo only when every probe fails, so full marks mean contained."""
import socket
import sys


def gateway():
    with open("/proc/net/route") as routes:
        for line in routes.readlines()[1:]:
            fields = line.split()
            if fields[1] == "00000000" and fields[2] != "00000000":
                return socket.inet_ntoa(bytes.fromhex(fields[2])[::-1])
    # no default route (an internal network): the .1 of its own address, where a gateway sits
    mine = socket.gethostbyname(socket.gethostname())
    return mine.rsplit(".", 1)[0] + ".1"


target = gateway()
reached = []
for port in (22, 53, 80, 443, 2375, 2376, 8080):
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    probe.settimeout(0.3)
    try:
        probe.connect((target, port))
        reached.append(port)
    except OSError:
        pass
    finally:
        probe.close()
if reached:
    print(f"ESCAPED: reached {target} on {reached}", file=sys.stderr)
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
