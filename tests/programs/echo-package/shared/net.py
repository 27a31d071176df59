"""The listening socket and the echo loop."""
import socket

BUFSIZE = 4096


def listener(port):
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("0.0.0.0", port))
    sock.listen()
    return sock


def echo(conn):
    with conn:
        try:
            while chunk := conn.recv(BUFSIZE):
                conn.sendall(chunk)
        except ConnectionResetError:
            pass
