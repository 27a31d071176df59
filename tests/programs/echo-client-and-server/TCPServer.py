# TCP echo server, after the textbook's TCPServer.py: one thread per client.
from socket import *
import threading

serverPort = 13331


def handle(connectionSocket):
    while True:
        message = connectionSocket.recv(2048)
        if not message:
            break
        connectionSocket.sendall(message)
    connectionSocket.close()


serverSocket = socket(AF_INET, SOCK_STREAM)
serverSocket.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
serverSocket.bind(('', serverPort))
serverSocket.listen(5)
print('The server is ready to receive')
while True:
    connectionSocket, addr = serverSocket.accept()
    threading.Thread(target=handle, args=(connectionSocket,), daemon=True).start()
