from socket import *
import threading

serverPort = 12000


def serve(connectionSocket):
    with connectionSocket:
        while True:
            try:
                data = connectionSocket.recv(2048)
            except OSError:
                return
            if not data:
                return
            connectionSocket.sendall(data)


serverSocket = socket(AF_INET, SOCK_STREAM)
serverSocket.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
serverSocket.bind(('', serverPort))
serverSocket.listen(10)
print('The server is ready to receive')
while True:
    connectionSocket, addr = serverSocket.accept()
    threading.Thread(target=serve, args=(connectionSocket,), daemon=True).start()
