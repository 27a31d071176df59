from socket import *

msg = "\r\n I love computer networks!"
endmsg = "\r\n.\r\n"

# Choose a mail server (e.g. Google mail server) and call it mailserver
mailserver = ("smtp.gmail.com", 25)

# Create socket called clientSocket and establish a TCP connection with mailserver
clientSocket = socket(AF_INET, SOCK_STREAM)
clientSocket.connect(mailserver)
replies = clientSocket.makefile('r', newline='')


def reply(expected):
    line = replies.readline()
    print(line, end='')
    if line[:3] != expected:
        print(expected + ' reply not received from server.')
    return line


reply('220')

# Send HELO command and print server response.
heloCommand = 'HELO Alice\r\n'
clientSocket.send(heloCommand.encode())
reply('250')

# Send MAIL FROM command and print server response.
clientSocket.send('MAIL FROM:<alice.student@gmail.com>\r\n'.encode())
reply('250')

# Send RCPT TO command and print server response.
clientSocket.send('RCPT TO:<bob.teacher@gmail.com>\r\n'.encode())
reply('250')

# Send DATA command and print server response.
clientSocket.send('DATA\r\n'.encode())
reply('354')

# Send message data.
clientSocket.send(('Subject: SMTP lab\r\n' + msg).encode())

# Message ends with a single period.
clientSocket.send(endmsg.encode())
reply('250')

# Send QUIT command and get server response.
clientSocket.send('QUIT\r\n'.encode())
reply('221')
clientSocket.close()
