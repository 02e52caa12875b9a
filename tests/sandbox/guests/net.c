/* Sockets: `net PORT` connects to 127.0.0.1:PORT, sends a line and prints the reply. Without
 * --allow-net, socket() fails with EACCES and the program exits 3. Unix sockets fail either way. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"

int main(int argc, char** argv)
{
    CHECK_ERRNO(socket(AF_UNIX, SOCK_STREAM, 0), EACCES);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0) {
        printf("socket: %s\n", strerror(errno));
        return 3;
    }
    struct sockaddr_in addr = {0};
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)atoi(argc > 1 ? argv[1] : "0"));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CHECK(connect(s, (struct sockaddr*)&addr, sizeof addr) == 0);
    CHECK(send(s, "hello over tcp\n", 15, 0) == 15);
    char buf[64] = {0};
    ssize_t n = recv(s, buf, sizeof buf - 1, 0);
    CHECK(n > 0);
    printf("reply: %s", buf);
    struct sockaddr_in peer;
    socklen_t len = sizeof peer;
    CHECK(getpeername(s, (struct sockaddr*)&peer, &len) == 0 && peer.sin_port == addr.sin_port);
    CHECK_ERRNO(listen(s, 1), EACCES);
    close(s);
    return finish();
}
