/* Unix socket pairs and the message calls: socketpair (stream, datagram, seqpacket),
 * sendmsg/recvmsg with several iovecs, MSG_PEEK, MSG_TRUNC, MSG_DONTWAIT, MSG_WAITALL, waits in
 * threads, a megabyte through a stream pair, and SO_PEERCRED naming the guest's own pid. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static int g_sv[2];

static void stream_pair_messages(void)
{
    CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, g_sv) == 0);
    CHECK(fcntl(g_sv[0], F_GETFD) == FD_CLOEXEC);
    /* read and write work on sockets too. */
    CHECK(write(g_sv[0], "abc", 3) == 3);
    char buf[64];
    CHECK(read(g_sv[1], buf, sizeof buf) == 3 && memcmp(buf, "abc", 3) == 0);

    /* Three iovecs out, two in: the bytes keep their order across the boundaries. */
    struct iovec out[3] = {{"hello", 5}, {", ", 2}, {"world", 5}};
    struct msghdr mh = {.msg_iov = out, .msg_iovlen = 3};
    CHECK(sendmsg(g_sv[0], &mh, 0) == 12);
    char a[4], b[20];
    struct iovec in[2] = {{a, sizeof a}, {b, sizeof b}};
    char control[64];
    struct msghdr rh = {.msg_iov = in, .msg_iovlen = 2, .msg_control = control, .msg_controllen = sizeof control};
    CHECK(recvmsg(g_sv[1], &rh, MSG_PEEK) == 12);
    CHECK(recvmsg(g_sv[1], &rh, 0) == 12);
    CHECK(memcmp(a, "hell", 4) == 0 && memcmp(b, "o, world", 8) == 0);
    CHECK(rh.msg_controllen == 0 && rh.msg_flags == 0);
    CHECK_ERRNO(recvmsg(g_sv[1], &rh, MSG_DONTWAIT), EAGAIN);
    CHECK_ERRNO(recv(g_sv[1], buf, sizeof buf, MSG_DONTWAIT), EAGAIN);

    /* What the guest passes is checked. */
    struct msghdr bad = {.msg_iov = (struct iovec*)8, .msg_iovlen = 1};
    CHECK_ERRNO(sendmsg(g_sv[0], &bad, 0), EFAULT);
    struct iovec wild = {(void*)16, 100};
    bad.msg_iov = &wild;
    CHECK_ERRNO(sendmsg(g_sv[0], &bad, 0), EFAULT);
    CHECK_ERRNO(recvmsg(g_sv[1], (struct msghdr*)8, 0), EFAULT);
    bad.msg_iov = out;
    bad.msg_iovlen = 5000;
    CHECK_ERRNO(sendmsg(g_sv[0], &bad, 0), EMSGSIZE);
    int p[2];
    CHECK(pipe(p) == 0);
    CHECK_ERRNO(sendmsg(p[1], &mh, 0), ENOTSOCK);
    CHECK_ERRNO(recvmsg(p[0], &rh, 0), ENOTSOCK);
    close(p[0]);
    close(p[1]);

    /* SO_RCVTIMEO bounds a blocking receive: EAGAIN once it passes (socket(7)). */
    struct timeval tv = {0, 50000};
    CHECK(setsockopt(g_sv[1], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK_ERRNO(recv(g_sv[1], buf, sizeof buf, 0), EAGAIN);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    const double waited = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    CHECK(waited >= 0.045 && waited < 5);
    tv.tv_usec = 0;
    CHECK(setsockopt(g_sv[1], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0);

    /* The peer is this very process. */
    struct ucred cred;
    socklen_t len = sizeof cred;
    CHECK(getsockopt(g_sv[0], SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0);
    CHECK(cred.pid == getpid() && cred.uid == getuid());

    /* The peer gone: EOF for the reader, EPIPE for a writer (with MSG_NOSIGNAL: no SIGPIPE). */
    close(g_sv[0]);
    CHECK(read(g_sv[1], buf, sizeof buf) == 0);
    CHECK_ERRNO(send(g_sv[1], "x", 1, MSG_NOSIGNAL), EPIPE);
    close(g_sv[1]);
}

static void datagram_pairs(void)
{
    int sv[2];
    CHECK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0);
    struct iovec out[2] = {{"0123", 4}, {"456789", 6}};
    struct msghdr mh = {.msg_iov = out, .msg_iovlen = 2};
    CHECK(sendmsg(sv[0], &mh, 0) == 10);
    CHECK(send(sv[0], "next", 4, 0) == 4);
    /* A datagram longer than the buffer: cut, and MSG_TRUNC says so; the next comes whole. */
    char small[4];
    struct iovec in = {small, sizeof small};
    struct msghdr rh = {.msg_iov = &in, .msg_iovlen = 1};
    CHECK(recvmsg(sv[1], &rh, 0) == 4);
    CHECK(memcmp(small, "0123", 4) == 0 && (rh.msg_flags & MSG_TRUNC));
    char buf[16];
    CHECK(recv(sv[1], buf, sizeof buf, 0) == 4 && memcmp(buf, "next", 4) == 0);
    /* recvfrom on a pair: the sender has no name. */
    CHECK(send(sv[0], "x", 1, 0) == 1);
    struct sockaddr_storage from;
    socklen_t from_len = sizeof from;
    CHECK(recvfrom(sv[1], buf, sizeof buf, 0, (struct sockaddr*)&from, &from_len) == 1);
    CHECK(from_len <= sizeof(sa_family_t));
    close(sv[0]);
    close(sv[1]);

    CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, sv) == 0);
    CHECK(fcntl(sv[0], F_GETFL) & O_NONBLOCK);
    CHECK(send(sv[0], "rec", 3, MSG_EOR) == 3);
    CHECK(recv(sv[1], buf, sizeof buf, 0) == 3);
    CHECK_ERRNO(recv(sv[1], buf, sizeof buf, 0), EAGAIN);
    close(sv[0]);
    close(sv[1]);
    CHECK_ERRNO(socketpair(AF_UNIX, SOCK_STREAM | 0x1000, 0, sv), EINVAL);
}

