/* Web server lab, multithreaded version. Listens on port 6789. */
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http.h"

#define PORT 6789

static void *client_thread(void *arg)
{
    int fd = *(int *)arg;
    free(arg);
    char request[8192], path[512];
    if (read_request(fd, request, sizeof request) == 0 &&
        request_path(request, path, sizeof path) == 0) {
        printf("request for %s\n", path);
        fflush(stdout);
        send_file(fd, path);
    }
    close(fd);
    return NULL;
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    int server = socket(AF_INET, SOCK_STREAM, 0);
    if (server < 0) {
        perror("socket");
        return 1;
    }
    int yes = 1;
    setsockopt(server, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_ANY);
    addr.sin_port = htons(PORT);
    if (bind(server, (struct sockaddr *)&addr, sizeof addr) < 0) {
        perror("bind");
        return 1;
    }
    if (listen(server, 16) < 0) {
        perror("listen");
        return 1;
    }
    printf("Ready to serve on port %d\n", PORT);
    fflush(stdout);
    for (;;) {
        int client = accept(server, NULL, NULL);
        if (client < 0)
            continue;
        int *arg = malloc(sizeof *arg);
        *arg = client;
        pthread_t t;
        if (pthread_create(&t, NULL, client_thread, arg) != 0) {
            close(client);
            free(arg);
            continue;
        }
        pthread_detach(t);
    }
}
