# Echo server (TCPServer.py style) with an indentation slip on line 12.
from socket import *

serverPort = 13331
serverSocket = socket(AF_INET, SOCK_STREAM)
serverSocket.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
serverSocket.bind(('', serverPort))
serverSocket.listen(1)
print('The server is ready to receive')
while True:
    connectionSocket, addr = serverSocket.accept()
     data = connectionSocket.recv(1024)
    connectionSocket.send(data)
    connectionSocket.close()
