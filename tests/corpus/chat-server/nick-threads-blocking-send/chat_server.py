import socket
import sys
import threading

clients = {}  # socket -> nickname
lock = threading.Lock()


def broadcast(sender, message):
    with lock:
        targets = [s for s in clients if s is not sender]
    for s in targets:
        try:
            s.sendall(message)
        except OSError:
            pass


def handle(conn, addr):
    f = conn.makefile('rb')
    nick = None
    try:
        first = f.readline()
        if not first:
            return
        nick = first.rstrip(b'\r\n')
        with lock:
            clients[conn] = nick
        print(nick.decode(errors='replace'), 'joined from', addr)
        for line in f:
            if not line.endswith(b'\n'):
                break
            broadcast(conn, nick + b': ' + line.rstrip(b'\r\n') + b'\n')
    except OSError:
        pass
    finally:
        with lock:
            clients.pop(conn, None)
        conn.close()
        if nick is not None:
            broadcast(None, b'* ' + nick + b' left\n')


server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(('', int(sys.argv[1])))
server.listen(10)
while True:
    conn, addr = server.accept()
    threading.Thread(target=handle, args=(conn, addr), daemon=True).start()
