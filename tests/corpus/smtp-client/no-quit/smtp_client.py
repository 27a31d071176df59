import socket
import sys

server = (sys.argv[1], int(sys.argv[2]))
sock = socket.create_connection(server)
reader = sock.makefile('rb')


def get_reply():
    line = reader.readline().decode()
    print(line.rstrip())
    return line


get_reply()
for cmd in ['HELO me', 'MAIL FROM:<alice@example.com>', 'RCPT TO:<bob@example.com>', 'DATA']:
    sock.sendall((cmd + '\r\n').encode())
    get_reply()
sock.sendall(b'Subject: Hello\r\n\r\nI love computer networks!\r\n.\r\n')
get_reply()
sock.close()
