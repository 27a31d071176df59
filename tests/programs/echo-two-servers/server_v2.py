# Echo server, one client at a time.
import sys
from socket import *

serverSocket = socket(AF_INET, SOCK_STREAM)
serverSocket.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
serverSocket.bind(('', int(sys.argv[1])))
serverSocket.listen(1)
while True:
    connectionSocket, addr = serverSocket.accept()
    while True:
        data = connectionSocket.recv(4096)
        if not data:
            break
        connectionSocket.sendall(data)
    connectionSocket.close()
