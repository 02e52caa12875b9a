// The host end of bench/io.sh's network measurement: listens on 127.0.0.1 (an ephemeral port,
// written to PORT_FILE), accepts one connection, reads until it has BYTES bytes or the sender
// closes, then closes. Prints "sink bytes=N seconds=S", timed from the first byte to the last on
// the host's monotonic clock, so the guest's connection set-up is not counted. Gives up after
// WAIT_SECONDS without a connection or data.
//
//   sink PORT_FILE BYTES WAIT_SECONDS
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

// Waits until fd is readable; 0 when wait_ms pass first.
static int readable(int fd, int wait_ms)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    return poll(&p, 1, wait_ms) > 0;
}

int main(int argc, char** argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: sink PORT_FILE BYTES WAIT_SECONDS\n");
        return 2;
    }
    const long long want = atoll(argv[2]);
    const int wait_ms = atoi(argv[3]) * 1000;
    const int listener = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t length = sizeof address;
    if (listener < 0 || bind(listener, (struct sockaddr*)&address, sizeof address) != 0 || listen(listener, 1) != 0 ||
        getsockname(listener, (struct sockaddr*)&address, &length) != 0) {
        perror("sink: listen on 127.0.0.1");
        return 1;
    }
    FILE* port_file = fopen(argv[1], "w");
    if (!port_file) {
        perror(argv[1]);
        return 1;
    }
    fprintf(port_file, "%u\n", ntohs(address.sin_port));
    fclose(port_file);

    if (!readable(listener, wait_ms)) {
        fprintf(stderr, "sink: no connection within %s seconds\n", argv[3]);
        return 1;
    }
    const int connection = accept(listener, NULL, NULL);
    static char buffer[1 << 16];
    long long got = 0;
    double first = 0, last = 0;
    while (got < want && readable(connection, wait_ms)) {
        const ssize_t n = read(connection, buffer, sizeof buffer);
        if (n <= 0)
            break;
        last = now_seconds();
        if (got == 0)
            first = last;
        got += n;
    }
    close(connection);
    printf("sink bytes=%lld seconds=%.6f\n", got, last - first);
    return got >= want ? 0 : 1;
}
