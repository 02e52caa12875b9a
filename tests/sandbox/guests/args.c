/* The initial process state (System V ABI / RISC-V psABI, Linux binfmt_elf): argv, envp and the
 * auxiliary vector, the stack alignment, and the identity and time calls a program starts with.
 * Prints "argv[i]=..." and "env ..." lines for the host to compare, then the checks. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

extern char** environ;

static uint64_t rdtime(void)
{
    uint64_t t;
    __asm__ volatile("rdtime %0" : "=r"(t));
    return t;
}

int main(int argc, char** argv)
{
    for (int i = 0; i < argc; i++)
        printf("argv[%d]=%s\n", i, argv[i]);
    for (char** e = environ; *e; e++)
        printf("env %s\n", *e);
    CHECK(argv[argc] == NULL);

    /* the stack pointer is 16-byte aligned in every frame (psABI §2.1) */
    CHECK(((uintptr_t)__builtin_frame_address(0) & 15) == 0);

    /* auxv */
    CHECK(getauxval(AT_PAGESZ) == 4096);
    const unsigned long hwcap = getauxval(AT_HWCAP);
    const unsigned long imafdc = (1ul << ('I' - 'A')) | (1ul << ('M' - 'A')) | (1ul << ('A' - 'A')) |
                                 (1ul << ('F' - 'A')) | (1ul << ('D' - 'A')) | (1ul << ('C' - 'A'));
    CHECK((hwcap & imafdc) == imafdc);
    const unsigned char* random = (const unsigned char*)getauxval(AT_RANDOM);
    CHECK(random != NULL);
    int nonzero = 0;
    for (int i = 0; random && i < 16; i++)
        nonzero |= random[i];
    CHECK(nonzero);
    const char* execfn = (const char*)getauxval(AT_EXECFN);
    CHECK(execfn && strcmp(execfn, argv[0]) == 0);
    CHECK(getauxval(AT_SECURE) == 0);
    CHECK(getauxval(AT_UID) == getuid() && getauxval(AT_GID) == getgid());
    CHECK(getauxval(AT_CLKTCK) == 100);
    CHECK(getauxval(AT_PHDR) != 0 && getauxval(AT_PHNUM) > 0 && getauxval(AT_PHENT) == 56);
    CHECK(getauxval(AT_ENTRY) != 0);

    /* identity */
    CHECK(getpid() == 1000 && gettid() == 1000 && getppid() == 1);
    struct utsname u;
    CHECK(uname(&u) == 0 && strcmp(u.machine, "riscv64") == 0 && strcmp(u.sysname, "Linux") == 0);

    /* time: clocks move forward, sleeps sleep, rdtime counts */
    struct timespec a, b;
    CHECK(clock_gettime(CLOCK_MONOTONIC, &a) == 0);
    const uint64_t t0 = rdtime();
    struct timespec nap = {0, 30 * 1000 * 1000};
    CHECK(nanosleep(&nap, NULL) == 0);
    CHECK(clock_gettime(CLOCK_MONOTONIC, &b) == 0);
    const long elapsed_ns = (b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec);
    CHECK(elapsed_ns >= 30 * 1000 * 1000 && elapsed_ns < 2000L * 1000 * 1000);
    const uint64_t ticks = rdtime() - t0;   /* 10 MHz */
    CHECK(ticks >= 300000 && ticks < 20000000);
    struct timeval tv;
    CHECK(gettimeofday(&tv, NULL) == 0 && tv.tv_sec > 1600000000);
    CHECK(time(NULL) >= tv.tv_sec - 1);   /* time() may read the coarse clock, a tick behind */

    /* randomness, limits, sysinfo */
    unsigned char r[32] = {0};
    CHECK(getrandom(r, sizeof r, 0) == 32);
    struct rlimit rl;
    CHECK(getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur == 8 << 20);
    CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur == 1024);
    struct sysinfo si;
    CHECK(sysinfo(&si) == 0 && si.totalram > 0 && si.freeram <= si.totalram);
    CHECK(sysconf(_SC_NPROCESSORS_ONLN) >= 1);

    /* no stdin trickery: fds beyond what the sandbox gave are closed */
    CHECK_ERRNO(write(3, "x", 1), EBADF);
    CHECK_ERRNO(write(100, "x", 1), EBADF);

    /* an unknown system call is ENOSYS */
    CHECK_ERRNO(syscall(4000), ENOSYS);
    return finish();
}
