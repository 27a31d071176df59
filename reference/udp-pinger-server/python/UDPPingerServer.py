"""UDP pinger server (Kurose & Ross, socket programming assignment 2).

Answers each ping with the same datagram upper-cased, sent back to its sender, and drops
30 % of the pings at random to simulate a lossy network. The port is argv[1] (default 12000).
"""

import random
import sys
from socket import AF_INET, SOCK_DGRAM, socket

LOSS = 0.3
port = int(sys.argv[1]) if len(sys.argv) > 1 else 12000

serverSocket = socket(AF_INET, SOCK_DGRAM)
serverSocket.bind(("", port))  # every interface

while True:
    message, address = serverSocket.recvfrom(1024)
    message = message.upper()
    if random.random() < LOSS:
        continue  # the ping is lost
    serverSocket.sendto(message, address)
