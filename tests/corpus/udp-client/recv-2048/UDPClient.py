from socket import *
import sys

serverName = sys.argv[1]
serverPort = int(sys.argv[2])
message = sys.argv[3]
clientSocket = socket(AF_INET, SOCK_DGRAM)
clientSocket.settimeout(2)
clientSocket.sendto(message.encode(), (serverName, serverPort))
try:
    modifiedMessage, serverAddress = clientSocket.recvfrom(2048)
except timeout:
    print('timeout: no reply from the server', file=sys.stderr)
    sys.exit(1)
print(modifiedMessage.decode())
clientSocket.close()
