# TCPServer.py: an echo server written the way the textbook writes its servers (a fixed port,
# `from socket import *`, camelCase names, a print when ready), but correct: one thread per
# client, a loop until recv returns b'', sendall, SO_REUSEADDR, resets survived.
from socket import *
import threading

serverPort = 12000


def handleClient(connectionSocket, addr):
    try:
        while True:
            message = connectionSocket.recv(2048)
            if not message:  # the client closed its side
                break
            connectionSocket.sendall(message)
    except (ConnectionResetError, BrokenPipeError):
        print('client', addr, 'reset the connection')
    connectionSocket.close()


serverSocket = socket(AF_INET, SOCK_STREAM)
serverSocket.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
serverSocket.bind(('', serverPort))
serverSocket.listen(5)
print('The server is ready to receive')
while True:
    connectionSocket, addr = serverSocket.accept()
    threading.Thread(target=handleClient, args=(connectionSocket, addr)).start()
