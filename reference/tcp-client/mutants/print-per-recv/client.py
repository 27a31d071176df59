# Mutant of the tcp-client assignment: see mutant.yaml for its one bug.
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
try:
    s.connect((sys.argv[1], int(sys.argv[2])))
    s.sendall(("GET " + sys.argv[3] + "\r\n").encode())
    while True:
        data = s.recv(1024)
        if not data:
            break
        print(data.decode())
except OSError as e:
    print("error:", e, file=sys.stderr)
    sys.exit(1)
