from socket import *

serverName = 'localhost'
serverPort = 12000
clientSocket = socket(AF_INET, SOCK_STREAM)
clientSocket.connect((serverName, serverPort))
sentence = input('Input sentence: ')
clientSocket.send(sentence.encode())
reply = clientSocket.recv(2048)
print('From Server: ', reply.decode())
clientSocket.close()
