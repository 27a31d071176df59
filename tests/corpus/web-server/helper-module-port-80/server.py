# Multithreaded web server, port 80 (run with sudo on your own machine)
import socket
import threading

from httputil import read_request, response_header

PORT = 80


def serve(conn):
    with conn:
        request = read_request(conn)
        if request is None:
            return
        method, path = request
        name = path.lstrip('/') or 'index.html'
        try:
            with open(name, 'rb') as f:
                body = f.read()
        except OSError:
            page = b'<html><body><h1>404 Not Found</h1></body></html>'
            conn.sendall(response_header(404, 'Not Found', len(page)) + page)
            print(method, path, '-> 404')
            return
        conn.sendall(response_header(200, 'OK', len(body), name) + body)
        print(method, path, '-> 200')


def main():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(('0.0.0.0', PORT))
    s.listen(10)
    print('listening on port', PORT)
    while True:
        conn, addr = s.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


if __name__ == '__main__':
    main()
