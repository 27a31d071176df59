from socket import *
from threading import Thread

serverPort = 12000


def echo(connectionSocket, addr):
    while True:
        try:
            sentence = connectionSocket.recv(1024)
        except ConnectionResetError:
            break
        if not sentence:
            break
        try:
            connectionSocket.sendall(sentence)
        except OSError:
            break
    connectionSocket.close()
    print('closed', addr)


serverSocket = socket(AF_INET, SOCK_STREAM)
serverSocket.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
serverSocket.bind(('', serverPort))
serverSocket.listen(5)
print('The server is ready to receive')
while True:
    connectionSocket, addr = serverSocket.accept()
    print('connection from', addr)
    Thread(target=echo, args=(connectionSocket, addr), daemon=True).start()
