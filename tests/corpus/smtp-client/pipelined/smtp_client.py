import socket
import sys

host, port = sys.argv[1], int(sys.argv[2])
conn = socket.create_connection((host, port))
replies = conn.makefile('rb')
print(replies.readline().decode().strip())

# send the whole transaction in one go, then read the answers
commands = (
    'HELO client.example.com\r\n'
    'MAIL FROM:<alice@example.com>\r\n'
    'RCPT TO:<bob@example.com>\r\n'
    'DATA\r\n'
    'Subject: Hello\r\n\r\nI love computer networks!\r\n.\r\n'
    'QUIT\r\n'
)
conn.sendall(commands.encode())
for _ in range(6):
    line = replies.readline()
    if not line:
        break
    print(line.decode().strip())
conn.close()
