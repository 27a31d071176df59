/* Go-back-N file sender over UDP: a window of 4 packets, cumulative ACKs, one timer. */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define CHUNK 100      /* bytes of the file per DATA packet */
#define WINDOW 4       /* packets sent and not yet acknowledged, at most */
#define TIMEOUT 0.5    /* seconds without progress before the window is sent again */
#define TRIES 5        /* timeouts in a row before giving up */
#define MAX_FILE (1 << 20)

static char data[MAX_FILE];
static size_t size;
static long count;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Packet k (from 1) is DATA k; packet count + 1 is END. */
static size_t packet(long k, char *out, size_t room) {
    if (k > count) return (size_t)snprintf(out, room, "END %ld", count + 1);
    size_t off = (size_t)(k - 1) * CHUNK;
    size_t n = size - off < CHUNK ? size - off : CHUNK;
    size_t len = (size_t)snprintf(out, room, "DATA %ld\n", k);
    memcpy(out + len, data + off, n);
    return len + n;
}

static int send_packet(int fd, const struct addrinfo *ai, long k) {
    char buf[CHUNK + 32];
    size_t len = packet(k, buf, sizeof buf);
    if (sendto(fd, buf, len, 0, ai->ai_addr, ai->ai_addrlen) < 0) {
        perror("sendto");
        return -1;
    }
    return 0;
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
    size = fread(data, 1, sizeof data, f);
    fclose(f);
    count = (long)((size + CHUNK - 1) / CHUNK);

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
    long base = 1, next = 1;
    int retransmissions = 0, timeouts = 0;
    double deadline = 0;
    while (base <= count + 1) {
        long limit = base <= count ? count : count + 1; /* END waits for every DATA's ACK */
        while (next < base + WINDOW && next <= limit) {
            if (send_packet(fd, ai, next) < 0) return 1;
            if (base == next) deadline = now() + TIMEOUT;
            next++;
        }
        double left = deadline - now();
        if (left <= 0) {
            if (++timeouts >= TRIES) {
                fprintf(stderr, "error: no progress after %d timeouts; giving up\n", TRIES);
                return 1;
            }
            for (long k = base; k < next; k++) { /* go back N: the whole window again */
                if (send_packet(fd, ai, k) < 0) return 1;
                retransmissions++;
            }
            deadline = now() + TIMEOUT;
            continue;
        }
        struct timeval tv = {(time_t)left, (suseconds_t)((left - (time_t)left) * 1e6)};
        if (tv.tv_sec == 0 && tv.tv_usec == 0) tv.tv_usec = 1;
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        char reply[2048];
        ssize_t n = recvfrom(fd, reply, sizeof reply - 1, 0, NULL, NULL);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ||
                errno == ECONNREFUSED)
                continue;
            perror("recvfrom");
            return 1;
        }
        reply[n] = '\0';
        long acked;
        char extra;
        if (sscanf(reply, "ACK %ld %c", &acked, &extra) != 1) continue;
        if (acked >= base && acked < next) { /* cumulative: 1..acked have all arrived */
            base = acked + 1;
            timeouts = 0;
            deadline = now() + TIMEOUT;
        }
    }
    printf("sent %zu bytes in %ld packets, %d retransmissions\n", size, count, retransmissions);
    freeaddrinfo(ai);
    close(fd);
    return 0;
}
