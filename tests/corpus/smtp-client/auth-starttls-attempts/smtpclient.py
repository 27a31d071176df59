# SMTP lab, with the optional parts: EHLO, STARTTLS and AUTH LOGIN when the server offers them
import base64
from socket import *

mailserver = ('smtp.gmail.com', 587)
username = 'alice.student@gmail.com'
password = 'app-password-goes-here'

clientSocket = socket(AF_INET, SOCK_STREAM)
clientSocket.connect(mailserver)
stream = clientSocket.makefile('rb')


def read_reply():
    lines = []
    while True:
        line = stream.readline().decode()
        if not line:
            break
        lines.append(line)
        if len(line) < 4 or line[3] != '-':
            break
    text = ''.join(lines)
    print(text, end='')
    return text


def send(command):
    clientSocket.send((command + '\r\n').encode())
    return read_reply()


read_reply()
send('EHLO alice-laptop')
if send('STARTTLS')[:3] == '220':
    print('TLS is not implemented in this lab, giving up')
    clientSocket.close()
    raise SystemExit(1)
if send('AUTH LOGIN')[:3] == '334':
    send(base64.b64encode(username.encode()).decode())
    send(base64.b64encode(password.encode()).decode())
send('MAIL FROM:<' + username + '>')
send('RCPT TO:<bob.teacher@gmail.com>')
send('DATA')
clientSocket.send('Subject: lab 3\r\n\r\nI love computer networks!\r\n.\r\n'.encode())
read_reply()
send('QUIT')
clientSocket.close()
