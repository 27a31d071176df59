"""Chat server (mutant: a reset kills the server).

Usage: python3 chat_server.py PORT

BUG: recv's ConnectionResetError, raised when a client aborts its connection, is not caught:
it ends the server.
"""

import contextlib
import selectors
import socket
import sys

# A client that has this much unread chat waiting is disconnected (it is not reading).
MAX_BACKLOG = 64 * 1024 * 1024


class Client:
    def __init__(self, sock):
        self.sock = sock
        self.nick = None  # set by the first line
        self.inbuf = b""  # received, not yet a whole line
        self.outbuf = bytearray()  # to send, not yet sent


class ChatServer:
    def __init__(self, port):
        self.selector = selectors.DefaultSelector()
        self.clients = {}  # socket -> Client
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("", port))
        self.listener.listen()
        self.listener.setblocking(False)
        self.selector.register(self.listener, selectors.EVENT_READ)

    def run(self):
        while True:
            for key, events in self.selector.select():
                if key.fileobj is self.listener:
                    self.accept()
                    continue
                client = self.clients.get(key.fileobj)
                if client is not None and events & selectors.EVENT_READ:
                    self.receive(client)
                client = self.clients.get(key.fileobj)  # receive may have dropped it
                if client is not None and events & selectors.EVENT_WRITE:
                    self.flush(client)

    def accept(self):
        try:
            sock, _ = self.listener.accept()
        except BlockingIOError:
            return
        sock.setblocking(False)
        self.clients[sock] = Client(sock)
        self.selector.register(sock, selectors.EVENT_READ)

    def receive(self, client):
        try:
            data = client.sock.recv(65536)
        except BlockingIOError:
            return
        # BUG: ConnectionResetError (a client that aborted) is not caught: the server crashes.
        if not data:
            self.drop(client)
            return
        # recv returns whatever has arrived: part of a line, or several lines.
        client.inbuf += data
        *lines, client.inbuf = client.inbuf.split(b"\n")
        for line in lines:
            text = line.removesuffix(b"\r")
            if client.nick is None:
                client.nick = text
            else:
                self.broadcast(client.nick + b": " + text + b"\n", sender=client)

    def broadcast(self, message, sender):
        """Queue the message for every named client but the sender; the selector sends it."""
        for client in list(self.clients.values()):
            if client is sender or client.nick is None:
                continue
            client.outbuf += message
            if len(client.outbuf) > MAX_BACKLOG:
                self.drop(client)
            else:
                self.selector.modify(client.sock, selectors.EVENT_READ | selectors.EVENT_WRITE)

    def flush(self, client):
        try:
            sent = client.sock.send(client.outbuf)  # non-blocking: sends what fits
        except BlockingIOError:
            return
        except OSError:
            self.drop(client)
            return
        del client.outbuf[:sent]
        if not client.outbuf:
            self.selector.modify(client.sock, selectors.EVENT_READ)

    def drop(self, client):
        if client.sock not in self.clients:
            return
        del self.clients[client.sock]
        self.selector.unregister(client.sock)
        client.sock.close()
        if client.nick is not None:
            self.broadcast(b"* " + client.nick + b" left\n", sender=client)


def main():
    if len(sys.argv) != 2 or not sys.argv[1].isdigit():
        sys.exit(f"usage: {sys.argv[0]} PORT")
    server = ChatServer(int(sys.argv[1]))
    print(f"chat server on port {sys.argv[1]}", flush=True)
    server.run()


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
