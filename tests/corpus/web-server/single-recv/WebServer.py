from socket import *
import threading

serverPort = 6789


def handle_request(connectionSocket):
    try:
        message = connectionSocket.recv(1024).decode()
        filename = message.split()[1]
        f = open(filename[1:], 'rb')
        outputdata = f.read()
        f.close()
        connectionSocket.send('HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n'.encode())
        connectionSocket.sendall(outputdata)
    except (IOError, IndexError):
        connectionSocket.send('HTTP/1.1 404 Not Found\r\n\r\n'.encode())
        connectionSocket.send('<html><body><h1>404 Not Found</h1></body></html>'.encode())
    connectionSocket.close()


serverSocket = socket(AF_INET, SOCK_STREAM)
serverSocket.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
serverSocket.bind(('', serverPort))
serverSocket.listen(10)
print('The server is ready to receive on port', serverPort)
while True:
    connectionSocket, addr = serverSocket.accept()
    print('Connection from', addr)
    threading.Thread(target=handle_request, args=(connectionSocket,)).start()
