# gbn_sender.py - go-back-N sender over UDP, written the way students write the textbook's
# GBN sender (Kurose & Ross, figure 3.20): base, nextseqnum, one timer, resend the window.
# Usage: python3 gbn_sender.py HOST PORT FILE
#
# A textbook-style model of the rdt-gbn assignment: it must score full marks as it is. It
# prints a line of its own before the summary, and the summary with a capital S.
from socket import *
import sys
import time

N = 4
serverName = sys.argv[1]
serverPort = int(sys.argv[2])

f = open(sys.argv[3], 'rb')
data = f.read()
f.close()

sndpkt = {}
npackets = (len(data) + 99) // 100
for k in range(1, npackets + 1):
    sndpkt[k] = ('DATA ' + str(k) + '\n').encode() + data[(k - 1) * 100:k * 100]
sndpkt[npackets + 1] = ('END ' + str(npackets + 1)).encode()

clientSocket = socket(AF_INET, SOCK_DGRAM)
print('Sending', npackets, 'packets to', serverName, 'port', serverPort)

base = 1
nextseqnum = 1
timer = None  # the deadline of the one timer, or None when it is stopped
timeouts = 0
retransmissions = 0

while base <= npackets + 1:
    last = npackets if base <= npackets else npackets + 1  # END only after every DATA
    while nextseqnum < base + N and nextseqnum <= last:
        clientSocket.sendto(sndpkt[nextseqnum], (serverName, serverPort))
        if base == nextseqnum:
            timer = time.time() + 0.5  # start_timer
        nextseqnum += 1

    if time.time() >= timer:  # timeout: resend every packet not yet acknowledged
        timeouts += 1
        if timeouts == 5:
            print('No progress after 5 timeouts, giving up', file=sys.stderr)
            sys.exit(1)
        for k in range(base, nextseqnum):
            clientSocket.sendto(sndpkt[k], (serverName, serverPort))
            retransmissions += 1
        timer = time.time() + 0.5
        continue

    clientSocket.settimeout(max(timer - time.time(), 0.001))
    try:
        message, serverAddress = clientSocket.recvfrom(2048)
    except timeout:
        continue
    words = message.decode().split()
    if len(words) == 2 and words[0] == 'ACK' and words[1].isdigit():
        acknum = int(words[1])
        if acknum >= base:  # cumulative: everything up to acknum has arrived
            base = acknum + 1
            timeouts = 0
            timer = time.time() + 0.5  # restart the timer when base moves

print('Sent', len(data), 'bytes in', npackets, 'packets,', retransmissions, 'retransmissions')
clientSocket.close()
