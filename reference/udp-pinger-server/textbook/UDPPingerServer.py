# UDPPingerServer.py
# Answers pings with the message in capitals; about 4 pings in 11 are "lost" (not answered).
import random
from socket import *

serverPort = 12000
serverSocket = socket(AF_INET, SOCK_DGRAM)
serverSocket.bind(('', serverPort))
print('The server is ready to receive on port', serverPort)

while True:
    # a number from 0 to 10: below 4, the ping is lost
    rand = random.randint(0, 10)
    message, address = serverSocket.recvfrom(1024)
    print('Received', message, 'from', address)
    message = message.upper()
    if rand < 4:
        continue
    serverSocket.sendto(message, address)
