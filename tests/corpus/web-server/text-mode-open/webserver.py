import socket
import sys
import threading

port = int(sys.argv[1]) if len(sys.argv) > 1 else 6789


def client(conn):
    request = ''
    while '\r\n\r\n' not in request:
        data = conn.recv(1024)
        if not data:
            break
        request += data.decode()
    try:
        path = request.split()[1]
        with open(path[1:]) as f:
            content = f.read()
        conn.send('HTTP/1.1 200 OK\r\n'.encode())
        conn.send('Content-Type: text/html\r\n\r\n'.encode())
        for i in range(0, len(content)):
            conn.send(content[i].encode())
    except IOError:
        conn.send('HTTP/1.1 404 Not Found\r\n\r\n'.encode())
        conn.send('<h1>404 Not Found</h1>'.encode())
    finally:
        conn.close()


server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(('', port))
server.listen(5)
print('Ready to serve...')
while True:
    conn, addr = server.accept()
    threading.Thread(target=client, args=(conn,)).start()
