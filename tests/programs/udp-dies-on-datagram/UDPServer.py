# UDP server, after the textbook's UDPServer.py, that expects every datagram to hold a number
# and so dies on the first that does not.
import sys
from socket import *

serverSocket = socket(AF_INET, SOCK_DGRAM)
serverSocket.bind(('', int(sys.argv[1])))
while True:
    message, clientAddress = serverSocket.recvfrom(2048)
    number = int(message)
    serverSocket.sendto(str(number).encode(), clientAddress)
