"""Socket helpers for the echo server."""
import socket


def make_listener(port):
    """A listening TCP socket on every interface."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("", port))
    sock.listen(16)
    return sock


def echo_all(conn):
    """Send back everything until the peer closes."""
    with conn:
        try:
            while data := conn.recv(65536):
                conn.sendall(data)
        except ConnectionResetError:
            pass
