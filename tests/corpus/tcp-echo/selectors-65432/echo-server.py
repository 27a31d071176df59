#!/usr/bin/env python3
# multi-connection echo server with selectors
import selectors
import socket
import types

HOST = ""
PORT = 65432

sel = selectors.DefaultSelector()


def accept_wrapper(sock):
    conn, addr = sock.accept()
    print(f"Accepted connection from {addr}")
    conn.setblocking(False)
    data = types.SimpleNamespace(addr=addr, outb=b"", closing=False)
    sel.register(conn, selectors.EVENT_READ, data=data)


def close_connection(sock, data):
    print(f"Closing connection to {data.addr}")
    sel.unregister(sock)
    sock.close()


def service_connection(key, mask):
    sock = key.fileobj
    data = key.data
    if mask & selectors.EVENT_READ:
        try:
            recv_data = sock.recv(4096)
        except ConnectionResetError:
            close_connection(sock, data)
            return
        if recv_data:
            data.outb += recv_data
        else:
            data.closing = True
    if data.outb:
        try:
            sent = sock.send(data.outb)
        except BlockingIOError:
            sent = 0
        except OSError:
            close_connection(sock, data)
            return
        data.outb = data.outb[sent:]
    if data.closing and not data.outb:
        close_connection(sock, data)
        return
    # wait for room to write only while something is left to send
    events = selectors.EVENT_WRITE if data.outb else selectors.EVENT_READ
    if data.outb and not data.closing:
        events |= selectors.EVENT_READ
    if key.events != events:
        sel.modify(sock, events, data=data)


lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
lsock.bind((HOST, PORT))
lsock.listen()
print(f"Listening on {(HOST, PORT)}")
lsock.setblocking(False)
sel.register(lsock, selectors.EVENT_READ, data=None)
try:
    while True:
        events = sel.select(timeout=None)
        for key, mask in events:
            if key.data is None:
                accept_wrapper(key.fileobj)
            else:
                service_connection(key, mask)
except KeyboardInterrupt:
    print("Caught keyboard interrupt, exiting")
finally:
    sel.close()
