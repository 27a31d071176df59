"""A TCP server whose first line on a connection picks a misbehaviour (or plain echo)."""

import os
import signal
import socket
import sys
import threading
import time
from pathlib import Path

stubborn = threading.Event()


def on_sigterm(signum: int, frame: object) -> None:
    # handlers run in the main thread only, so the "stubborn" client sets a flag it reads
    if not stubborn.is_set():
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)


def flood() -> None:
    line = b"x" * 1023 + b"\n"
    while True:
        sys.stdout.buffer.write(line)


def fork_bomb() -> None:
    # every process keeps forking and never exits: only the pids limit stops it
    while True:
        try:
            os.fork()
        except OSError:
            time.sleep(0.05)


def serve(conn: socket.socket) -> None:
    with conn:
        reader = conn.makefile("rb")
        command = reader.readline().strip()
        if command == b"flood":
            threading.Thread(target=flood, daemon=True).start()
            conn.sendall(b"flooding\n")
        elif command == b"stubborn":
            stubborn.set()
            conn.sendall(b"ok\n")
        elif command == b"hog":
            hog = []
            while True:
                hog.append(bytearray(1 << 20))
        elif command == b"fork":
            conn.sendall(b"forking\n")
            if os.fork() == 0:
                fork_bomb()
        elif command == b"fill":
            try:
                with Path("filler").open("wb") as f:
                    while True:
                        f.write(b"\0" * 65536)
                        f.flush()
            except OSError as e:
                print(f"fill: {e}", file=sys.stderr, flush=True)
                os._exit(1)
        else:
            conn.sendall(command + b"\n")
        while data := reader.read1(65536):
            conn.sendall(data)


def main() -> None:
    signal.signal(signal.SIGTERM, on_sigterm)
    host, port = sys.argv[1], int(sys.argv[2])
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind((host, port))
    server.listen()
    while True:
        conn, _ = server.accept()
        try:
            threading.Thread(target=serve, args=(conn,), daemon=True).start()
        except RuntimeError:
            conn.close()  # no thread to be had: the pids limit


main()
