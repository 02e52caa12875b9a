/* A thread waiting in a system call (read from an empty pipe, write to a full one, poll, wait4)
 * must not stop the program's other threads: all of them run on one host thread, so Vireo parks
 * the waiting one instead of blocking in the host. Each check here has one thread wait for
 * something only another thread (or a child, or a timer) can bring.
 *
 *   blocking          the checks; prints PASSED
 *   blocking stdin    a thread waits on stdin (held open, never written) while main exits */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static int g_pipe[2];
static atomic_int g_started, g_done;
static char g_got[16];
static ssize_t g_got_n;

static void wait_for(atomic_int* flag)
{
    while (!atomic_load(flag))
        sched_yield();
}

/* Work the main thread does while the other waits: it can only finish if it is scheduled. */
static unsigned long work(int rounds)
{
    unsigned long x = 1;
    for (int i = 0; i < rounds; i++)
        x = x * 6364136223846793005ul + 1442695040888963407ul;
    return x;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void* reader(void* arg)
{
    (void)arg;
    atomic_store(&g_started, 1);
    g_got_n = read(g_pipe[0], g_got, sizeof g_got);
    atomic_store(&g_done, 1);
    return NULL;
}

static void reader_of_empty_pipe(void)
{
    CHECK(pipe(g_pipe) == 0);
    atomic_store(&g_started, 0);
    atomic_store(&g_done, 0);
    pthread_t t;
    CHECK(pthread_create(&t, NULL, reader, NULL) == 0);
    wait_for(&g_started);
    /* The reader is (about to be) parked in read: this thread still computes, and the read has
     * not returned, since nothing was written. */
    const double start = now();
    unsigned long spins = 0;
    while (now() - start < 0.1) {
        work(1000);
        spins++;
    }
    CHECK(spins > 10);
    CHECK(atomic_load(&g_done) == 0);
    CHECK(write(g_pipe[1], "hello", 5) == 5);
    CHECK(pthread_join(t, NULL) == 0);
    CHECK(g_got_n == 5 && memcmp(g_got, "hello", 5) == 0);
    close(g_pipe[0]);
    close(g_pipe[1]);
}

/* A writer fills the pipe (64 KiB) and waits for room; the reader here drains it. */
enum { kBig = 1 << 20 };
static void* writer(void* arg)
{
    (void)arg;
    char* buf = malloc(kBig);
    for (int i = 0; i < kBig; i++)
        buf[i] = (char)(i * 7);
    size_t done = 0;
    while (done < kBig) {
        ssize_t n = write(g_pipe[1], buf + done, kBig - done);
        if (n <= 0)
            break;
        done += (size_t)n;
    }
    free(buf);
    close(g_pipe[1]);
    return (void*)done;
}

static void writer_to_full_pipe(void)
{
    CHECK(pipe(g_pipe) == 0);
    pthread_t t;
    CHECK(pthread_create(&t, NULL, writer, NULL) == 0);
    usleep(20000);   /* the writer fills the pipe and waits */
    size_t total = 0;
    int same = 1;
    char buf[4096];
    ssize_t n;
    while ((n = read(g_pipe[0], buf, sizeof buf)) > 0) {
        for (ssize_t i = 0; i < n; i++)
            same &= buf[i] == (char)((total + (size_t)i) * 7);
        total += (size_t)n;
    }
    void* written = NULL;
    CHECK(pthread_join(t, &written) == 0);
    CHECK((size_t)written == kBig);
    CHECK(total == kBig);
    CHECK(same);
    close(g_pipe[0]);
}

/* poll with a timeout in one thread; the other computes meanwhile, then makes it ready. */
static int g_poll_result;
static double g_poll_seconds;
static void* poller(void* arg)
{
    const int timeout_ms = (int)(long)arg;
    struct pollfd p = {g_pipe[0], POLLIN, 0};
    atomic_store(&g_started, 1);
    const double start = now();
    g_poll_result = poll(&p, 1, timeout_ms);
    g_poll_seconds = now() - start;
    atomic_store(&g_done, 1);
    return NULL;
}

static void poll_in_a_thread(void)
{
    CHECK(pipe(g_pipe) == 0);
    /* Times out after 100 ms with 0, while this thread keeps running. */
    atomic_store(&g_started, 0);
    atomic_store(&g_done, 0);
    pthread_t t;
    CHECK(pthread_create(&t, NULL, poller, (void*)100l) == 0);
    wait_for(&g_started);
    unsigned long spins = 0;
    while (!atomic_load(&g_done)) {
        work(100);
        spins++;
    }
    CHECK(pthread_join(t, NULL) == 0);
    CHECK(g_poll_result == 0);
    CHECK(g_poll_seconds >= 0.09 && g_poll_seconds < 2);
    CHECK(spins > 10);
    /* Without a timeout, woken by a write from this thread. */
    atomic_store(&g_started, 0);
    atomic_store(&g_done, 0);
    CHECK(pthread_create(&t, NULL, poller, (void*)-1l) == 0);
    wait_for(&g_started);
    usleep(20000);
    CHECK(atomic_load(&g_done) == 0);
    CHECK(write(g_pipe[1], "x", 1) == 1);
    CHECK(pthread_join(t, NULL) == 0);
    CHECK(g_poll_result == 1);
    close(g_pipe[0]);
    close(g_pipe[1]);
}

/* wait4 in one thread while the other computes: the child takes 200 ms to end. */
static pid_t g_child;
static int g_status;
static void* waiter(void* arg)
{
    (void)arg;
    atomic_store(&g_started, 1);
    CHECK(waitpid(g_child, &g_status, 0) == g_child);
    atomic_store(&g_done, 1);
    return NULL;
}

static void wait4_in_a_thread(void)
{
    g_child = fork();
    if (g_child == 0) {
        usleep(200000);
        _exit(7);
    }
    CHECK(g_child > 0);
    atomic_store(&g_started, 0);
    atomic_store(&g_done, 0);
    pthread_t t;
    CHECK(pthread_create(&t, NULL, waiter, NULL) == 0);
    wait_for(&g_started);
    unsigned long spins = 0;
    while (!atomic_load(&g_done)) {
        work(1000);
        spins++;
    }
    CHECK(pthread_join(t, NULL) == 0);
    CHECK(WIFEXITED(g_status) && WEXITSTATUS(g_status) == 7);
    CHECK(spins > 100);
}

/* A signal ends a read parked on an empty pipe with EINTR, unless its handler has SA_RESTART:
 * then the read goes on after the handler and returns what a thread writes later. */
static atomic_int g_alarms;
static void on_alarm(int sig)
{
    (void)sig;
    atomic_fetch_add(&g_alarms, 1);
}

static void* late_writer(void* arg)
{
    (void)arg;
    usleep(150000);
    CHECK(write(g_pipe[1], "late", 4) == 4);
    return NULL;
}

static void signals_and_parked_reads(void)
{
    CHECK(pipe(g_pipe) == 0);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    CHECK(sigaction(SIGALRM, &sa, NULL) == 0);
    struct itimerval it = {{0, 0}, {0, 50000}};
    CHECK(setitimer(ITIMER_REAL, &it, NULL) == 0);
    char buf[8];
    CHECK_ERRNO(read(g_pipe[0], buf, sizeof buf), EINTR);
    CHECK(atomic_load(&g_alarms) == 1);

    sa.sa_flags = SA_RESTART;
    CHECK(sigaction(SIGALRM, &sa, NULL) == 0);
    pthread_t t;
    CHECK(pthread_create(&t, NULL, late_writer, NULL) == 0);
    CHECK(setitimer(ITIMER_REAL, &it, NULL) == 0);
    CHECK(read(g_pipe[0], buf, sizeof buf) == 4 && memcmp(buf, "late", 4) == 0);
    CHECK(atomic_load(&g_alarms) == 2);
    CHECK(pthread_join(t, NULL) == 0);

    /* O_NONBLOCK: no waiting at all. */
    CHECK(fcntl(g_pipe[0], F_SETFL, O_NONBLOCK) == 0);
    CHECK_ERRNO(read(g_pipe[0], buf, sizeof buf), EAGAIN);
    close(g_pipe[0]);
    close(g_pipe[1]);
}

static void* stdin_reader(void* arg)
{
    (void)arg;
    char c;
    atomic_store(&g_started, 1);
    (void)!read(0, &c, 1);
    printf("stdin reader returned\n");
    return NULL;
}

int main(int argc, char** argv)
{
    if (argc > 1 && strcmp(argv[1], "stdin") == 0) {
        pthread_t t;
        CHECK(pthread_create(&t, NULL, stdin_reader, NULL) == 0);
        wait_for(&g_started);
        usleep(50000);
        printf("main %d\n", work(100000) != 0);
        fflush(stdout);
        exit(0);   /* ends the process, reader and all */
    }
    reader_of_empty_pipe();
    writer_to_full_pipe();
    poll_in_a_thread();
    wait4_in_a_thread();
    signals_and_parked_reads();
    return finish();
}
