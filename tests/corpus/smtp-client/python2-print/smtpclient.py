from socket import *

msg = "\r\n I love computer networks!"
endmsg = "\r\n.\r\n"
mailserver = ("smtp.gmail.com", 25)

clientSocket = socket(AF_INET, SOCK_STREAM)
clientSocket.connect(mailserver)
recv = clientSocket.recv(1024)
print recv
if recv[:3] != '220':
    print '220 reply not received from server.'

clientSocket.send('HELO Alice\r\n')
print clientSocket.recv(1024)
clientSocket.send('MAIL FROM:<alice@gmail.com>\r\n')
print clientSocket.recv(1024)
clientSocket.send('RCPT TO:<bob@gmail.com>\r\n')
print clientSocket.recv(1024)
clientSocket.send('DATA\r\n')
print clientSocket.recv(1024)
clientSocket.send(msg)
clientSocket.send(endmsg)
print clientSocket.recv(1024)
clientSocket.send('QUIT\r\n')
print clientSocket.recv(1024)
clientSocket.close()
