import socket
import sys

host, port, message = sys.argv[1], int(sys.argv[2]), sys.argv[3]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(message.encode(), (host, port))
try:
    data, addr = s.recvfrom(65535)
except socket.timeout:
    print('timeout', file=sys.stderr)
    sys.exit(1)
print(data.decode())
