from socket import *
import sys

serverName = 'localhost'
serverPort = 12000
clientSocket = socket(AF_INET, SOCK_DGRAM)
clientSocket.settimeout(2)
message = sys.argv[-1] if len(sys.argv) > 1 else input('Input lowercase sentence:')
clientSocket.sendto(message.encode(), (serverName, serverPort))
try:
    modifiedMessage, serverAddress = clientSocket.recvfrom(65535)
except timeout:
    print('Request timed out', file=sys.stderr)
    sys.exit(1)
print(modifiedMessage.decode())
clientSocket.close()
