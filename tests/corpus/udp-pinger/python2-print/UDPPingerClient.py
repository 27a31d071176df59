from socket import *
import time

serverName = 'localhost'
serverPort = 12000
clientSocket = socket(AF_INET, SOCK_DGRAM)
clientSocket.settimeout(1)

for i in range(1, 11):
    start = time.time()
    message = 'Ping %d %s' % (i, start)
    clientSocket.sendto(message, (serverName, serverPort))
    try:
        reply, address = clientSocket.recvfrom(1024)
        print reply
        print 'RTT = %f s' % (time.time() - start)
    except timeout:
        print 'Request timed out'

clientSocket.close()
