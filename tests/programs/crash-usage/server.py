# Echo server that wants a host and a port.
import socket
import sys

if len(sys.argv) != 3:
    print(f"Usage: {sys.argv[0]} HOST PORT", file=sys.stderr)
    sys.exit(1)
listener = socket.socket()
listener.bind((sys.argv[1], int(sys.argv[2])))
listener.listen()
while True:
    conn, _ = listener.accept()
    conn.sendall(conn.recv(4096))
    conn.close()
