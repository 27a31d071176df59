/* Web server: answers HTTP GET requests with the files of its working directory.
 *
 * Usage: ./webserver [PORT]      (PORT defaults to 6789, as in Kurose & Ross)
 *
 * Model solution of the web-server assignment. One detached thread per connection; each
 * thread reads one request up to its blank line, sends the file (200 OK) or 404 Not Found,
 * and closes the connection.
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
#include <sys/stat.h>
#include <unistd.h>

/* A request's head (request line and header lines) may not be longer than this. */
#define MAX_HEAD 65536

static const char NOT_FOUND_PAGE[] = "<html><body><h1>404 Not Found</h1></body></html>\n";

/* Send all len bytes: send may send fewer than asked, or be interrupted (EINTR). */
static int send_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t sent = send(fd, p, len, MSG_NOSIGNAL);
        if (sent < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += sent;
        len -= (size_t)sent;
    }
    return 0;
}

/* Receive until the blank line that ends the request's head. A request may arrive in
 * several pieces (even one byte at a time): one recv is not one request. Returns the head's
 * length (NUL-terminated in buf), or -1 if the client left or the head is too long. */
static ssize_t read_head(int fd, char *buf, size_t size)
{
    size_t used = 0;
    for (;;) {
        buf[used] = '\0';
        if (strstr(buf, "\r\n\r\n") != NULL)
            return (ssize_t)used;
        if (used + 1 >= size)
            return -1;
        ssize_t n = recv(fd, buf + used, size - 1 - used, 0);
        if (n == 0)
            return -1;
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        used += (size_t)n;
    }
}

static const char *content_type(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (dot == NULL)
        return "application/octet-stream";
    if (strcmp(dot, ".html") == 0 || strcmp(dot, ".htm") == 0)
        return "text/html";
    if (strcmp(dot, ".txt") == 0)
        return "text/plain";
    if (strcmp(dot, ".png") == 0)
        return "image/png";
    if (strcmp(dot, ".jpg") == 0)
        return "image/jpeg";
    return "application/octet-stream";
}

static int send_head(int fd, const char *status, const char *type, long length)
{
    char head[512];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %s\r\n"
                     "Content-Type: %s\r\n"
                     "Content-Length: %ld\r\n"
                     "Connection: close\r\n", /* BUG: no blank line after the headers */
                     status, type, length);
    return send_all(fd, head, (size_t)n);
}

static void send_not_found(int fd)
{
    if (send_head(fd, "404 Not Found", "text/html", (long)strlen(NOT_FOUND_PAGE)) == 0)
        send_all(fd, NOT_FOUND_PAGE, strlen(NOT_FOUND_PAGE));
}

/* Answer one request on fd. */
static void serve(int fd)
{
    char *buf = malloc(MAX_HEAD);
    if (buf == NULL)
        return;
    if (read_head(fd, buf, MAX_HEAD) < 0) {
        free(buf);
        return;
    }
    char method[16], path[1024], version[16];
    if (sscanf(buf, "%15s %1023s %15s", method, path, version) != 3 || strcmp(method, "GET") != 0) {
        const char msg[] = "Bad request\n";
        if (send_head(fd, "400 Bad Request", "text/plain", (long)strlen(msg)) == 0)
            send_all(fd, msg, strlen(msg));
        free(buf);
        return;
    }
    free(buf);
    char *query = strchr(path, '?');
    if (query != NULL)
        *query = '\0';
    const char *name = path;
    while (*name == '/')
        name++;
    struct stat st;
    /* Serve only files of the working directory's tree, nothing above it. */
    if (*name == '\0' || strstr(name, "..") != NULL || stat(name, &st) < 0 || !S_ISREG(st.st_mode)) {
        send_not_found(fd);
        return;
    }
    FILE *f = fopen(name, "rb"); /* binary: images are not text */
    if (f == NULL) {
        send_not_found(fd);
        return;
    }
    if (send_head(fd, "200 OK", content_type(name), (long)st.st_size) == 0) {
        char chunk[65536];
        size_t n;
        /* Send exactly the bytes read: the file may contain zero bytes, so never strlen. */
        while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
            if (send_all(fd, chunk, n) < 0)
                break;
    }
    fclose(f);
}

static void *serve_thread(void *arg)
{
    int fd = (int)(intptr_t)arg;
    serve(fd);
    close(fd);
    return NULL;
}

int main(int argc, char *argv[])
{
    long port = 6789;
    if (argc > 1) {
        char *end;
        port = strtol(argv[1], &end, 10);
        if (*argv[1] == '\0' || *end != '\0' || port < 1 || port > 65535) {
            fprintf(stderr, "%s: not a port number: %s\n", argv[0], argv[1]);
            return 2;
        }
    }
    signal(SIGPIPE, SIG_IGN); /* a client that leaves early must not kill the server */

    int server = socket(AF_INET, SOCK_STREAM, 0);
    if (server < 0) {
        perror("socket");
        return 1;
    }
    int on = 1;
    setsockopt(server, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_ANY);
    addr.sin_port = htons((uint16_t)port);
    if (bind(server, (struct sockaddr *)&addr, sizeof addr) < 0) {
        perror("bind");
        return 1;
    }
    if (listen(server, 64) < 0) {
        perror("listen");
        return 1;
    }
    printf("serving on port %ld\n", port);
    fflush(stdout);

    for (;;) {
        int fd = accept(server, NULL, NULL);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            perror("accept");
            return 1;
        }
        /* One thread per connection: a slow or idle client never holds up the others. */
        pthread_t thread;
        if (pthread_create(&thread, NULL, serve_thread, (void *)(intptr_t)fd) != 0) {
            close(fd);
            continue;
        }
        pthread_detach(thread);
    }
}
