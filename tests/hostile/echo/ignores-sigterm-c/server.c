/* Hostile: ignores SIGTERM and SIGINT, serves the echo as asked. */
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv) {
    signal(SIGTERM, SIG_IGN);
    signal(SIGINT, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
    int server = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(server, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons(atoi(argc > 1 ? argv[1] : "12000"));
    bind(server, (struct sockaddr *)&addr, sizeof addr);
    listen(server, 5);
    for (;;) {
        int conn = accept(server, NULL, NULL);
        char buf[4096];
        ssize_t n;
        while ((n = recv(conn, buf, sizeof buf, 0)) > 0) {
            send(conn, buf, (size_t)n, 0);
        }
        close(conn);
    }
}
