from socket import *
import sys

serverName = sys.argv[1]
serverPort = int(sys.argv[2])
clientSocket = socket(AF_INET, SOCK_STREAM)
try:
    clientSocket.connect((serverName, serverPort))
except OSError as e:
    print('Connection refused:', e, file=sys.stderr)
    sys.exit(1)
sentence = 'GET ' + sys.argv[3] + '\r\n'
clientSocket.send(sentence.encode())
while True:
    try:
        modifiedSentence = clientSocket.recv(1024)
    except OSError as e:
        print('Error:', e, file=sys.stderr)
        sys.exit(1)
    if not modifiedSentence:
        break
    print(modifiedSentence.decode(), end='', flush=True)
clientSocket.close()
