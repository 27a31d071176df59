# UDPPingerClient.py
# Sends 10 pings to the UDP pinger server and prints the reply and the RTT of each,
# or "Request timed out" when no reply comes within one second.
from socket import *
import time

serverName = 'localhost'
serverPort = 12000

clientSocket = socket(AF_INET, SOCK_DGRAM)
clientSocket.settimeout(1)

for i in range(1, 11):
    sendTime = time.time()
    message = 'Ping ' + str(i) + ' ' + str(sendTime)
    clientSocket.sendto(message.encode(), (serverName, serverPort))
    try:
        modifiedMessage, serverAddress = clientSocket.recvfrom(1024)
        rtt = time.time() - sendTime
        print('Reply from ' + serverAddress[0] + ': ' + modifiedMessage.decode() + ' RTT: ' + str(rtt))
    except timeout as e:
        print('Request timed out')
        print(e)

clientSocket.close()
