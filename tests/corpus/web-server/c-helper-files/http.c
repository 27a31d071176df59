#include "http.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

int read_request(int fd, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    while (strstr(buf, "\r\n\r\n") == NULL) {
        if (used + 1 >= size)
            return -1;
        ssize_t n = recv(fd, buf + used, size - 1 - used, 0);
        if (n <= 0)
            return -1;
        used += (size_t)n;
        buf[used] = '\0';
    }
    return 0;
}

int request_path(const char *request, char *path, size_t size)
{
    char method[16], target[512];
    if (sscanf(request, "%15s %511s", method, target) != 2)
        return -1;
    const char *p = target[0] == '/' ? target + 1 : target;
    if (strlen(p) + 1 > size)
        return -1;
    strcpy(path, p);
    return 0;
}

int send_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = send(fd, data, len, 0);
        if (n < 0)
            return -1;
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

void send_file(int fd, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        const char *page = "HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\n\r\n"
                           "<html><body><h1>404 Not Found</h1></body></html>\n";
        send_all(fd, page, strlen(page));
        return;
    }
    const char *header = "HTTP/1.1 200 OK\r\n\r\n";
    send_all(fd, header, strlen(header));
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (send_all(fd, chunk, n) < 0)
            break;
    }
    fclose(f);
}
