# SMTP lab (Kurose & Ross), written for a mail server that wants a login (the lab's optional
# exercise: Gmail and the like): EHLO, then AUTH LOGIN with the user name and the password in
# base64, then the mail. One recv(1024) per reply, each reply printed. A server that offers no
# login answers AUTH with an error, and the client simply goes on.
from socket import *
import base64
import sys

username = "alice@crepes.fr"
password = "not-my-real-password"
msg = "\r\n I love computer networks!"
endmsg = "\r\n.\r\n"

mailserver = (sys.argv[1], int(sys.argv[2]))
clientSocket = socket(AF_INET, SOCK_STREAM)
clientSocket.connect(mailserver)
recv = clientSocket.recv(1024).decode()
print(recv)
if recv[:3] != '220':
    print('220 reply not received from server.')


def send_command(command, code):
    clientSocket.send(command.encode())
    reply = clientSocket.recv(1024).decode()
    print(reply)
    if reply[:3] != code:
        print(code + ' reply not received from server.')


send_command('EHLO Alice\r\n', '250')

# Log in: AUTH LOGIN, then the user name and the password, each in base64
send_command('AUTH LOGIN\r\n', '334')
send_command(base64.b64encode(username.encode()).decode() + '\r\n', '334')
send_command(base64.b64encode(password.encode()).decode() + '\r\n', '235')

send_command('MAIL FROM:<' + username + '>\r\n', '250')
send_command('RCPT TO:<bob@hamburger.edu>\r\n', '250')
send_command('DATA\r\n', '354')
clientSocket.send(msg.encode())
send_command(endmsg, '250')
send_command('QUIT\r\n', '221')
clientSocket.close()
