/* UDP pinger client: 10 pings to 127.0.0.1:12000, 1 s timeout each. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "timing.h"

#define SERVER_IP "127.0.0.1"
#define SERVER_PORT 12000

int main(void)
{
    int sock = socket(AF_INET, SOCK_DGRAM, 0);
    if (sock < 0) {
        perror("socket");
        return 1;
    }
    struct timeval tv = {1, 0};
    setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);

    struct sockaddr_in server;
    memset(&server, 0, sizeof server);
    server.sin_family = AF_INET;
    server.sin_port = htons(SERVER_PORT);
    inet_pton(AF_INET, SERVER_IP, &server.sin_addr);

    double min = 0, max = 0, sum = 0;
    int received = 0;
    for (int seq = 1; seq <= 10; seq++) {
        char msg[64], reply[1025];
        double sent = now_seconds();
        int len = snprintf(msg, sizeof msg, "Ping %d %.6f", seq, sent);
        sendto(sock, msg, (size_t)len, 0, (struct sockaddr *)&server, sizeof server);
        ssize_t n = recvfrom(sock, reply, sizeof reply - 1, 0, NULL, NULL);
        if (n < 0) {
            printf("Request timed out\n");
            continue;
        }
        double rtt = now_seconds() - sent;
        reply[n] = '\0';
        printf("%s  RTT: %.6f s\n", reply, rtt);
        if (received == 0 || rtt < min)
            min = rtt;
        if (received == 0 || rtt > max)
            max = rtt;
        sum += rtt;
        received++;
    }
    if (received > 0)
        printf("min %.6f s, avg %.6f s, max %.6f s\n", min, sum / received, max);
    printf("loss: %.0f%%\n", 100.0 * (10 - received) / 10);
    close(sock);
    return 0;
}
