/* Runaway programs, by argument:
 *   limits spin        loops forever (for --max-instructions and --timeout)
 *   limits sleep       sleeps 100 s
 *   limits read        reads stdin (a pipe that never delivers)
 *   limits alloc       mallocs 1 MiB blocks, touching them, until malloc fails; prints the count
 *   limits huge        asks for absurd amounts at once: all must fail with ENOMEM
 *   limits recurse     unbounded recursion, no handler: SIGSEGV
 *   limits deadlock    waits on a futex no one will wake
 *   limits forkbomb    forks until fork fails; prints how many children it got
 *   limits forkmem     (with --mem 64M) memory counts across processes: a fork's copy counts, a
 *                      child's malloc fails when the whole tree would pass the limit */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <stdint.h>
#include <stdlib.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"

static long recurse(long n)
{
    volatile char pad[1024];
    pad[0] = (char)n;
    return recurse(n + 1) + pad[0];
}

int main(int argc, char** argv)
{
    const char* mode = argc > 1 ? argv[1] : "";
    if (!strcmp(mode, "spin")) {
        for (volatile unsigned long i = 0;; i++) {
        }
    }
    if (!strcmp(mode, "sleep")) {
        sleep(100);
        return 0;
    }
    if (!strcmp(mode, "read")) {
        char c;
        return (int)read(0, &c, 1);
    }
    if (!strcmp(mode, "alloc")) {
        long count = 0;
        for (;;) {
            char* p = malloc(1 << 20);
            if (!p)
                break;
            memset(p, 1, 1 << 20);
            count++;
        }
        printf("allocated %ld MiB\n", count);
        return 0;
    }
    if (!strcmp(mode, "huge")) {
        CHECK(malloc(1ul << 40) == NULL && errno == ENOMEM);
        CHECK(malloc(8ul << 30) == NULL);
        CHECK(mmap(NULL, 16ul << 30, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED && errno == ENOMEM);
        CHECK(mmap(NULL, 1ul << 50, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED);
        void* brk0 = sbrk(0);
        CHECK(sbrk(1l << 36) == (void*)-1);
        CHECK(sbrk(0) == brk0);
        /* a reservation without access costs nothing, and cannot then be made accessible */
        char* r = mmap(NULL, 64ul << 30, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        CHECK(r != MAP_FAILED);
        CHECK_ERRNO(mprotect(r, 4ul << 30, PROT_READ | PROT_WRITE), ENOMEM);
        CHECK(mprotect(r, 1 << 20, PROT_READ | PROT_WRITE) == 0);
        memset(r, 1, 1 << 20);
        return finish();
    }
    if (!strcmp(mode, "recurse"))
        return (int)recurse(0);
    if (!strcmp(mode, "deadlock")) {
        static uint32_t word;
        syscall(SYS_futex, &word, FUTEX_WAIT, 0, NULL, NULL, 0);
        return 0;
    }
    if (!strcmp(mode, "forkbomb")) {
        pid_t kids[1024];
        int n = 0;
        while (n < 1024) {
            pid_t pid = fork();
            if (pid == 0) {
                pause();
                _exit(0);
            }
            if (pid < 0)
                break;
            kids[n++] = pid;
        }
        printf("forked %d (then %s)\n", n, strerror(errno));
        for (int i = 0; i < n; i++)
            kill(kids[i], SIGKILL);
        for (int i = 0; i < n; i++)
            waitpid(kids[i], NULL, 0);
        return 0;
    }
    if (!strcmp(mode, "forkmem")) {
        char* mine = malloc(20 << 20);
        memset(mine, 1, 20 << 20);
        pid_t pid = fork();
        CHECK(pid >= 0);
        if (pid == 0) {
            char* more = malloc(30 << 20);   /* 20 + 20 + 30 MiB: over the tree's 64 MiB */
            _exit(more == NULL ? 0 : 1);
        }
        int status = -1;
        CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
        char* big = malloc(25 << 20);
        CHECK(big != NULL);
        memset(big, 1, 25 << 20);
        CHECK(fork() == -1 && errno == ENOMEM);   /* a copy of 45 MiB does not fit beside us */
        free(big);
        pid = fork();   /* after the child was reaped and the big block freed, it fits again */
        if (pid == 0)
            _exit(0);
        CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
        return finish();
    }
    return 99;
}
