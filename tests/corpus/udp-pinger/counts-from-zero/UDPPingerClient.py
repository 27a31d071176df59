import socket
import time

clientSocket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
clientSocket.settimeout(1)
addr = ('localhost', 12000)

for seq in range(10):
    t0 = time.time()
    clientSocket.sendto(f'Ping {seq} {t0}'.encode(), addr)
    try:
        data, _ = clientSocket.recvfrom(1024)
        print(f'{data.decode()}  RTT = {time.time() - t0:.6f} s')
    except socket.timeout:
        print('Request timed out')
