/* Helpers shared by the echo client and server. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include "common.h"

int send_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
        if (n < 0)
            return -1;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

void die(const char *what)
{
    perror(what);
    exit(1);
}
