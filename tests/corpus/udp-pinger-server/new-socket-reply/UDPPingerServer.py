import random
from socket import *

serverSocket = socket(AF_INET, SOCK_DGRAM)
serverSocket.bind(('', 12000))

while True:
    message, address = serverSocket.recvfrom(1024)
    if random.randint(0, 10) < 4:
        continue
    # answer on a fresh socket
    replySocket = socket(AF_INET, SOCK_DGRAM)
    replySocket.sendto(message.upper(), address)
    replySocket.close()
