# Echo server written for Python 2.
from socket import *
import sys

serverSocket = socket(AF_INET, SOCK_STREAM)
serverSocket.bind(('', int(sys.argv[1])))
serverSocket.listen(1)
print 'The server is ready to receive'
while True:
    connectionSocket, addr = serverSocket.accept()
    connectionSocket.send(connectionSocket.recv(1024))
    connectionSocket.close()
