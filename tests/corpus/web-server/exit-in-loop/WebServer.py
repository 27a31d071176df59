#import socket module
from socket import *
import sys # In order to terminate the program
import threading

serverSocket = socket(AF_INET, SOCK_STREAM)
#Prepare a sever socket
serverSocket.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
serverSocket.bind(('', 6789))
serverSocket.listen(1)

while True:
    #Establish the connection
    print('Ready to serve...')
    connectionSocket, addr = serverSocket.accept()
    try:
        message = b''
        while not message.endswith(b'\r\n\r\n'):
            data = connectionSocket.recv(1024)
            if not data:
                break
            message += data
        filename = message.split()[1]
        f = open(filename[1:], 'rb')
        outputdata = f.read()
        #Send one HTTP header line into socket
        connectionSocket.send(b'HTTP/1.1 200 OK\r\n\r\n')
        #Send the content of the requested file to the client
        connectionSocket.sendall(outputdata)
        connectionSocket.close()
    except IOError:
        #Send response message for file not found
        connectionSocket.send(b'HTTP/1.1 404 Not Found\r\n\r\n')
        connectionSocket.send(b'<html><body><h1>404 Not Found</h1></body></html>')
        #Close client socket
        connectionSocket.close()
    serverSocket.close()
    sys.exit()#Terminate the program after sending the corresponding data
