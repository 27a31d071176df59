from socket import *
import threading

serverPort = 12000


def handler(conn):
    while True:
        try:
            msg = conn.recv(1024)
        except ConnectionResetError:
            break
        if not msg:
            break
        conn.sendall(msg)
    conn.close()


serverSocket = socket(AF_INET, SOCK_STREAM)
serverSocket.bind(('', serverPort))
serverSocket.listen(1)
print('The server is ready to receive')
while True:
    connectionSocket, addr = serverSocket.accept()
    threading.Thread(target=handler, args=(connectionSocket,)).start()
