# SMTP lab (Kurose & Ross): a mail client that talks to the mail server directly.
# Written the way the textbook's skeleton has students write it: one file, one recv(1024)
# per reply, each reply printed, a warning printed when a code is not the expected one.
# The one change from the skeleton: the mail server comes from the command line.
from socket import *
import sys

msg = "\r\n I love computer networks!"
endmsg = "\r\n.\r\n"

# The mail server to talk to, and its port
mailserver = (sys.argv[1], int(sys.argv[2]))

# Open a TCP connection to the mail server
clientSocket = socket(AF_INET, SOCK_STREAM)
clientSocket.connect(mailserver)

recv = clientSocket.recv(1024).decode()
print(recv)
if recv[:3] != '220':
    print('220 reply not received from server.')

# HELO, and the server's answer
heloCommand = 'HELO Alice\r\n'
clientSocket.send(heloCommand.encode())
recv1 = clientSocket.recv(1024).decode()
print(recv1)
if recv1[:3] != '250':
    print('250 reply not received from server.')

# MAIL FROM, and the server's answer
mailFrom = "MAIL FROM: <alice@crepes.fr>\r\n"
clientSocket.send(mailFrom.encode())
recv2 = clientSocket.recv(1024).decode()
print(recv2)
if recv2[:3] != '250':
    print('250 reply not received from server.')

# RCPT TO, and the server's answer
rcptTo = "RCPT TO: <bob@hamburger.edu>\r\n"
clientSocket.send(rcptTo.encode())
recv3 = clientSocket.recv(1024).decode()
print(recv3)
if recv3[:3] != '250':
    print('250 reply not received from server.')

# DATA, and the server's answer
data = "DATA\r\n"
clientSocket.send(data.encode())
recv4 = clientSocket.recv(1024).decode()
print(recv4)
if recv4[:3] != '354':
    print('354 reply not received from server.')

# The message itself
clientSocket.send(msg.encode())

# The message ends with a single period on a line
clientSocket.send(endmsg.encode())
recv5 = clientSocket.recv(1024).decode()
print(recv5)
if recv5[:3] != '250':
    print('250 reply not received from server.')

# QUIT, and the server's answer
quitCommand = "QUIT\r\n"
clientSocket.send(quitCommand.encode())
recv6 = clientSocket.recv(1024).decode()
print(recv6)
if recv6[:3] != '221':
    print('221 reply not received from server.')

clientSocket.close()
