"""Network probes run inside a container; each prints one JSON line."""

import json
import socket
import sys
import time
from pathlib import Path


def connect(host: str, port: str, timeout: str) -> str:
    try:
        with socket.create_connection((host, int(port)), timeout=float(timeout)):
            return "connected"
    except TimeoutError:
        return "timeout"
    except OSError as e:
        return f"error: {e.strerror or e}"


def serve(port: str, seconds: str) -> str:
    server = socket.socket()
    server.bind(("0.0.0.0", int(port)))
    server.listen()
    server.settimeout(0.2)
    print(json.dumps("listening"), flush=True)
    end = time.monotonic() + float(seconds)
    accepted = 0
    while time.monotonic() < end:
        try:
            server.accept()[0].close()
            accepted += 1
        except TimeoutError:
            pass
    return f"accepted {accepted}"


def resolve(name: str) -> str:
    try:
        return socket.gethostbyname(name)
    except OSError as e:
        return f"error: {e}"


def routes() -> list[list[str]]:
    lines = Path("/proc/net/route").read_text().splitlines()[1:]
    return [line.split()[:3] for line in lines]


def ipv6() -> str:
    return Path("/proc/net/if_inet6").read_text()


COMMANDS = {"connect": connect, "serve": serve, "resolve": resolve, "routes": routes, "ipv6": ipv6}
print(json.dumps(COMMANDS[sys.argv[1]](*sys.argv[2:])), flush=True)
