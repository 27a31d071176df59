import socket
import sys

host = sys.argv[1]
port = int(sys.argv[2])

s = socket.create_connection((host, port))
f = s.makefile('rb')


def command(line, code):
    if line is not None:
        s.sendall((line + '\n').encode())
    answer = f.readline().decode()
    print('S:', answer.strip())
    if not answer.startswith(code):
        print('unexpected reply')
        sys.exit(1)


command(None, '220')
command('HELO student.example.com', '250')
command('MAIL FROM:<alice@example.com>', '250')
command('RCPT TO:<bob@example.com>', '250')
command('DATA', '354')
s.sendall(b'Subject: test\n\nI love computer networks!\n')
command('.', '250')
command('QUIT', '221')
s.close()
