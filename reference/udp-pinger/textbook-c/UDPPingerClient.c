/* UDPPingerClient.c: ten pings to 127.0.0.1:12000, one second timeout each. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

int main(void)
{
    int sock = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in server;
    struct timeval timeout = {1, 0};
    char message[64], reply[1025];

    memset(&server, 0, sizeof server);
    server.sin_family = AF_INET;
    server.sin_port = htons(12000);
    inet_pton(AF_INET, "127.0.0.1", &server.sin_addr);
    setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);

    for (int i = 1; i <= 10; i++) {
        struct timeval start, end;
        gettimeofday(&start, NULL);
        snprintf(message, sizeof message, "Ping %d %ld.%06ld", i, (long)start.tv_sec,
                 (long)start.tv_usec);
        sendto(sock, message, strlen(message), 0, (struct sockaddr *)&server, sizeof server);
        ssize_t n = recvfrom(sock, reply, sizeof reply - 1, 0, NULL, NULL);
        if (n < 0) {
            printf("Request timed out\n");
            perror("recvfrom");
            continue;
        }
        gettimeofday(&end, NULL);
        reply[n] = '\0';
        double rtt = (end.tv_sec - start.tv_sec) * 1000.0 + (end.tv_usec - start.tv_usec) / 1000.0;
        printf("Reply from 127.0.0.1: %s RTT: %.3f ms\n", reply, rtt);
        fflush(stdout);
    }
    close(sock);
    return 0;
}
