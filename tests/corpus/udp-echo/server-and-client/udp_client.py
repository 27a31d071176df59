import socket
import sys

message = ' '.join(sys.argv[1:]) or 'hello'
client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
client.settimeout(2)
client.sendto(message.encode(), ('127.0.0.1', 12000))
reply, _ = client.recvfrom(65535)
print(reply.decode())
