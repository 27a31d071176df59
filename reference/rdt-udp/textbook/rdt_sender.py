# rdt_sender.py - stop-and-wait sender over UDP (rdt 3.0 of the textbook), written the way
# students write it: from socket import *, one loop per packet, a timer as a deadline.
# Usage: python3 rdt_sender.py HOST PORT FILE
#
# A textbook-style model of the rdt-udp assignment: it must score full marks as it is. It
# prints a line of its own before the summary, and the summary with a capital S.
from socket import *
import sys
import time

serverName = sys.argv[1]
serverPort = int(sys.argv[2])
fileName = sys.argv[3]

f = open(fileName, 'rb')
data = f.read()
f.close()

pieces = []
for i in range(0, len(data), 100):
    pieces.append(data[i:i + 100])

packets = []
for seq in range(len(pieces)):
    packets.append(('DATA ' + str(seq) + '\n').encode() + pieces[seq])
packets.append(('END ' + str(len(pieces))).encode())

clientSocket = socket(AF_INET, SOCK_DGRAM)
print('Sending', fileName, 'to', serverName, 'port', serverPort)
retransmissions = 0

for seq in range(len(packets)):
    acked = False
    tries = 0
    while not acked:
        if tries == 5:
            print('No ACK for packet', seq, 'after 5 tries, giving up', file=sys.stderr)
            sys.exit(1)
        clientSocket.sendto(packets[seq], (serverName, serverPort))
        if tries > 0:
            retransmissions += 1
        tries += 1
        deadline = time.time() + 0.5
        while time.time() < deadline:
            clientSocket.settimeout(deadline - time.time())
            try:
                message, serverAddress = clientSocket.recvfrom(2048)
            except timeout:
                break
            except ValueError:  # the deadline passed just now: settimeout got a negative time
                break
            if message.decode().strip() == 'ACK ' + str(seq):
                acked = True
                break
            # an ACK with another number is a duplicate: keep waiting for ours

print('Sent', len(data), 'bytes in', len(pieces), 'packets,', retransmissions, 'retransmissions')
clientSocket.close()
