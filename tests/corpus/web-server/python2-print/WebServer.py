#import socket module
from socket import *
import thread

serverSocket = socket(AF_INET, SOCK_STREAM)
serverPort = 6789
serverSocket.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
serverSocket.bind(('', serverPort))
serverSocket.listen(5)


def serve(connectionSocket):
    try:
        message = ''
        while '\r\n\r\n' not in message:
            message += connectionSocket.recv(1024)
        filename = message.split()[1]
        f = open(filename[1:], 'rb')
        outputdata = f.read()
        connectionSocket.send('HTTP/1.1 200 OK\r\n\r\n')
        connectionSocket.send(outputdata)
        connectionSocket.close()
    except IOError, e:
        print 'file not found:', e
        connectionSocket.send('HTTP/1.1 404 Not Found\r\n\r\n')
        connectionSocket.send('<html><body>404 Not Found</body></html>')
        connectionSocket.close()


while True:
    print 'Ready to serve...'
    connectionSocket, addr = serverSocket.accept()
    thread.start_new_thread(serve, (connectionSocket,))
