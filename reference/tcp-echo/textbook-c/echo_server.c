/* echo_server.c: an echo server written the way C networking guides write theirs (a fixed
 * port, getaddrinfo with AI_PASSIVE, fork() per client, a SIGCHLD handler that reaps the
 * children, "server: got connection from ..."), but correct: every byte echoed until the
 * client closes, short sends looped, SIGPIPE ignored, SO_REUSEADDR. */

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define PORT "3490" /* the port users will be connecting to */
#define BACKLOG 10  /* how many pending connections the queue will hold */
#define MAXDATASIZE 4096

static void sigchld_handler(int s)
{
    (void)s;
    int saved_errno = errno; /* waitpid() might overwrite errno */
    while (waitpid(-1, NULL, WNOHANG) > 0)
        ;
    errno = saved_errno;
}

static int sendall(int s, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = send(s, buf, len, 0);
        if (n == -1) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

static void echo(int fd)
{
    char buf[MAXDATASIZE];
    for (;;) {
        ssize_t numbytes = recv(fd, buf, sizeof buf, 0);
        if (numbytes == -1 && errno == EINTR)
            continue;
        if (numbytes <= 0) /* 0: the client closed; -1: e.g. a reset */
            break;
        if (sendall(fd, buf, (size_t)numbytes) == -1)
            break;
    }
}

int main(void)
{
    struct addrinfo hints, *servinfo, *p;
    int sockfd = -1, yes = 1, rv;

    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE; /* use my IP */
    if ((rv = getaddrinfo(NULL, PORT, &hints, &servinfo)) != 0) {
        fprintf(stderr, "getaddrinfo: %s\n", gai_strerror(rv));
        return 1;
    }
    for (p = servinfo; p != NULL; p = p->ai_next) {
        if ((sockfd = socket(p->ai_family, p->ai_socktype, p->ai_protocol)) == -1) {
            perror("server: socket");
            continue;
        }
        if (setsockopt(sockfd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes) == -1) {
            perror("setsockopt");
            exit(1);
        }
        if (bind(sockfd, p->ai_addr, p->ai_addrlen) == -1) {
            close(sockfd);
            perror("server: bind");
            continue;
        }
        break;
    }
    freeaddrinfo(servinfo);
    if (p == NULL) {
        fprintf(stderr, "server: failed to bind\n");
        exit(1);
    }
    if (listen(sockfd, BACKLOG) == -1) {
        perror("listen");
        exit(1);
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = sigchld_handler; /* reap all dead processes */
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    if (sigaction(SIGCHLD, &sa, NULL) == -1) {
        perror("sigaction");
        exit(1);
    }
    signal(SIGPIPE, SIG_IGN); /* a send to a reset client fails with EPIPE instead */

    printf("server: waiting for connections...\n");
    fflush(stdout);
    for (;;) {
        struct sockaddr_in their_addr;
        socklen_t sin_size = sizeof their_addr;
        int new_fd = accept(sockfd, (struct sockaddr *)&their_addr, &sin_size);
        if (new_fd == -1) {
            if (errno != EINTR)
                perror("accept");
            continue;
        }
        char s[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &their_addr.sin_addr, s, sizeof s);
        printf("server: got connection from %s\n", s);
        fflush(stdout);
        if (fork() == 0) { /* this is the child process */
            close(sockfd); /* child doesn't need the listener */
            echo(new_fd);
            close(new_fd);
            exit(0);
        }
        close(new_fd); /* parent doesn't need this */
    }
}
