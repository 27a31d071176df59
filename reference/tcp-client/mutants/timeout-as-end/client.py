# Mutant of the tcp-client assignment: see mutant.yaml for its one bug.
import socket, sys
try:
    s = socket.create_connection((sys.argv[1], int(sys.argv[2])))
    s.settimeout(3)
    s.sendall(("GET " + sys.argv[3] + "\r\n").encode())
    while True:
        try:
            data = s.recv(65536)
        except socket.timeout:
            break
        if not data:
            break
        sys.stdout.buffer.write(data); sys.stdout.flush()
except OSError as e:
    print("error:", e, file=sys.stderr)
    sys.exit(1)
