# Mutant of the tcp-client assignment: see mutant.yaml for its one bug.
import socket, sys
try:
    s = socket.create_connection((sys.argv[1], int(sys.argv[2])))
    s.sendall(("GET " + sys.argv[3] + "\r\n").encode())
    f = s.makefile("r")
    for line in f:
        print(line, end="", flush=True)
except OSError as e:
    print("error:", e, file=sys.stderr)
    sys.exit(1)
