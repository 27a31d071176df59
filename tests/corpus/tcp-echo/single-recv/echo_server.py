import socket
import sys
import threading

port = int(sys.argv[1])


def client_thread(conn, addr):
    data = conn.recv(1024)
    if data:
        conn.sendall(data)
    conn.close()
    print('done with', addr)


server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(('', port))
server.listen(10)
while True:
    conn, addr = server.accept()
    threading.Thread(target=client_thread, args=(conn, addr), daemon=True).start()
