/* Chat server: relays each line a client sends to every other client, prefixed by its nickname.
 *
 * Usage: ./chat_server PORT
 *
 * Model solution of the chat-server assignment. One thread, one poll loop: every socket is
 * non-blocking, each client has its own input buffer (bytes received but not yet a whole
 * line) and output buffer (bytes not yet sent), so a client that sends slowly, says nothing,
 * or never reads holds up no one.
 */

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_CLIENTS 1024
#define MAX_LINE 65536                     /* a longer line is cut into pieces */
#define MAX_BACKLOG (64L * 1024 * 1024)    /* unread chat a client may have waiting */

struct client {
    int fd;           /* -1: free slot */
    char nick[64];    /* empty until the first line has arrived */
    int named;
    char in[MAX_LINE]; /* received, not yet a whole line */
    size_t in_len;
    char *out;        /* to send, not yet sent: out[out_start .. out_len) */
    size_t out_start, out_len, out_cap;
};

static struct client clients[MAX_CLIENTS];

static void drop(struct client *c);

/* Queue bytes for one client; the poll loop sends them when its socket is writable. */
static void queue(struct client *c, const char *data, size_t len)
{
    if (c->out_len - c->out_start + len > (size_t)MAX_BACKLOG) {
        drop(c); /* it does not read: let it go rather than hold its backlog forever */
        return;
    }
    if (c->out_start > 0 && c->out_len + len > c->out_cap) { /* reuse the sent part first */
        memmove(c->out, c->out + c->out_start, c->out_len - c->out_start);
        c->out_len -= c->out_start;
        c->out_start = 0;
    }
    if (c->out_len + len > c->out_cap) {
        size_t cap = c->out_cap ? c->out_cap : 4096;
        while (cap < c->out_len + len)
            cap *= 2;
        char *grown = realloc(c->out, cap);
        if (grown == NULL) {
            drop(c);
            return;
        }
        c->out = grown;
        c->out_cap = cap;
    }
    memcpy(c->out + c->out_len, data, len);
    c->out_len += len;
}

/* Queue a message for every named client but the sender. */
static void broadcast(const struct client *sender, const char *data, size_t len)
{
    for (int i = 0; i < MAX_CLIENTS; i++) {
        struct client *c = &clients[i];
        if (c->fd >= 0 && c != sender && c->named)
            queue(c, data, len);
    }
}

static void drop(struct client *c)
{
    if (c->fd < 0)
        return;
    close(c->fd);
    c->fd = -1;
    free(c->out);
    c->out = NULL;
    c->out_start = c->out_len = c->out_cap = 0;
    c->in_len = 0;
    if (c->named) {
        c->named = 0;
        char notice[128];
        int n = snprintf(notice, sizeof notice, "* %s left\n", c->nick);
        broadcast(c, notice, (size_t)n);
    }
}

/* Handle one complete line (without its \n) from client c. */
static void on_line(struct client *c, char *line, size_t len)
{
    if (len > 0 && line[len - 1] == '\r')
        len--;
    if (!c->named) {
        if (len >= sizeof c->nick)
            len = sizeof c->nick - 1;
        memcpy(c->nick, line, len);
        c->nick[len] = '\0';
        c->named = 1;
        return;
    }
    size_t nick_len = strlen(c->nick);
    char *message = malloc(nick_len + 2 + len + 1);
    if (message == NULL)
        return;
    memcpy(message, c->nick, nick_len);
    memcpy(message + nick_len, ": ", 2);
    memcpy(message + nick_len + 2, line, len);
    message[nick_len + 2 + len] = '\n';
    broadcast(c, message, nick_len + 2 + len + 1);
    free(message);
}

static void on_readable(struct client *c)
{
    ssize_t n = recv(c->fd, c->in + c->in_len, sizeof c->in - c->in_len, 0);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return;
    if (n <= 0) { /* 0: the client left; < 0: e.g. ECONNRESET, it aborted */
        drop(c);
        return;
    }
    /* recv returns whatever has arrived: part of a line, or several lines. */
    c->in_len += (size_t)n;
    size_t start = 0;
    for (size_t i = 0; i < c->in_len && c->fd >= 0; i++) {
        if (c->in[i] == '\n') {
            on_line(c, c->in + start, i - start);
            start = i + 1;
        }
    }
    if (c->fd < 0)
        return;
    if (start == 0 && c->in_len == sizeof c->in) { /* a line longer than the buffer */
        on_line(c, c->in, c->in_len);
        start = c->in_len;
    }
    memmove(c->in, c->in + start, c->in_len - start);
    c->in_len -= start;
}

static void on_writable(struct client *c)
{
    ssize_t n = send(c->fd, c->out + c->out_start, c->out_len - c->out_start, MSG_NOSIGNAL);
    if (n < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            drop(c);
        return;
    }
    c->out_start += (size_t)n;
    if (c->out_start == c->out_len)
        c->out_start = c->out_len = 0;
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
    signal(SIGPIPE, SIG_IGN); /* a client that has gone away must not kill the server */

    int listener = socket(AF_INET, SOCK_STREAM, 0);
    if (listener < 0) {
        perror("socket");
        return 1;
    }
    int on = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_ANY);
    addr.sin_port = htons((uint16_t)port);
    if (bind(listener, (struct sockaddr *)&addr, sizeof addr) < 0) {
        perror("bind");
        return 1;
    }
    if (listen(listener, 64) < 0) {
        perror("listen");
        return 1;
    }
    printf("chat server on port %ld\n", port);
    fflush(stdout);

    for (int i = 0; i < MAX_CLIENTS; i++)
        clients[i].fd = -1;
    static struct pollfd fds[MAX_CLIENTS + 1];
    static int slot_of[MAX_CLIENTS + 1]; /* fds[k] belongs to clients[slot_of[k]] */

    for (;;) {
        int nfds = 0;
        fds[nfds].fd = listener;
        fds[nfds].events = POLLIN;
        nfds++;
        for (int i = 0; i < MAX_CLIENTS; i++) {
            if (clients[i].fd < 0)
                continue;
            fds[nfds].fd = clients[i].fd;
            /* Ask to write only when there is something to send. */
            fds[nfds].events = POLLIN | (clients[i].out_len > clients[i].out_start ? POLLOUT : 0);
            slot_of[nfds] = i;
            nfds++;
        }
        if (poll(fds, (nfds_t)nfds, -1) < 0) {
            if (errno == EINTR)
                continue;
            perror("poll");
            return 1;
        }
        for (int k = 1; k < nfds; k++) {
            struct client *c = &clients[slot_of[k]];
            /* The slot may have been dropped, or even reused, while handling others. */
            if (c->fd != fds[k].fd)
                continue;
            if (fds[k].revents & (POLLIN | POLLERR | POLLHUP))
                on_readable(c);
            if (c->fd == fds[k].fd && (fds[k].revents & POLLOUT))
                on_writable(c);
        }
        if (fds[0].revents & POLLIN) {
            int fd = accept(listener, NULL, NULL);
            if (fd < 0)
                continue;
            int slot = 0;
            while (slot < MAX_CLIENTS && clients[slot].fd >= 0)
                slot++;
            if (slot == MAX_CLIENTS) {
                close(fd);
                continue;
            }
            fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
            clients[slot].fd = fd;
            clients[slot].named = 0;
            clients[slot].in_len = 0;
        }
    }
}
