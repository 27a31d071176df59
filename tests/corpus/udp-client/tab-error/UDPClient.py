from socket import *
import sys

serverName = sys.argv[1]
serverPort = int(sys.argv[2])
clientSocket = socket(AF_INET, SOCK_DGRAM)
clientSocket.settimeout(2)
clientSocket.sendto(sys.argv[3].encode(), (serverName, serverPort))
try:
    reply, addr = clientSocket.recvfrom(65535)
except timeout:
    print("timeout", file=sys.stderr)
	sys.exit(1)
print(reply.decode())
