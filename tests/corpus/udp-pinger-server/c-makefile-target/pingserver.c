/* UDP pinger server in C: port 12000, upper-cases every ping, drops 30 %. */
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int main(void)
{
    int sock = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in me;
    memset(&me, 0, sizeof me);
    me.sin_family = AF_INET;
    me.sin_addr.s_addr = htonl(INADDR_ANY);
    me.sin_port = htons(12000);
    if (bind(sock, (struct sockaddr *)&me, sizeof me) < 0) {
        perror("bind");
        return 1;
    }
    srand((unsigned)time(NULL) ^ (unsigned)getpid());
    char buf[1024];
    for (;;) {
        struct sockaddr_in from;
        socklen_t fromlen = sizeof from;
        ssize_t n = recvfrom(sock, buf, sizeof buf, 0, (struct sockaddr *)&from, &fromlen);
        if (n < 0)
            continue;
        for (ssize_t i = 0; i < n; i++)
            buf[i] = (char)toupper((unsigned char)buf[i]);
        if (rand() % 10 < 3)
            continue; /* lost */
        sendto(sock, buf, (size_t)n, 0, (struct sockaddr *)&from, fromlen);
    }
}
