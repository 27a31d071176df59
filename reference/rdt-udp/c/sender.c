/* Stop-and-wait file sender over UDP: DATA <seq>, wait for ACK <seq>, retransmit on timeout. */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define CHUNK 100        /* bytes of the file per DATA packet */
#define TIMEOUT_MS 500   /* before a packet is sent again */
#define TRIES 5          /* transmissions of one packet before giving up */

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Send until "ACK <seq>" arrives: the number of retransmissions, or -1. */
static int send_reliably(int fd, const struct sockaddr *to, socklen_t tolen,
                         const char *packet, size_t len, long seq) {
    char expected[32], reply[2048];
    snprintf(expected, sizeof expected, "ACK %ld", seq);
    for (int attempt = 0; attempt < TRIES; attempt++) {
        if (sendto(fd, packet, len, 0, to, tolen) < 0) {
            perror("sendto");
            return -1;
        }
        double deadline = now() + TIMEOUT_MS / 1000.0;
        double left;
        while ((left = deadline - now()) > 0) {
            struct timeval tv = {(time_t)left, (suseconds_t)((left - (time_t)left) * 1e6)};
            if (tv.tv_sec == 0 && tv.tv_usec == 0) tv.tv_usec = 1;
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
            ssize_t n = recvfrom(fd, reply, sizeof reply - 1, 0, NULL, NULL);
            if (n < 0) {
                if (errno == EAGAIN || errno == EWOULDBLOCK) break;
                if (errno == EINTR || errno == ECONNREFUSED) continue;
                perror("recvfrom");
                return -1;
            }
            while (n > 0 && (reply[n - 1] == '\n' || reply[n - 1] == '\r')) n--;
            reply[n] = '\0';
            if (strcmp(reply, expected) == 0) return attempt;
            /* a duplicate or stale ACK: keep waiting for ours */
        }
    }
    return -1;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s HOST PORT FILE\n", argv[0]);
        return 2;
    }
    FILE *f = fopen(argv[3], "rb");
    if (!f) {
        perror(argv[3]);
        return 1;
    }
    static char data[1 << 20];
    size_t size = fread(data, 1, sizeof data, f);
    fclose(f);

    struct addrinfo hints = {0}, *ai;
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_DGRAM;
    int rc = getaddrinfo(argv[1], argv[2], &hints, &ai);
    if (rc != 0) {
        fprintf(stderr, "%s: %s\n", argv[1], gai_strerror(rc));
        return 1;
    }
    int fd = socket(ai->ai_family, ai->ai_socktype, 0);
    if (fd < 0) {
        perror("socket");
        return 1;
    }
    long packets = (long)((size + CHUNK - 1) / CHUNK);
    int retransmissions = 0;
    char packet[CHUNK + 32];
    for (long seq = 0; seq <= packets; seq++) {
        size_t len;
        if (seq < packets) {
            size_t off = (size_t)seq * CHUNK;
            size_t n = size - off < CHUNK ? size - off : CHUNK;
            len = (size_t)snprintf(packet, sizeof packet, "DATA %ld\n", seq);
            memcpy(packet + len, data + off, n);
            len += n;
        } else {
            len = (size_t)snprintf(packet, sizeof packet, "END %ld", packets);
        }
        int again = send_reliably(fd, ai->ai_addr, ai->ai_addrlen, packet, len, seq);
        if (again < 0) {
            fprintf(stderr, "error: no ACK %ld after %d tries; giving up\n", seq, TRIES);
            return 1;
        }
        retransmissions += again;
    }
    printf("sent %zu bytes in %ld packets, %d retransmissions\n", size, packets, retransmissions);
    freeaddrinfo(ai);
    close(fd);
    return 0;
}
