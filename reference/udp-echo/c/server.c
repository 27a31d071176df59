/* UDP echo server: sends every datagram back to the address it came from.
 *
 * Usage: ./server PORT
 *
 * Model solution of the udp-echo assignment. One socket serves every client: each recvfrom
 * returns one whole datagram and who sent it, and the reply goes to exactly that address.
 */

#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* The largest UDP datagram (65 507 bytes of payload over IPv4) must fit: a datagram larger
 * than the buffer is cut, and the rest is lost for good. */
#define MAX_DATAGRAM 65535

int main(int argc, char *argv[])
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PORT\n", argv[0]);
        return 2;
    }
    char *end;
    long port = strtol(argv[1], &end, 10);
    if (*argv[1] == '\0' || *end != '\0' || port < 1 || port > 65535) {
        fprintf(stderr, "%s: not a port number: %s\n", argv[0], argv[1]);
        return 2;
    }
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) {
        perror("socket");
        return 1;
    }
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_ANY); /* every interface of the machine */
    addr.sin_port = htons((uint16_t)port);
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
        perror("bind");
        return 1;
    }
    printf("UDP echo server on port %ld\n", port);
    fflush(stdout);

    static char buf[MAX_DATAGRAM];
    for (;;) {
        struct sockaddr_storage sender;
        socklen_t sender_len = sizeof sender; /* reset each time: recvfrom overwrites it */
        /* One datagram, whole, and its sender. n == 0 is an empty datagram, not an error. */
        ssize_t n = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&sender, &sender_len);
        if (n < 0) {
            if (errno != EINTR)
                perror("recvfrom"); /* e.g. an ICMP error for an earlier reply: not fatal */
            continue;
        }
        /* Exactly n bytes (they may contain zero bytes), back to the sender, from this
         * socket: the client expects the reply from the address it sent to. */
        if (sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&sender, sender_len) < 0)
            perror("sendto");
    }
}
