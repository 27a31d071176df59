# TCPClient.py - bulletin client, written the way the textbook writes its TCP client
# (Kurose & Ross, "Socket programming with TCP"): from socket import *, one socket, send,
# recv in a loop, print what arrives. Usage: python3 TCPClient.py HOST PORT TOPIC
#
# A textbook-style model of the tcp-client assignment: it must score full marks as it is.
# Text-mode habits where they are harmless: the answer is ASCII, so decoding each piece and
# printing it with end='' writes the very bytes received (sys.stdout does not translate
# "\r\n" on Linux); stdout is flushed when the program exits, also after an error.
from socket import *
import sys

serverName = sys.argv[1]
serverPort = int(sys.argv[2])
topic = sys.argv[3]

clientSocket = socket(AF_INET, SOCK_STREAM)
try:
    clientSocket.connect((serverName, serverPort))
except ConnectionRefusedError:
    print('Could not connect to', serverName, 'port', serverPort, '- connection refused',
          file=sys.stderr)
    sys.exit(1)

request = 'GET ' + topic + '\r\n'
clientSocket.send(request.encode())

try:
    while True:
        message = clientSocket.recv(1024)
        if not message:
            break
        print(message.decode(), end='')
except ConnectionResetError:
    print('Connection reset by the server', file=sys.stderr)
    sys.exit(1)

clientSocket.close()
