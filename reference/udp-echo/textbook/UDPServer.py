# UDPServer.py: an echo server written the way the textbook writes its UDP servers (a fixed
# port, `from socket import *`, one socket and a recvfrom/sendto loop), but correct: the
# buffer holds the largest datagram, and the reply goes back unchanged to its sender.
from socket import *

serverPort = 9999  # the textbook uses 12000; any fixed port is found
serverSocket = socket(AF_INET, SOCK_DGRAM)
serverSocket.bind(('', serverPort))
print('The server is ready to receive')
while True:
    message, clientAddress = serverSocket.recvfrom(65535)
    serverSocket.sendto(message, clientAddress)
