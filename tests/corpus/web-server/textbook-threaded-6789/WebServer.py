#import socket module
from socket import *
import sys # In order to terminate the program
import threading

def handle(connectionSocket, addr):
    try:
        message = b''
        while b'\r\n\r\n' not in message:
            chunk = connectionSocket.recv(1024)
            if not chunk:
                break
            message += chunk
        print(message.decode())
        filename = message.split()[1]
        f = open(filename[1:], 'rb')
        outputdata = f.read()
        f.close()
        #Send one HTTP header line into socket
        connectionSocket.send(b'HTTP/1.1 200 OK\r\n\r\n')
        #Send the content of the requested file to the client
        connectionSocket.sendall(outputdata)
        connectionSocket.send(b'\r\n')
        connectionSocket.close()
    except IOError:
        #Send response message for file not found
        connectionSocket.send(b'HTTP/1.1 404 Not Found\r\n\r\n')
        connectionSocket.send(b'<html><head></head><body><h1>404 Not Found</h1></body></html>\r\n')
        #Close client socket
        connectionSocket.close()
    except IndexError:
        connectionSocket.close()

serverSocket = socket(AF_INET, SOCK_STREAM)
#Prepare a sever socket
serverPort = 6789
serverSocket.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
serverSocket.bind(('', serverPort))
serverSocket.listen(5)
while True:
    #Establish the connection
    print('Ready to serve...')
    connectionSocket, addr = serverSocket.accept()
    t = threading.Thread(target=handle, args=(connectionSocket, addr))
    t.daemon = True
    t.start()
serverSocket.close()
sys.exit()#Terminate the program after sending the corresponding data
