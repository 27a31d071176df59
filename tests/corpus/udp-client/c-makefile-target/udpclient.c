/* ./udpclient host port message : one datagram, one reply, 2 s timeout */
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static char reply[65536];

int main(int argc, char *argv[])
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s host port message\n", argv[0]);
        return 2;
    }
    struct addrinfo hints, *ai;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_DGRAM;
    if (getaddrinfo(argv[1], argv[2], &hints, &ai) != 0) {
        fprintf(stderr, "unknown host %s\n", argv[1]);
        return 1;
    }
    int s = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    struct timeval tv = {2, 0};
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sendto(s, argv[3], strlen(argv[3]), 0, ai->ai_addr, ai->ai_addrlen);
    freeaddrinfo(ai);
    ssize_t n = recvfrom(s, reply, sizeof reply, 0, NULL, NULL);
    if (n < 0) {
        fprintf(stderr, "timeout: no reply within 2 s\n");
        return 1;
    }
    fwrite(reply, 1, (size_t)n, stdout);
    putchar('\n');
    close(s);
    return 0;
}
