#ifndef HTTP_H
#define HTTP_H

#include <stddef.h>

/* Reads the request headers (up to the blank line) into buf; returns 0 or -1. */
int read_request(int fd, char *buf, size_t size);
/* Extracts the path of "GET /path HTTP/1.1" into path, without the leading '/'. */
int request_path(const char *request, char *path, size_t size);
/* Sends the whole buffer. */
int send_all(int fd, const char *data, size_t len);
/* Sends the file with a 200 header, or a 404 page. */
void send_file(int fd, const char *path);

#endif
