/* SMTP client lab: ./smtp_client host port */
#include <stdio.h>
#include <unistd.h>

#include "net.h"

static int step(int fd, const char *command, int expected)
{
    char reply[1024];
    if (command != NULL) {
        printf("C: %s\n", command);
        if (send_line(fd, command) < 0)
            return -1;
    }
    int code = read_reply(fd, reply, sizeof reply);
    printf("S: %s", code < 0 ? "(no reply)\n" : reply);
    if (code != expected) {
        fprintf(stderr, "expected %d, got %d\n", expected, code);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s host port\n", argv[0]);
        return 2;
    }
    int fd = tcp_connect(argv[1], argv[2]);
    if (fd < 0) {
        fprintf(stderr, "cannot connect to %s:%s\n", argv[1], argv[2]);
        return 1;
    }
    if (step(fd, NULL, 220) || step(fd, "HELO lab.example.org", 250) ||
        step(fd, "MAIL FROM:<alice@example.com>", 250) ||
        step(fd, "RCPT TO:<bob@example.com>", 250) || step(fd, "DATA", 354) ||
        send_line(fd, "From: alice@example.com") || send_line(fd, "To: bob@example.com") ||
        send_line(fd, "Subject: lab") || send_line(fd, "") ||
        send_line(fd, "I love computer networks!") || step(fd, ".", 250) ||
        step(fd, "QUIT", 221)) {
        close(fd);
        return 1;
    }
    close(fd);
    return 0;
}
