# Mutant of the udp-client assignment: see mutant.yaml for its one bug.
from socket import *
import sys
s = socket(AF_INET, SOCK_DGRAM)
s.settimeout(2)
s.sendto(sys.argv[3].encode(), (sys.argv[1], int(sys.argv[2])))
try:
    m, a = s.recvfrom(65535)
except timeout:
    print('Request timed out', file=sys.stderr)
    sys.exit(1)
print('From Server:', m.decode())
