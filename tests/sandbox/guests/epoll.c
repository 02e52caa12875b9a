/* Waiting for descriptors: epoll (level- and edge-triggered, the interest list, timeouts, a wait
 * in a thread), eventfd (counter and semaphore modes), select and ppoll's POLLNVAL; inotify is not
 * offered (ENOSYS). Checked against what Linux does (epoll(7), eventfd(2), select(2)). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int g_ep, g_pipe[2], g_efd;
static int g_thread_result;
static struct epoll_event g_thread_event;

static void* epoll_waiter(void* arg)
{
    (void)arg;
    g_thread_result = epoll_wait(g_ep, &g_thread_event, 1, -1);
    return NULL;
}

static void epoll_basics(void)
{
    g_ep = epoll_create1(EPOLL_CLOEXEC);
    CHECK(g_ep >= 0);
    CHECK(fcntl(g_ep, F_GETFD) == FD_CLOEXEC);
    CHECK_ERRNO(epoll_create1(12345), EINVAL);
    CHECK(pipe(g_pipe) == 0);

    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 0x1122334455667788ull};
    CHECK(epoll_ctl(g_ep, EPOLL_CTL_ADD, g_pipe[0], &ev) == 0);
    CHECK_ERRNO(epoll_ctl(g_ep, EPOLL_CTL_ADD, g_pipe[0], &ev), EEXIST);
    CHECK_ERRNO(epoll_ctl(g_ep, EPOLL_CTL_ADD, g_ep, &ev), EINVAL);
    CHECK_ERRNO(epoll_ctl(g_pipe[1], EPOLL_CTL_ADD, g_pipe[0], &ev), EINVAL);
    CHECK_ERRNO(epoll_ctl(g_ep, EPOLL_CTL_ADD, 999, &ev), EBADF);
    CHECK_ERRNO(epoll_ctl(g_ep, EPOLL_CTL_MOD, g_pipe[1], &ev), ENOENT);
    CHECK_ERRNO(epoll_ctl(g_ep, EPOLL_CTL_ADD, g_pipe[1], NULL), EFAULT);
    int file = open("/epoll-test-file", O_CREAT | O_RDWR, 0600);
    if (file >= 0) {
        CHECK_ERRNO(epoll_ctl(g_ep, EPOLL_CTL_ADD, file, &ev), EPERM);   /* regular files */
        close(file);
        unlink("/epoll-test-file");
    }

    struct epoll_event out[4];
    memset(out, 0, sizeof out);
    CHECK(epoll_wait(g_ep, out, 4, 0) == 0);
    CHECK_ERRNO(epoll_wait(g_ep, out, 0, 0), EINVAL);
    volatile uintptr_t unmapped = 8;
    struct epoll_event* nowhere = (struct epoll_event*)unmapped;
    CHECK_ERRNO(epoll_wait(g_ep, nowhere, 4, 0), EFAULT);
    CHECK_ERRNO(epoll_wait(g_pipe[0], out, 4, 0), EINVAL);

    /* Level-triggered: ready for as long as there is data, with the cookie given at ADD. */
    CHECK(write(g_pipe[1], "ab", 2) == 2);
    for (int round = 0; round < 2; round++) {
        CHECK(epoll_wait(g_ep, out, 4, 0) == 1);
        CHECK(out[0].events == EPOLLIN);
        CHECK(out[0].data.u64 == 0x1122334455667788ull);
    }
    /* Edge-triggered: once per change. */
    ev.events = EPOLLIN | EPOLLET;
    ev.data.u64 = 7;
    CHECK(epoll_ctl(g_ep, EPOLL_CTL_MOD, g_pipe[0], &ev) == 0);
    CHECK(epoll_wait(g_ep, out, 4, 0) == 1 && out[0].data.u64 == 7);
    CHECK(epoll_wait(g_ep, out, 4, 0) == 0);
    CHECK(write(g_pipe[1], "c", 1) == 1);
    CHECK(epoll_wait(g_ep, out, 4, 0) == 1);
    char buf[8];
    CHECK(read(g_pipe[0], buf, sizeof buf) == 3);

    /* A timeout with nothing ready: 0 after it. */
    ev.events = EPOLLIN;
    CHECK(epoll_ctl(g_ep, EPOLL_CTL_MOD, g_pipe[0], &ev) == 0);
    double start = now();
    CHECK(epoll_wait(g_ep, out, 4, 60) == 0);
    CHECK(now() - start >= 0.055);
    struct timespec ts = {0, 30 * 1000 * 1000};
    start = now();
    CHECK(syscall(SYS_epoll_pwait2, g_ep, out, 4, &ts, NULL, 8) == 0);
    CHECK(now() - start >= 0.025);

    /* Several ready: maxevents bounds what one wait returns. */
    int more[2];
    CHECK(pipe(more) == 0);
    struct epoll_event out_ev = {.events = EPOLLOUT, .data.u64 = 100};
    CHECK(epoll_ctl(g_ep, EPOLL_CTL_ADD, more[1], &out_ev) == 0);
    CHECK(write(g_pipe[1], "d", 1) == 1);
    CHECK(epoll_wait(g_ep, out, 4, 0) == 2);
    CHECK(epoll_wait(g_ep, out, 1, 0) == 1);
    CHECK(epoll_ctl(g_ep, EPOLL_CTL_DEL, more[1], NULL) == 0);
    CHECK_ERRNO(epoll_ctl(g_ep, EPOLL_CTL_DEL, more[1], NULL), ENOENT);
    CHECK(epoll_wait(g_ep, out, 4, 0) == 1 && out[0].data.u64 == 7);
    CHECK(read(g_pipe[0], buf, sizeof buf) == 1);

    /* A wait with no timeout, in a thread, ends when this thread writes. */
    pthread_t t;
    CHECK(pthread_create(&t, NULL, epoll_waiter, NULL) == 0);
    usleep(30000);
    CHECK(write(g_pipe[1], "e", 1) == 1);
    CHECK(pthread_join(t, NULL) == 0);
    CHECK(g_thread_result == 1 && g_thread_event.data.u64 == 7);
    CHECK(read(g_pipe[0], buf, sizeof buf) == 1);

    /* Closing the only descriptor of a file takes it out of the interest list (epoll(7) Q6). */
    CHECK(write(g_pipe[1], "f", 1) == 1);
    close(g_pipe[0]);
    CHECK(epoll_wait(g_ep, out, 4, 0) == 0);
    close(g_pipe[1]);
    close(more[0]);
    close(more[1]);
    close(g_ep);
}

