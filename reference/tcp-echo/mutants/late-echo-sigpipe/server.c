/* TCP echo server (mutant: answers 200 ms late, retries failed sends, dies of SIGPIPE).
 *
 * Usage: ./server PORT
 *
 * BUG: SIGPIPE is left at its default action (kill the process) and a failed send is retried
 * as if it were EINTR. The server answers each recv 0.2 s late (it throttles itself): a client
 * that resets before its echo is sent makes send fail with ECONNRESET, the retry then raises
 * SIGPIPE, and the whole server dies. Before issue 9 item 6 the reset test paused 0.2 s before
 * the reset, so this server sent its echo in time and passed.
 */

#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BUFFER_SIZE 65536

static void send_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t sent = send(fd, buf, len, 0);
        if (sent < 0)
            continue; /* BUG: every error is retried, as EINTR should be */
        buf += sent;
        len -= (size_t)sent;
    }
}

static void *serve_client(void *arg)
{
    int fd = (int)(intptr_t)arg;
    char buf[BUFFER_SIZE];
    const struct timespec pause = {0, 200 * 1000 * 1000};

    for (;;) {
        ssize_t received = recv(fd, buf, sizeof buf, 0);
        if (received == 0)
            break;
        if (received < 0) {
            if (errno == EINTR)
                continue;
            perror("recv");
            break;
        }
        nanosleep(&pause, NULL); /* throttled: each echo goes out 0.2 s late */
        send_all(fd, buf, (size_t)received);
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
    int port = atoi(argv[1]);
    /* BUG: no signal(SIGPIPE, SIG_IGN) */
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    int on = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_ANY);
    addr.sin_port = htons((uint16_t)port);
    if (bind(listener, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(listener, SOMAXCONN) < 0) {
        perror("bind/listen");
        return 1;
    }
    printf("listening on port %d\n", port);
    fflush(stdout);
    for (;;) {
        int fd = accept(listener, NULL, NULL);
        if (fd < 0)
            continue;
        pthread_t thread;
        if (pthread_create(&thread, NULL, serve_client, (void *)(intptr_t)fd) != 0) {
            close(fd);
            continue;
        }
        pthread_detach(thread);
    }
}
