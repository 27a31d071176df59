/* Echo server: ./server -p PORT. One child process per client. */
#include <netinet/in.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "common.h"

int main(int argc, char *argv[])
{
    int opt, port = 0;
    while ((opt = getopt(argc, argv, "p:")) != -1) {
        if (opt == 'p')
            port = atoi(optarg);
    }
    if (port == 0) {
        fprintf(stderr, "usage: %s -p PORT\n", argv[0]);
        return 2;
    }
    signal(SIGCHLD, SIG_IGN);
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    int yes = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_ANY);
    addr.sin_port = htons((unsigned short)port);
    if (bind(listener, (struct sockaddr *)&addr, sizeof addr) < 0)
        die("bind");
    if (listen(listener, 16) < 0)
        die("listen");
    for (;;) {
        int conn = accept(listener, NULL, NULL);
        if (conn < 0)
            continue;
        if (fork() == 0) {
            close(listener);
            char buf[4096];
            ssize_t n;
            while ((n = recv(conn, buf, sizeof buf, 0)) > 0)
                if (send_all(conn, buf, (size_t)n) < 0)
                    break;
            close(conn);
            _exit(0);
        }
        close(conn);
    }
}
