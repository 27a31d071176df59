# UDPPingerClient.py
from socket import *
import time

clientSocket = socket(AF_INET, SOCK_DGRAM)
clientSocket.settimeout(1)
rtts = []
lost = 0

for i in range(1, 11):
    sendTime = time.time()
    clientSocket.sendto(('Ping %d %f' % (i, sendTime)).encode(), ('localhost', 12000))
    try:
        reply, serverAddress = clientSocket.recvfrom(1024)
        print('Reply from %s: %s' % (serverAddress[0], reply.decode()))
    except timeout:
        print('Request timed out')
        lost += 1
    rtt = time.time() - sendTime
    rtts.append(rtt)
    print('RTT: %f s' % rtt)

print('min RTT: %f s, max RTT: %f s, avg RTT: %f s' % (min(rtts), max(rtts), sum(rtts) / len(rtts)))
print('packet loss: %d%%' % (lost * 10))
clientSocket.close()
