from socket import *
import sys

serverName = sys.argv[1] if len(sys.argv) > 1 else 'localhost'
serverPort = int(sys.argv[2]) if len(sys.argv) > 2 else 12000
message = sys.argv[3] if len(sys.argv) > 3 else 'hello'
clientSocket = socket(AF_INET, SOCK_DGRAM)
clientSocket.settimeout(2)
clientSocket.sendto(message.encode(), (serverName, serverPort))
try:
    modifiedMessage, serverAddress = clientSocket.recvfrom(65535)
except timeout:
    sys.stderr.write('timed out waiting for the server\n')
    sys.exit(1)
print(modifiedMessage.decode())
clientSocket.close()
