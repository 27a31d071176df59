/* HTTP server: ./server [port] (default 6789), one thread per connection */
#include <arpa/inet.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void send_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n <= 0)
            return;
        p += n;
        len -= (size_t)n;
    }
}

static void *serve(void *arg)
{
    int fd = (int)(long)arg;
    char req[4096];
    size_t got = 0;
    req[0] = 0;
    while (!strstr(req, "\r\n\r\n") && got < sizeof req - 1) {
        ssize_t n = read(fd, req + got, sizeof req - 1 - got);
        if (n <= 0)
            break;
        got += (size_t)n;
        req[got] = 0;
    }
    char file[256] = "";
    if (sscanf(req, "GET /%255s", file) == 1) {
        FILE *fp = fopen(file, "rb");
        if (fp) {
            char hdr[] = "HTTP/1.0 200 OK\r\nServer: lab1\r\n\r\n";
            send_all(fd, hdr, strlen(hdr));
            char buf[1024];
            size_t n;
            while ((n = fread(buf, 1, sizeof buf, fp)) > 0)
                send_all(fd, buf, n);
            fclose(fp);
        } else {
            char msg[] = "HTTP/1.0 404 Not Found\r\n\r\n<h1>404 Not Found</h1>\r\n";
            send_all(fd, msg, strlen(msg));
        }
    }
    close(fd);
    return NULL;
}

int main(int argc, char **argv)
{
    int port = argc > 1 ? atoi(argv[1]) : 6789;
    signal(SIGPIPE, SIG_IGN);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    int on = 1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = INADDR_ANY;
    if (bind(s, (struct sockaddr *)&a, sizeof a) < 0 || listen(s, 20) < 0) {
        perror("server");
        return 1;
    }
    for (;;) {
        int c = accept(s, NULL, NULL);
        if (c < 0)
            continue;
        pthread_t t;
        pthread_create(&t, NULL, serve, (void *)(long)c);
        pthread_detach(t);
    }
}
