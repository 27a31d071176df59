/* UDP pinger client (Kurose & Ross, socket programming assignment 2), in C.
 *
 * Usage: ./UDPPingerClient [host] [port]   (default: localhost 12000)
 * Sends ten pings "Ping <seq> <time>", waits at most one second for each reply, prints the
 * reply and its round-trip time or "Request timed out", then the statistics.
 */
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define PINGS 10

static double now(void) {
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return tv.tv_sec + tv.tv_usec / 1e6;
}

int main(int argc, char *argv[]) {
    const char *host = argc > 1 ? argv[1] : "localhost";
    const char *port = argc > 2 ? argv[2] : "12000";

    struct addrinfo hints = {0}, *server;
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_DGRAM;
    int rc = getaddrinfo(host, port, &hints, &server);
    if (rc != 0) {
        fprintf(stderr, "%s: %s\n", host, gai_strerror(rc));
        return 1;
    }
    int sock = socket(server->ai_family, SOCK_DGRAM, 0);
    if (sock < 0) {
        perror("socket");
        return 1;
    }
    struct timeval timeout = {1, 0}; /* one second */
    if (setsockopt(sock, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout) < 0) {
        perror("setsockopt");
        return 1;
    }

    double min = 0, max = 0, sum = 0;
    int received = 0;
    for (int seq = 1; seq <= PINGS; seq++) {
        char message[64], reply[1024];
        double sent = now();
        int len = snprintf(message, sizeof message, "Ping %d %.6f", seq, sent);
        if (sendto(sock, message, len, 0, server->ai_addr, server->ai_addrlen) < 0) {
            perror("sendto");
            return 1;
        }
        ssize_t n = recvfrom(sock, reply, sizeof reply - 1, 0, NULL, NULL);
        if (n < 0) {
            printf("Request timed out\n");
            continue;
        }
        double rtt = now() - sent;
        reply[n] = '\0';
        printf("%s  RTT = %.6f s\n", reply, rtt);
        if (received == 0 || rtt < min) min = rtt;
        if (received == 0 || rtt > max) max = rtt;
        sum += rtt;
        received++;
    }
    close(sock);
    freeaddrinfo(server);

    if (received > 0)
        printf("min RTT = %.6f s, avg RTT = %.6f s, max RTT = %.6f s\n", min, sum / received, max);
    printf("packet loss: %.0f%%\n", 100.0 * (PINGS - received) / PINGS);
    return 0;
}
