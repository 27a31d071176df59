/* Bulletin client without error checks (mutant of the tcp-client model). */

#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s HOST PORT TOPIC\n", argv[0]);
        return 2;
    }
    struct addrinfo hints, *ai;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(argv[1], argv[2], &hints, &ai) != 0)
        return 1;
    int fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    connect(fd, ai->ai_addr, ai->ai_addrlen); /* BUG: the result is not checked */
    freeaddrinfo(ai);

    char request[1024];
    int len = snprintf(request, sizeof request, "GET %s\r\n", argv[3]);
    send(fd, request, (size_t)len, MSG_NOSIGNAL);

    char buf[65536];
    ssize_t n;
    /* BUG: an error (-1) ends the loop like the end of the answer: exit code 0, no message */
    while ((n = recv(fd, buf, sizeof buf, 0)) > 0) {
        fwrite(buf, 1, (size_t)n, stdout);
        fflush(stdout);
    }
    close(fd);
    return 0;
}
