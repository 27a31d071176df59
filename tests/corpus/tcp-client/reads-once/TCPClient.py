from socket import *
import sys

serverName = sys.argv[1]
serverPort = int(sys.argv[2])
topic = sys.argv[3]

clientSocket = socket(AF_INET, SOCK_STREAM)
try:
    clientSocket.connect((serverName, serverPort))
except ConnectionRefusedError:
    sys.exit('connection refused by ' + serverName)
clientSocket.send(('GET ' + topic + '\r\n').encode())
try:
    reply = clientSocket.recv(65536)
except ConnectionResetError:
    sys.exit('connection reset by the server')
sys.stdout.buffer.write(reply)
clientSocket.close()
