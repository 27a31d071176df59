#ifndef NET_H
#define NET_H

#include <stddef.h>

int tcp_connect(const char *host, const char *port);
/* Reads one reply line (up to and including "\r\n") into buf; returns its code or -1. */
int read_reply(int fd, char *buf, size_t size);
int send_line(int fd, const char *line);

#endif
