/* net.c - connect to a server, in the style of the C socket textbooks (Stevens, Beej):
 * gethostbyname, a struct sockaddr_in filled by hand, connect. */
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net.h"

int tcp_connect(const char *host, int port)
{
    struct hostent *he;
    struct sockaddr_in servaddr;
    int sockfd;

    if ((he = gethostbyname(host)) == NULL) {
        fprintf(stderr, "gethostbyname: cannot resolve %s\n", host);
        return -1;
    }
    if ((sockfd = socket(AF_INET, SOCK_STREAM, 0)) < 0) {
        perror("socket");
        return -1;
    }
    memset(&servaddr, 0, sizeof(servaddr));
    servaddr.sin_family = AF_INET;
    servaddr.sin_port = htons(port);
    memcpy(&servaddr.sin_addr, he->h_addr_list[0], he->h_length);

    if (connect(sockfd, (struct sockaddr *)&servaddr, sizeof(servaddr)) < 0) {
        perror("connect"); /* "connect: Connection refused" when nothing listens */
        close(sockfd);
        return -1;
    }
    return sockfd;
}
