import socket
import sys
import threading


def respond(conn):
    req = b''
    while b'\r\n\r\n' not in req:
        piece = conn.recv(2048)
        if not piece:
            conn.close()
            return
        req += piece
    name = req.split()[1].decode()[1:]
    try:
        with open(name, 'rb') as f:
            body = f.read()
        # status line and one header line, then the file
        conn.sendall(b'HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n' + body)
    except OSError:
        conn.sendall(b'HTTP/1.1 404 Not Found\r\n\r\n<h1>Not Found</h1>')
    conn.close()


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 6789
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(('', port))
    s.listen(16)
    while True:
        conn, _ = s.accept()
        threading.Thread(target=respond, args=(conn,), daemon=True).start()


main()
