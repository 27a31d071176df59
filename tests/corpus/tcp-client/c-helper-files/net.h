#ifndef NET_H
#define NET_H

/* Connects to host:port; returns the socket, or -1 with errno set. */
int connect_to(const char *host, const char *port);

#endif
