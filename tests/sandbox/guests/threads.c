/* Threads (clone with CLONE_THREAD, run round-robin by Vireo): create/join, mutexes, condition
 * variables, thread-local storage, tids, and a thread's exit status via pthread_join. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"

enum { kThreads = 4, kIterations = 20000 };

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static long g_counter;
static atomic_long g_atomic;
static __thread long t_local = 42;
static pid_t g_tids[kThreads];

static void* worker(void* arg)
{
    const long index = (long)(intptr_t)arg;
    g_tids[index] = gettid();
    t_local = index;
    for (int i = 0; i < kIterations; i++) {
        pthread_mutex_lock(&g_lock);
        g_counter++;
        pthread_mutex_unlock(&g_lock);
        atomic_fetch_add(&g_atomic, 1);
        if (i % 1000 == 0)
            sched_yield();
    }
    return (void*)(intptr_t)(t_local * 10);
}

static pthread_mutex_t g_cv_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_cv = PTHREAD_COND_INITIALIZER;
static int g_stage;

static void* ping(void* arg)
{
    (void)arg;
    for (int round = 0; round < 100; round++) {
        pthread_mutex_lock(&g_cv_lock);
        while (g_stage % 2 == 0)
            pthread_cond_wait(&g_cv, &g_cv_lock);
        g_stage++;
        pthread_cond_signal(&g_cv);
        pthread_mutex_unlock(&g_cv_lock);
    }
    return NULL;
}

int main(void)
{
    pthread_t threads[kThreads];
    for (long i = 0; i < kThreads; i++)
        CHECK(pthread_create(&threads[i], NULL, worker, (void*)(intptr_t)i) == 0);
    for (long i = 0; i < kThreads; i++) {
        void* result = NULL;
        CHECK(pthread_join(threads[i], &result) == 0);
        CHECK((intptr_t)result == i * 10);
    }
    CHECK(g_counter == kThreads * kIterations);
    CHECK(atomic_load(&g_atomic) == kThreads * kIterations);
    CHECK(t_local == 42);
    for (int i = 0; i < kThreads; i++) {
        CHECK(g_tids[i] != getpid() && g_tids[i] > 0);
        for (int j = 0; j < i; j++)
            CHECK(g_tids[i] != g_tids[j]);
    }

    /* condition variables: two threads take turns 200 times */
    pthread_t other;
    CHECK(pthread_create(&other, NULL, ping, NULL) == 0);
    for (int round = 0; round < 100; round++) {
        pthread_mutex_lock(&g_cv_lock);
        while (g_stage % 2 == 1)
            pthread_cond_wait(&g_cv, &g_cv_lock);
        g_stage++;
        pthread_cond_signal(&g_cv);
        pthread_mutex_unlock(&g_cv_lock);
    }
    CHECK(pthread_join(other, NULL) == 0);
    CHECK(g_stage == 200);

    /* a timed wait that times out */
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_nsec += 20 * 1000 * 1000;
    if (deadline.tv_nsec >= 1000000000) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000;
    }
    pthread_mutex_lock(&g_cv_lock);
    CHECK(pthread_cond_timedwait(&g_cv, &g_cv_lock, &deadline) == ETIMEDOUT);
    pthread_mutex_unlock(&g_cv_lock);
    return finish();
}