static void* eventfd_reader(void* arg)
{
    (void)arg;
    uint64_t v = 0;
    if (read(g_efd, &v, 8) != 8)
        return NULL;
    return (void*)(uintptr_t)v;
}

static void eventfds(void)
{
    int fd = eventfd(3, EFD_NONBLOCK | EFD_CLOEXEC);
    CHECK(fd >= 0);
    CHECK(fcntl(fd, F_GETFD) == FD_CLOEXEC);
    uint64_t v = 0;
    CHECK(read(fd, &v, 8) == 8 && v == 3);
    CHECK_ERRNO(read(fd, &v, 8), EAGAIN);
    v = 5;
    CHECK(write(fd, &v, 8) == 8);
    v = 2;
    CHECK(write(fd, &v, 8) == 8);
    CHECK(read(fd, &v, 8) == 8 && v == 7);
    uint32_t small = 0;
    CHECK_ERRNO(read(fd, &small, 4), EINVAL);
    v = UINT64_MAX;
    CHECK_ERRNO(write(fd, &v, 8), EINVAL);
    /* Readable through poll when the counter is not zero. */
    struct pollfd p = {fd, POLLIN, 0};
    CHECK(poll(&p, 1, 0) == 0);
    v = 1;
    CHECK(write(fd, &v, 8) == 8);
    CHECK(poll(&p, 1, 0) == 1 && (p.revents & POLLIN));
    close(fd);

    fd = eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK);
    CHECK(read(fd, &v, 8) == 8 && v == 1);
    CHECK(read(fd, &v, 8) == 8 && v == 1);
    CHECK_ERRNO(read(fd, &v, 8), EAGAIN);
    close(fd);
    CHECK_ERRNO(eventfd(0, 0x10), EINVAL);

    /* A blocking read waits (in a thread) for a write. */
    g_efd = eventfd(0, 0);
    pthread_t t;
    CHECK(pthread_create(&t, NULL, eventfd_reader, NULL) == 0);
    usleep(30000);
    v = 42;
    CHECK(write(g_efd, &v, 8) == 8);
    void* got = NULL;
    CHECK(pthread_join(t, &got) == 0);
    CHECK((uintptr_t)got == 42);
    close(g_efd);
}

static void* select_writer(void* arg)
{
    (void)arg;
    usleep(30000);
    (void)!write(g_pipe[1], "s", 1);
    return NULL;
}

static void selects(void)
{
    CHECK(pipe(g_pipe) == 0);
    fd_set rd, wr;
    FD_ZERO(&rd);
    FD_ZERO(&wr);
    FD_SET(g_pipe[0], &rd);
    FD_SET(g_pipe[1], &wr);
    struct timeval tv = {0, 0};
    /* The write end is writable, the read end has nothing. */
    CHECK(select(g_pipe[1] + 1, &rd, &wr, NULL, &tv) == 1);
    CHECK(!FD_ISSET(g_pipe[0], &rd) && FD_ISSET(g_pipe[1], &wr));
    /* A timeout: the sets come back empty. */
    FD_SET(g_pipe[0], &rd);
    tv.tv_usec = 40000;
    double start = now();
    CHECK(select(g_pipe[0] + 1, &rd, NULL, NULL, &tv) == 0);
    CHECK(now() - start >= 0.035);
    CHECK(!FD_ISSET(g_pipe[0], &rd));
    /* Woken by a write from another thread. */
    pthread_t t;
    CHECK(pthread_create(&t, NULL, select_writer, NULL) == 0);
    FD_SET(g_pipe[0], &rd);
    CHECK(select(g_pipe[0] + 1, &rd, NULL, NULL, NULL) == 1 && FD_ISSET(g_pipe[0], &rd));
    CHECK(pthread_join(t, NULL) == 0);
    /* A closed descriptor in a set. */
    FD_ZERO(&rd);
    FD_SET(200, &rd);
    tv.tv_usec = 0;
    CHECK_ERRNO(select(201, &rd, NULL, NULL, &tv), EBADF);
    /* A sleep. */
    tv.tv_usec = 20000;
    start = now();
    CHECK(select(0, NULL, NULL, NULL, &tv) == 0);
    CHECK(now() - start >= 0.015);

    /* poll: POLLNVAL for a descriptor that is not open, counted as ready. */
    struct pollfd p[2] = {{g_pipe[0], POLLIN, 0}, {300, POLLIN, 0}};
    CHECK(poll(p, 2, 1000) == 2);
    CHECK(p[0].revents == POLLIN && p[1].revents == POLLNVAL);
    close(g_pipe[0]);
    close(g_pipe[1]);
}

int main(void)
{
    epoll_basics();
    eventfds();
    selects();
    CHECK_ERRNO(inotify_init1(IN_CLOEXEC), ENOSYS);
    return finish();
}
