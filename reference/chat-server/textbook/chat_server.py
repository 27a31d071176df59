# chat_server.py: a select() chat server written the way tutorials write theirs (a fixed
# port, a list of sockets handed to select, a dict of outgoing queues, "Chat server started"),
# but correct: nicknames, a line buffer per client, non-blocking sends from the queues, and
# a client that leaves is removed and announced.
import select
import socket

PORT = 9009
RECV_BUFFER = 4096

server_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server_socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server_socket.bind(("", PORT))
server_socket.listen(10)
server_socket.setblocking(False)

inputs = [server_socket]
outputs = []
nicknames = {}  # socket -> nickname, once its first line has arrived
partial = {}  # socket -> bytes received that are not a whole line yet
queues = {}  # socket -> bytes waiting to be sent

print("Chat server started on port " + str(PORT))


def broadcast(sender, message):
    for sock in nicknames:
        if sock is not sender:
            queues[sock] += message
            if sock not in outputs:
                outputs.append(sock)


def remove(sock):
    if sock not in inputs:
        return
    inputs.remove(sock)
    if sock in outputs:
        outputs.remove(sock)
    nick = nicknames.pop(sock, None)
    del partial[sock], queues[sock]
    sock.close()
    if nick is not None:
        broadcast(sock, b"* " + nick + b" left\n")


while True:
    readable, writable, broken = select.select(inputs, outputs, inputs)
    for sock in readable:
        if sock is server_socket:
            client, addr = server_socket.accept()
            client.setblocking(False)
            inputs.append(client)
            partial[client] = b""
            queues[client] = bytearray()
            print("Client (%s, %s) connected" % addr)
            continue
        if sock not in inputs:  # removed earlier in this round
            continue
        try:
            data = sock.recv(RECV_BUFFER)
        except BlockingIOError:
            continue
        except OSError:
            data = b""
        if not data:
            remove(sock)
            continue
        lines = (partial[sock] + data).split(b"\n")
        partial[sock] = lines.pop()
        for line in lines:
            line = line.rstrip(b"\r")
            if sock not in nicknames:
                nicknames[sock] = line
            else:
                broadcast(sock, nicknames[sock] + b": " + line + b"\n")
    for sock in writable:
        if sock not in inputs:
            continue
        try:
            sent = sock.send(queues[sock])
        except BlockingIOError:
            continue
        except OSError:
            remove(sock)
            continue
        del queues[sock][:sent]
        if not queues[sock]:
            outputs.remove(sock)
    for sock in broken:
        remove(sock)
