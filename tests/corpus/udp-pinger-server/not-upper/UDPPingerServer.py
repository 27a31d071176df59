import random
import socket

PORT = 12000

sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind(('', PORT))
print('Ready on port', PORT)

while True:
    message, address = sock.recvfrom(1024)
    if random.random() < 0.3:
        print('dropped', message)
        continue
    sock.sendto(message, address)
