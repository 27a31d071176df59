/* TCP echo server: sends back every byte each client sends, to many clients at once.
 *
 * Usage: ./server PORT
 *
 * Model solution of the tcp-echo assignment. One detached thread per client; each thread
 * echoes until its client closes its sending side, then closes the connection.
 */

#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Bytes asked of each recv. Any size is correct: recv returns whatever has arrived, at most
 * this much. */
#define BUFFER_SIZE 65536

/* Send all len bytes of buf. send may send fewer bytes than asked (the socket's buffer is
 * nearly full) or be interrupted by a signal (EINTR), so loop until everything is sent.
 * Returns 0, or -1 with errno set. */
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

/* Thread body: echo everything one client sends until it closes its side, then close ours. */
static void *serve_client(void *arg)
{
    int fd = (int)(intptr_t)arg;
    char buf[BUFFER_SIZE];

    for (;;) {
        ssize_t received = recv(fd, buf, sizeof buf, 0);
        if (received == 0)
            break; /* the client shut down its sending side: nothing more will come */
        if (received < 0) {
            if (errno == EINTR)
                continue;
            /* e.g. ECONNRESET: the client aborted. That ends this client, not the server. */
            perror("recv");
            break;
        }
        /* buf holds received bytes, which may be part of what the client sent or several of
         * its writes at once, and may contain zero bytes: echo exactly `received` bytes. */
        if (send_all(fd, buf, (size_t)received) < 0) {
            perror("send"); /* e.g. EPIPE or ECONNRESET: the client is gone */
            break;
        }
    }
    close(fd);
    return NULL;
}

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

    /* Sending to a client that has reset the connection raises SIGPIPE, whose default action
     * kills the whole process. Ignore it: send then fails with EPIPE, handled per client.
     * (On Linux, send(..., MSG_NOSIGNAL) does the same for one call.) */
    signal(SIGPIPE, SIG_IGN);

    int listener = socket(AF_INET, SOCK_STREAM, 0);
    if (listener < 0) {
        perror("socket");
        return 1;
    }
    /* Without SO_REUSEADDR, bind fails with EADDRINUSE for about a minute after a server
     * that had open connections stops (they linger in TIME_WAIT). Set it before bind. */
    int on = 1;
    if (setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) < 0) {
        perror("setsockopt SO_REUSEADDR");
        return 1;
    }

    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_ANY); /* every interface of the machine */
    addr.sin_port = htons((uint16_t)port);
    if (bind(listener, (struct sockaddr *)&addr, sizeof addr) < 0) {
        perror("bind");
        return 1;
    }
    if (listen(listener, SOMAXCONN) < 0) {
        perror("listen");
        return 1;
    }
    printf("listening on port %ld\n", port);
    fflush(stdout); /* stdout is buffered when it is not a terminal */

    for (;;) {
        int fd = accept(listener, NULL, NULL);
        if (fd < 0) {
            /* A client that gave up before we accepted it, or a signal: not fatal. */
            if (errno != EINTR && errno != ECONNABORTED)
                perror("accept");
            continue;
        }
        /* One thread per client, so that an idle or slow client never holds up the others.
         * Detached: nobody joins it, its resources are freed when it returns. */
        pthread_t thread;
        int err = pthread_create(&thread, NULL, serve_client, (void *)(intptr_t)fd);
        if (err != 0) {
            fprintf(stderr, "pthread_create: %s\n", strerror(err));
            close(fd);
            continue;
        }
        pthread_detach(thread);
    }
}
