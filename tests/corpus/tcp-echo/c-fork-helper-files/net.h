#ifndef NET_H
#define NET_H

int make_listener(int port);
void echo_client(int fd);

#endif
