"""Chat server, one thread per client (mutant: blocking broadcast).

BUG: a line is relayed from its sender's thread with a blocking sendall to each other client,
under a lock. A client that never reads fills its buffers, sendall to it blocks for ever,
and with it the sender's thread and, through the lock, every other broadcast.
"""

import socket
import sys
import threading

clients = {}  # connection -> nickname
lock = threading.Lock()


def broadcast(message, sender):
    with lock:
        for conn, nick in list(clients.items()):
            if conn is not sender and nick is not None:
                try:
                    conn.sendall(message)
                except OSError:
                    pass


def handle(conn):
    buffer = b""
    nick = None
    try:
        while True:
            data = conn.recv(65536)
            if not data:
                break
            buffer += data
            *lines, buffer = buffer.split(b"\n")
            for line in lines:
                line = line.removesuffix(b"\r")
                if nick is None:
                    nick = line
                    with lock:
                        clients[conn] = nick
                else:
                    broadcast(nick + b": " + line + b"\n", conn)
    except OSError:
        pass
    finally:
        with lock:
            clients.pop(conn, None)
        conn.close()
        if nick is not None:
            broadcast(b"* " + nick + b" left\n", conn)


def main():
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("", int(sys.argv[1])))
    server.listen()
    while True:
        conn, _ = server.accept()
        threading.Thread(target=handle, args=(conn,), daemon=True).start()


main()
