#include "net.h"

#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int tcp_connect(const char *host, const char *port)
{
    struct addrinfo hints, *res, *ai;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host, port, &hints, &res) != 0)
        return -1;
    int fd = -1;
    for (ai = res; ai != NULL; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd < 0)
            continue;
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
            break;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    return fd;
}

int read_reply(int fd, char *buf, size_t size)
{
    size_t used = 0;
    for (;;) {
        if (used + 1 >= size)
            return -1;
        ssize_t n = recv(fd, buf + used, 1, 0);
        if (n <= 0)
            return -1;
        used++;
        if (used >= 2 && buf[used - 2] == '\r' && buf[used - 1] == '\n') {
            buf[used] = '\0';
            /* a multi-line reply goes on while a '-' follows the code */
            if (used > 3 && buf[3] == '-') {
                used = 0;
                continue;
            }
            return atoi(buf);
        }
    }
}

int send_line(int fd, const char *line)
{
    char out[1024];
    int len = snprintf(out, sizeof out, "%s\r\n", line);
    return send(fd, out, (size_t)len, 0) == len ? 0 : -1;
}
