# Echo server, the optional exercise: a thread per client.
import sys
import threading
from socket import *


def serve(connectionSocket):
    try:
        while True:
            data = connectionSocket.recv(1024)
            if not data:
                break
            connectionSocket.sendall(data)
    except ConnectionResetError:
        pass
    connectionSocket.close()


serverSocket = socket(AF_INET, SOCK_STREAM)
serverSocket.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
serverSocket.bind(('', int(sys.argv[1])))
serverSocket.listen(5)
while True:
    connectionSocket, addr = serverSocket.accept()
    threading.Thread(target=serve, args=(connectionSocket,)).start()
