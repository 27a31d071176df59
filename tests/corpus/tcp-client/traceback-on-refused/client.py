import socket
import sys

host, port, topic = sys.argv[1], int(sys.argv[2]), sys.argv[3]
sock = socket.create_connection((host, port))
sock.sendall(f'GET {topic}\r\n'.encode())
try:
    while True:
        chunk = sock.recv(4096)
        if not chunk:
            break
        sys.stdout.buffer.write(chunk)
        sys.stdout.flush()
except ConnectionResetError as e:
    print('error:', e, file=sys.stderr)
    sys.exit(1)
sock.close()