/* A reader waits in recvmsg (MSG_WAITALL: for all ten bytes) while this thread sends in pieces. */
static ssize_t g_waitall;
static char g_waitall_buf[10];
static void* waitall_reader(void* arg)
{
    (void)arg;
    g_waitall = recv(g_sv[1], g_waitall_buf, sizeof g_waitall_buf, MSG_WAITALL);
    return NULL;
}

enum { kBig = 1 << 20 };
static void* big_writer(void* arg)
{
    (void)arg;
    unsigned char* data = malloc(kBig);
    for (int i = 0; i < kBig; i++)
        data[i] = (unsigned char)(i * 13 + i / 4096);
    ssize_t n = write(g_sv[0], data, kBig);   /* one call: all of it, however long it takes */
    free(data);
    return (void*)n;
}

static void waits_in_threads(void)
{
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, g_sv) == 0);
    pthread_t t;
    CHECK(pthread_create(&t, NULL, waitall_reader, NULL) == 0);
    const char* pieces[] = {"012", "3456", "789"};
    for (int i = 0; i < 3; i++) {
        usleep(10000);
        CHECK(send(g_sv[0], pieces[i], strlen(pieces[i]), 0) == (ssize_t)strlen(pieces[i]));
    }
    CHECK(pthread_join(t, NULL) == 0);
    CHECK(g_waitall == 10 && memcmp(g_waitall_buf, "0123456789", 10) == 0);

    CHECK(pthread_create(&t, NULL, big_writer, NULL) == 0);
    unsigned char* got = malloc(kBig);
    size_t total = 0;
    while (total < kBig) {
        ssize_t n = read(g_sv[1], got + total, kBig - total);
        if (n <= 0)
            break;
        total += (size_t)n;
    }
    void* written = NULL;
    CHECK(pthread_join(t, &written) == 0);
    CHECK((ssize_t)written == kBig);
    CHECK(total == kBig);
    int same = 1;
    for (int i = 0; i < kBig; i++)
        same &= got[i] == (unsigned char)(i * 13 + i / 4096);
    CHECK(same);
    free(got);
    close(g_sv[0]);
    close(g_sv[1]);
}

int main(void)
{
    stream_pair_messages();
    datagram_pairs();
    waits_in_threads();
    return finish();
}
