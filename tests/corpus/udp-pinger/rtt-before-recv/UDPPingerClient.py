import sys
import time
from socket import *

host = sys.argv[1] if len(sys.argv) > 1 else 'localhost'
port = int(sys.argv[2]) if len(sys.argv) > 2 else 12000

clientSocket = socket(AF_INET, SOCK_DGRAM)
clientSocket.settimeout(1)
for i in range(1, 11):
    start = time.time()
    clientSocket.sendto(('Ping %d %s' % (i, start)).encode(), (host, port))
    end = time.time()
    try:
        reply, server = clientSocket.recvfrom(1024)
        print(reply.decode(), ' RTT =', end - start, 's')
    except timeout:
        print('Request timed out')
clientSocket.close()
