import random
from socket import *

serverSocket = socket(AF_INET, SOCK_DGRAM)
serverSocket.bind(('', 12000))
print('The server is ready to receive')

while True:
    message, address = serverSocket.recvfrom(1024)
    rand = random.randint(1, 10)
    # drop 30 percent of the packets
    if rand < 0.3:
        continue
    serverSocket.sendto(message.upper(), address)
