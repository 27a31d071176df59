from socket import *

serverSocket = socket(AF_INET, SOCK_DGRAM)
serverSocket.bind(('', 12000))
print('The server is ready to receive')
while True:
    message, clientAddress = serverSocket.recvfrom(65535)
    if not message:
        break
    serverSocket.sendto(message, clientAddress)
serverSocket.close()
