# UDPClient.py - written the way the textbook writes its UDP client (Kurose & Ross, "Socket
# programming with UDP"), with the timeout of its pinger exercise.
# Usage: python3 UDPClient.py HOST PORT MESSAGE
#
# A textbook-style model of the udp-client assignment: it must score full marks as it is. Two
# things differ from the textbook, both asked by the handout: a 65535-byte buffer (the
# textbook's 2048 would cut a large reply) and the timeout message on stderr.
from socket import *
import sys

serverName = sys.argv[1]
serverPort = int(sys.argv[2])
message = sys.argv[3]

clientSocket = socket(AF_INET, SOCK_DGRAM)
clientSocket.settimeout(2)
clientSocket.sendto(message.encode(), (serverName, serverPort))
try:
    modifiedMessage, serverAddress = clientSocket.recvfrom(65535)
except timeout:
    print('Request timed out', file=sys.stderr)
    clientSocket.close()
    sys.exit(1)
print(modifiedMessage.decode())
clientSocket.close()
