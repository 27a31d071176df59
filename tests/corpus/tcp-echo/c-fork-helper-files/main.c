/* Echo server: ./server PORT; one child process per client. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net.h"

int main(int argc, char *argv[])
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s port\n", argv[0]);
        return 1;
    }
    signal(SIGCHLD, SIG_IGN); /* no zombies */
    signal(SIGPIPE, SIG_IGN);
    int listener = make_listener(atoi(argv[1]));
    if (listener < 0)
        return 1;
    for (;;) {
        int client = accept(listener, NULL, NULL);
        if (client < 0)
            continue;
        pid_t pid = fork();
        if (pid == 0) {
            close(listener);
            echo_client(client);
            close(client);
            _exit(0);
        }
        close(client);
    }
}
