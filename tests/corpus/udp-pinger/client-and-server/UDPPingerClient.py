# UDPPingerClient.py - my client for the pinger lab
import time
from socket import *

server = ('localhost', 12000)
clientSocket = socket(AF_INET, SOCK_DGRAM)
clientSocket.settimeout(1)

answered = []
for seq in range(1, 11):
    sent = time.time()
    clientSocket.sendto(('Ping %d %s' % (seq, sent)).encode(), server)
    try:
        reply, _ = clientSocket.recvfrom(1024)
    except timeout:
        print('Request timed out')
        continue
    rtt = time.time() - sent
    answered.append(rtt)
    print(reply.decode(), 'RTT:', round(rtt * 1000, 3), 'ms')

if answered:
    print('min RTT:', round(min(answered) * 1000, 3), 'ms')
    print('avg RTT:', round(sum(answered) / len(answered) * 1000, 3), 'ms')
    print('max RTT:', round(max(answered) * 1000, 3), 'ms')
print('packet loss: %d%%' % ((10 - len(answered)) * 10))
