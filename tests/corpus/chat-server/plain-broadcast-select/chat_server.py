# Simple chat room: everything one client types is sent to all the others.
import select
import socket

PORT = 12000

server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(('', PORT))
server.listen(10)
server.setblocking(False)

sockets = [server]
pending = {}  # client socket -> bytes still to send to it
print('Chat server started on port ' + str(PORT))


def remove(sock):
    if sock in sockets:
        sockets.remove(sock)
    pending.pop(sock, None)
    sock.close()


while True:
    waiting = [s for s in pending if pending[s]]
    readable, writable, _ = select.select(sockets, waiting, [])
    for sock in readable:
        if sock is server:
            conn, addr = server.accept()
            conn.setblocking(False)
            sockets.append(conn)
            pending[conn] = bytearray()
            print('Client (%s, %s) connected' % addr)
            continue
        try:
            data = sock.recv(4096)
        except BlockingIOError:
            continue
        except OSError:
            data = b''
        if data:
            for other in sockets:
                if other is not server and other is not sock:
                    pending[other] += data
        else:
            print('Client went offline')
            remove(sock)
    for sock in writable:
        if sock not in pending:
            continue
        try:
            sent = sock.send(pending[sock])
        except BlockingIOError:
            continue
        except OSError:
            remove(sock)
            continue
        del pending[sock][:sent]
