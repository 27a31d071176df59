# UDPPingerClient.py -- with the optional exercise: min/max/average RTT and packet loss rate
from socket import *
import time

clientSocket = socket(AF_INET, SOCK_DGRAM)
clientSocket.settimeout(1)
rtts = []
lost = 0

for seq in range(1, 11):
    start = time.time()
    message = "Ping %d %s" % (seq, time.ctime(start))
    try:
        clientSocket.sendto(message.encode(), ("127.0.0.1", 12000))
        data, server = clientSocket.recvfrom(1024)
        elapsed = (time.time() - start) * 1000
        rtts.append(elapsed)
        print(data)
        print("Round Trip Time: %.3f ms" % elapsed)
    except timeout as e:
        lost += 1
        print("Request timed out:", e)

print("Maximum RTT: %.3f ms" % max(rtts))
print("Minimum RTT: %.3f ms" % min(rtts))
print("Average RTT: %.3f ms" % (sum(rtts) / len(rtts)))
print("Packets lost: %d (%.1f%%)" % (lost, lost * 100.0 / 10))
clientSocket.close()
