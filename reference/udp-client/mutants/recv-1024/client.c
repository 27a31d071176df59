/* UDP client: sends one message to a UDP server and prints its reply.
 *
 * Usage: ./client HOST PORT MESSAGE
 *
 * Model solution of the udp-client assignment. Sends MESSAGE (nothing added) as one datagram,
 * waits up to TIMEOUT_S seconds for one reply datagram, prints it followed by a newline and
 * exits 0. No reply in time: a message on stderr and exit code 1.
 */

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/types.h>
#include <unistd.h>

#define TIMEOUT_S 2
#define MAX_DATAGRAM 1024 /* BUG: a larger datagram is cut to 1024 bytes */

int main(int argc, char *argv[])
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s HOST PORT MESSAGE\n", argv[0]);
        return 2;
    }
    const char *host = argv[1], *port = argv[2], *message = argv[3];

    struct addrinfo hints, *server;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_DGRAM;
    int rc = getaddrinfo(host, port, &hints, &server);
    if (rc != 0) {
        fprintf(stderr, "error: %s: %s\n", host, gai_strerror(rc));
        return 1;
    }
    int fd = socket(server->ai_family, server->ai_socktype, server->ai_protocol);
    if (fd < 0) {
        perror("socket");
        freeaddrinfo(server);
        return 1;
    }
    /* UDP gives no guarantee: the datagram or the reply may be lost. Never wait forever:
     * with SO_RCVTIMEO, recvfrom fails with EAGAIN once the time is up. */
    struct timeval tv = {.tv_sec = TIMEOUT_S, .tv_usec = 0};
    if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0) {
        perror("setsockopt SO_RCVTIMEO");
        return 1;
    }
    size_t len = strlen(message);
    if (sendto(fd, message, len, 0, server->ai_addr, server->ai_addrlen) != (ssize_t)len) {
        perror("sendto");
        return 1;
    }
    freeaddrinfo(server);

    static char reply[MAX_DATAGRAM];
    ssize_t n;
    do {
        /* One recvfrom returns exactly one datagram. 0 is a valid, empty datagram. */
        n = recvfrom(fd, reply, sizeof reply, 0, NULL, NULL);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            fprintf(stderr, "timeout: no reply from %s port %s within %d s\n", host, port,
                    TIMEOUT_S);
        else
            fprintf(stderr, "error: recvfrom: %s\n", strerror(errno));
        close(fd);
        return 1;
    }
    fwrite(reply, 1, (size_t)n, stdout); /* n bytes, zero bytes included */
    putchar('\n');
    close(fd);
    return 0;
}
