/* Bulletin client: ./client host port topic */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net.h"

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s host port topic\n", argv[0]);
        return 2;
    }
    int fd = connect_to(argv[1], argv[2]);
    if (fd < 0) {
        fprintf(stderr, "cannot connect to %s port %s: %s\n", argv[1], argv[2], strerror(errno));
        return 1;
    }
    char request[512];
    int len = snprintf(request, sizeof request, "GET %s\r\n", argv[3]);
    if (send(fd, request, (size_t)len, 0) != len) {
        perror("send");
        return 1;
    }
    char buf[4096];
    for (;;) {
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n == 0)
            break;
        if (n < 0) {
            fprintf(stderr, "recv: %s\n", strerror(errno));
            close(fd);
            return 1;
        }
        fwrite(buf, 1, (size_t)n, stdout);
        fflush(stdout);
    }
    close(fd);
    return 0;
}
