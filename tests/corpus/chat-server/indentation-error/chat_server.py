"""Chat server with select(): nicknames, line buffers and an output queue per client."""
import select
import socket
import sys


class Client:
    def __init__(self, sock, addr):
        self.sock = sock
        self.addr = addr
        self.nick = None
        self.inbuf = b''
        self.outbuf = bytearray()


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(('', port))
    server.listen(20)
    server.setblocking(False)
    print('chat server on port', port)
    clients = {}

    def send_to_others(sender, text):
        for c in clients.values():
            if c is not sender and c.nick is not None:
                c.outbuf += text

    def drop(c):
        c.sock.close()
        del clients[c.sock]
        print('disconnected:', c.addr)
        if c.nick is not None:
            send_to_others(c, b'* ' + c.nick + b' left\n')

    while True:
        readers = [server] + list(clients)
        writers = [s for s, c in clients.items() if c.outbuf]
        readable, writable, _ = select.select(readers, writers, [])
        for s in readable:
            if s is server:
                conn, addr = server.accept()
                conn.setblocking(False)
                clients[conn] = Client(conn, addr)
                print('connected:', addr)
                continue
            c = clients.get(s)
            if c is None:
                continue
            try:
                data = s.recv(4096)
            except BlockingIOError:
                continue
            except OSError:
                data = b''
            if not data:
                drop(c)
                continue
            c.inbuf += data
            while b'\n' in c.inbuf:
                line, c.inbuf = c.inbuf.split(b'\n', 1)
                line = line.rstrip(b'\r')
                if c.nick is None:
                    c.nick = line
               else:
                    send_to_others(c, c.nick + b': ' + line + b'\n')
        for s in writable:
            c = clients.get(s)
            if c is None or not c.outbuf:
                continue
            try:
                sent = s.send(c.outbuf)
            except BlockingIOError:
                continue
            except OSError:
                drop(c)
                continue
            del c.outbuf[:sent]


if __name__ == '__main__':
    main()
