#ifndef COMMON_H
#define COMMON_H
#include <stddef.h>
int send_all(int fd, const char *buf, size_t len);
void die(const char *what);
#endif
