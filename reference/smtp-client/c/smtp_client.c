/* SMTP client: sends one e-mail through the mail server given on the command line.
 *
 * Usage: ./smtp_client HOST PORT
 *
 * Model solution of the smtp-client assignment. It reads each reply whole (up to its last
 * line) before it sends the next command, and stops if a reply does not carry the expected
 * code.
 */

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define SENDER "alice@example.com"
#define RECIPIENT "bob@example.com"

static const char MESSAGE[] = "From: " SENDER "\r\n"
                              "To: " RECIPIENT "\r\n"
                              "Subject: Hello from my SMTP client\r\n"
                              "\r\n"
                              "I love computer networks!\r\n"
                              ".\r\n"; /* the line with a single dot ends the message */

static int sock = -1;
static char buffer[4096]; /* bytes received but not yet used */
static size_t buffered = 0;

static void send_all(const char *data, size_t len)
{
    while (len > 0) {
        ssize_t sent = send(sock, data, len, MSG_NOSIGNAL);
        if (sent < 0) {
            if (errno == EINTR)
                continue;
            perror("send");
            exit(1);
        }
        data += sent;
        len -= (size_t)sent;
    }
}

/* Read one line (without its \r\n) into line. A reply may arrive in pieces: receive until a
 * whole line is here. */
static void read_line(char *line, size_t size)
{
    for (;;) {
        char *end = memchr(buffer, '\n', buffered);
        if (end != NULL) {
            size_t len = (size_t)(end - buffer) + 1;
            size_t keep = len - 1;
            if (keep > 0 && buffer[keep - 1] == '\r')
                keep--;
            if (keep >= size)
                keep = size - 1;
            memcpy(line, buffer, keep);
            line[keep] = '\0';
            memmove(buffer, buffer + len, buffered - len);
            buffered -= len;
            return;
        }
        if (buffered == sizeof buffer) {
            fprintf(stderr, "reply line too long\n");
            exit(1);
        }
        ssize_t n = recv(sock, buffer + buffered, sizeof buffer - buffered, 0);
        if (n == 0) {
            fprintf(stderr, "the server closed the connection\n");
            exit(1);
        }
        if (n < 0) {
            if (errno == EINTR)
                continue;
            perror("recv");
            exit(1);
        }
        buffered += (size_t)n;
    }
}

/* Read a whole reply ("250-..." lines announce more, "250 ..." ends it) and check its code. */
static void expect(const char *code)
{
    char line[1024];
    do {
        read_line(line, sizeof line);
        printf("%s\n", line);
    } while (strlen(line) > 3 && line[3] == '-');
    fflush(stdout);
    if (strncmp(line, code, 3) != 0) {
        fprintf(stderr, "expected a %s reply, got: %s\n", code, line);
        exit(1);
    }
}

static void command(const char *text, const char *code)
{
    char line[1024];
    int n = snprintf(line, sizeof line, "%s\r\n", text);
    printf(">>> %s\n", text);
    send_all(line, (size_t)n);
    expect(code); /* wait for the reply before the next command */
}

int main(int argc, char *argv[])
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s HOST PORT\n", argv[0]);
        return 2;
    }
    struct addrinfo hints, *found;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    int err = getaddrinfo(argv[1], argv[2], &hints, &found);
    if (err != 0) {
        fprintf(stderr, "%s: %s\n", argv[1], gai_strerror(err));
        return 1;
    }
    for (struct addrinfo *a = found; a != NULL; a = a->ai_next) {
        sock = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
        if (sock < 0)
            continue;
        if (connect(sock, a->ai_addr, a->ai_addrlen) == 0)
            break;
        close(sock);
        sock = -1;
    }
    freeaddrinfo(found);
    if (sock < 0) {
        perror("connect");
        return 1;
    }

    expect("220"); /* the server speaks first */
    command("HELO client.example.com", "250");
    command("MAIL FROM:<" SENDER ">", "250");
    command("RCPT TO:<" RECIPIENT ">", "250");
    command("DATA", "354");
    send_all(MESSAGE, strlen(MESSAGE));
    expect("250");
    command("QUIT", "221");
    close(sock);
    return 0;
}
