#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net.h"

void echo_client(int fd)
{
    char buf[8192];
    for (;;) {
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        ssize_t off = 0;
        while (off < n) {
            ssize_t w = send(fd, buf + off, (size_t)(n - off), MSG_NOSIGNAL);
            if (w < 0) {
                if (errno == EINTR)
                    continue;
                return;
            }
            off += w;
        }
    }
}
