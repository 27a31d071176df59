import socket
import time

SERVER = ('127.0.0.1', 12000)

sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.settimeout(1.0)
rtts = []
lost = 0
for i in range(1, 11):
    start = time.time()
    sock.sendto(('Ping %d %f' % (i, start)).encode(), SERVER)
    try:
        data, addr = sock.recvfrom(1024)
    except socket.timeout as e:
        print('Request timed out')
        print(e)
        lost += 1
        continue
    elapsed = (time.time() - start) * 1000
    rtts.append(elapsed)
    print('%s   RTT = %.3f ms' % (data.decode(), elapsed))

if rtts:
    print('Minimum RTT = %.3f ms' % min(rtts))
    print('Maximum RTT = %.3f ms' % max(rtts))
    print('Average RTT = %.3f ms' % (sum(rtts) / len(rtts)))
print('Packet loss rate = %.0f%%' % (lost * 10.0))
