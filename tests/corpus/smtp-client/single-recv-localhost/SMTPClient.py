from socket import *

msg = "\r\n I love computer networks!"
endmsg = "\r\n.\r\n"

mailserver = 'localhost'
clientSocket = socket(AF_INET, SOCK_STREAM)
clientSocket.connect((mailserver, 25))

recv = clientSocket.recv(1024).decode()
print(recv)
if recv[:3] != '220':
    print('220 reply not received from server.')

heloCommand = 'HELO Alice\r\n'
clientSocket.send(heloCommand.encode())
recv1 = clientSocket.recv(1024).decode()
print(recv1)
if recv1[:3] != '250':
    print('250 reply not received from server.')

clientSocket.send('MAIL FROM: <alice@example.com>\r\n'.encode())
recv2 = clientSocket.recv(1024).decode()
print(recv2)

clientSocket.send('RCPT TO: <bob@example.com>\r\n'.encode())
recv3 = clientSocket.recv(1024).decode()
print(recv3)

clientSocket.send('DATA\r\n'.encode())
recv4 = clientSocket.recv(1024).decode()
print(recv4)

clientSocket.send(msg.encode())
clientSocket.send(endmsg.encode())
recv5 = clientSocket.recv(1024).decode()
print(recv5)

clientSocket.send('QUIT\r\n'.encode())
recv6 = clientSocket.recv(1024).decode()
print(recv6)
clientSocket.close()
