from socket import *
import sys

serverName = '127.0.0.1'
serverPort = 12000
topic = sys.argv[-1] if len(sys.argv) > 1 else 'news'

clientSocket = socket(AF_INET, SOCK_STREAM)
try:
    clientSocket.connect((serverName, serverPort))
except ConnectionRefusedError:
    print('error: connection to %s port %d refused' % (serverName, serverPort), file=sys.stderr)
    sys.exit(1)
clientSocket.sendall(('GET ' + topic + '\r\n').encode())
try:
    while True:
        answer = clientSocket.recv(1024)
        if not answer:
            break
        sys.stdout.buffer.write(answer)
        sys.stdout.flush()
except ConnectionResetError:
    print('error: the server reset the connection', file=sys.stderr)
    sys.exit(1)
clientSocket.close()
