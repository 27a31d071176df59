/* UDPPingerServer.c: echoes each ping in capitals on port 12000, loses 30 % of them. */
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define PORT 12000

int main(void)
{
    int sock = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in addr;
    char buf[1024];

    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_ANY);
    addr.sin_port = htons(PORT);
    if (bind(sock, (struct sockaddr *)&addr, sizeof addr) < 0) {
        perror("bind");
        return 1;
    }
    srand(time(NULL));
    printf("UDP pinger server on port %d\n", PORT);
    for (;;) {
        struct sockaddr_in client;
        socklen_t len = sizeof client;
        ssize_t n = recvfrom(sock, buf, sizeof buf, 0, (struct sockaddr *)&client, &len);
        if (n < 0)
            continue;
        for (ssize_t i = 0; i < n; i++)
            buf[i] = toupper((unsigned char)buf[i]);
        if (rand() % 10 < 3)
            continue; /* lost */
        sendto(sock, buf, n, 0, (struct sockaddr *)&client, len);
    }
}
