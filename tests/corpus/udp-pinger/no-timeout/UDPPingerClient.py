from socket import *
import time

serverName = 'localhost'
serverPort = 12000
clientSocket = socket(AF_INET, SOCK_DGRAM)

for i in range(1, 11):
    start = time.time()
    message = 'Ping %d %s' % (i, start)
    clientSocket.sendto(message.encode(), (serverName, serverPort))
    try:
        reply, address = clientSocket.recvfrom(1024)
        end = time.time()
        print(reply.decode())
        print('RTT = %f s' % (end - start))
    except timeout:
        print('Request timed out')

clientSocket.close()
