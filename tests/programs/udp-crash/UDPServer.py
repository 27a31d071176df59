# UDP echo server, after the textbook's UDPServer.py, with a misspelt constant.
import sys
from socket import *

serverSocket = socket(AF_INET, SOCK_DGRAM)
serverSocket.setsockopt(SOL_SOCKET, SO_REUSEADR, 1)
serverSocket.bind(('', int(sys.argv[1])))
while True:
    message, clientAddress = serverSocket.recvfrom(65535)
    serverSocket.sendto(message, clientAddress)
