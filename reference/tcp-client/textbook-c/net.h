/* net.h - the helper of the textbook-style C bulletin client. */
#ifndef NET_H
#define NET_H

/* Connect a TCP socket to host:port (a name or a dotted address). The socket, or -1 after
 * perror says why. */
int tcp_connect(const char *host, int port);

#endif
