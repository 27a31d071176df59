/* UDP pinger server (Kurose & Ross, socket programming assignment 2), in C.
 *
 * Usage: ./UDPPingerServer [port]   (default 12000)
 * Answers each ping with the same datagram upper-cased, sent back to its sender, and drops
 * 30 % of the pings at random to simulate a lossy network.
 */
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define LOSS 0.3

int main(int argc, char *argv[]) {
    int port = argc > 1 ? atoi(argv[1]) : 12000;
    srand((unsigned)time(NULL) ^ (unsigned)getpid());

    int sock = socket(AF_INET, SOCK_DGRAM, 0);
    if (sock < 0) {
        perror("socket");
        return 1;
    }
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_ANY); /* every interface */
    addr.sin_port = htons(port);
    if (bind(sock, (struct sockaddr *)&addr, sizeof addr) < 0) {
        perror("bind");
        return 1;
    }

    for (;;) {
        char buf[1024];
        struct sockaddr_in client;
        socklen_t len = sizeof client;
        ssize_t n = recvfrom(sock, buf, sizeof buf, 0, (struct sockaddr *)&client, &len);
        if (n < 0) {
            perror("recvfrom");
            continue;
        }
        for (ssize_t i = 0; i < n; i++) /* bytes, not a C string: no strlen */
            buf[i] = toupper((unsigned char)buf[i]);
        if (rand() / (RAND_MAX + 1.0) < LOSS)
            continue; /* the ping is lost */
        if (sendto(sock, buf, n, 0, (struct sockaddr *)&client, len) < 0)
            perror("sendto");
    }
}
