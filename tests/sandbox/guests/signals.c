/* Signals: handlers for synchronous faults (SIGSEGV, SIGILL, SIGTRAP) with siginfo and a ucontext
 * the handler may change, raise/kill/tgkill to self, masks and pending signals, SA_RESETHAND,
 * SA_NODEFER, sigaltstack, and, by argument, the deaths by signal that end the program:
 *   signals              run the checks (status 0)
 *   signals abort        abort()                     -> 134
 *   signals kill         kill(getpid(), SIGTERM)     -> 143
 *   signals segv         a null dereference          -> 139
 *   signals pipe         write to a pipe without reader -> 141
 *   signals ignored      SIGTERM ignored, then exit 5 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <ucontext.h>
#include <unistd.h>

#include "check.h"

static volatile int g_hits;
static volatile int g_last_sig, g_last_code;
static volatile uintptr_t g_last_addr;
static sigjmp_buf g_jump;

static void record(int sig, siginfo_t* info, void* uc)
{
    (void)uc;
    g_hits++;
    g_last_sig = sig;
    g_last_code = info->si_code;
    g_last_addr = (uintptr_t)info->si_addr;
}

/* Skips the faulting instruction by moving the saved pc: 2 or 4 bytes (RVC §16.1). */
static void skip_instruction(int sig, siginfo_t* info, void* ucv)
{
    record(sig, info, ucv);
    ucontext_t* uc = ucv;
    uint16_t low = *(uint16_t*)uc->uc_mcontext.__gregs[REG_PC];
    uc->uc_mcontext.__gregs[REG_PC] += (low & 3) == 3 ? 4 : 2;
}

static void jump_out(int sig, siginfo_t* info, void* uc)
{
    record(sig, info, uc);
    siglongjmp(g_jump, 1);
}

static volatile int g_depth_in_handler;
static void nested(int sig)
{
    g_hits++;
    if (sig == SIGUSR1 && g_depth_in_handler == 0) {
        g_depth_in_handler = 1;
        raise(SIGUSR2);   /* delivered inside this handler */
        g_depth_in_handler = 0;
    }
}

static volatile int g_alarms;
static void on_alarm(int sig)
{
    (void)sig;
    g_alarms++;
}

static char g_altstack[64 * 1024];
static volatile uintptr_t g_handler_sp;
static void on_altstack(int sig, siginfo_t* info, void* uc)
{
    volatile char here;
    g_handler_sp = (uintptr_t)&here;
    jump_out(sig, info, uc);
}

static long recurse(long n)
{
    volatile char pad[4096];
    pad[0] = (char)n;
    return recurse(n + 1) + pad[0];
}

static int run_checks(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_flags = SA_SIGINFO;

    /* SIGSEGV with the address; the handler skips the load */
    sa.sa_sigaction = skip_instruction;
    CHECK(sigaction(SIGSEGV, &sa, NULL) == 0);
    volatile int* bad = (int*)0x10;
    int v = *bad;
    (void)v;
    CHECK(g_hits == 1 && g_last_sig == SIGSEGV && g_last_code == SEGV_MAPERR && g_last_addr == 0x10);

    /* SIGILL: `unimp` without RVC is csrrw x0, cycle, x0, a write to a read-only CSR (priv. §2.1) */
    CHECK(sigaction(SIGILL, &sa, NULL) == 0);
    __asm__ volatile(".option push\n.option norvc\nunimp\n.option pop");
    CHECK(g_hits == 2 && g_last_sig == SIGILL && g_last_code == ILL_ILLOPC);

    /* SIGTRAP from ebreak */
    CHECK(sigaction(SIGTRAP, &sa, NULL) == 0);
    __asm__ volatile(".option push\n.option norvc\nebreak\n.option pop");
    CHECK(g_hits == 3 && g_last_sig == SIGTRAP);

    /* raise() and kill() to self, with siginfo */
    sa.sa_sigaction = record;
    CHECK(sigaction(SIGUSR1, &sa, NULL) == 0);
    CHECK(raise(SIGUSR1) == 0);
    CHECK(g_hits == 4 && g_last_sig == SIGUSR1 && g_last_code == SI_TKILL);
    CHECK(kill(getpid(), SIGUSR1) == 0);
    CHECK(g_hits == 5 && g_last_code == SI_USER);
    CHECK(syscall(SYS_tgkill, getpid(), gettid(), SIGUSR1) == 0 && g_hits == 6);
    CHECK_ERRNO(kill(1, SIGUSR1), ESRCH);
    CHECK_ERRNO(kill(getpid(), 65), EINVAL);
    CHECK(kill(getpid(), 0) == 0);

    /* masks: blocked signals wait, pending, then arrive when unblocked */
    sigset_t set, old, pending;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    CHECK(sigprocmask(SIG_BLOCK, &set, &old) == 0);
    CHECK(raise(SIGUSR1) == 0 && g_hits == 6);
    CHECK(sigpending(&pending) == 0 && sigismember(&pending, SIGUSR1));
    CHECK(sigprocmask(SIG_SETMASK, &old, NULL) == 0);
    CHECK(g_hits == 7);
    CHECK(sigpending(&pending) == 0 && !sigismember(&pending, SIGUSR1));

    /* SIG_IGN discards, SA_RESETHAND resets to the default after one delivery */
    signal(SIGUSR2, SIG_IGN);
    CHECK(raise(SIGUSR2) == 0 && g_hits == 7);
    sa.sa_flags = SA_SIGINFO | SA_RESETHAND;
    CHECK(sigaction(SIGUSR2, &sa, NULL) == 0);
    CHECK(raise(SIGUSR2) == 0 && g_hits == 8);
    struct sigaction now;
    CHECK(sigaction(SIGUSR2, NULL, &now) == 0 && now.sa_handler == SIG_DFL);
    /* the default action of SIGCHLD and SIGWINCH is to ignore */
    CHECK(raise(SIGCHLD) == 0 && raise(SIGWINCH) == 0);

    /* a signal raised inside a handler: blocked during it unless SA_NODEFER; others nest */
    g_hits = 0;
    signal(SIGUSR1, nested);
    signal(SIGUSR2, nested);
    CHECK(raise(SIGUSR1) == 0 && g_hits == 2);

    /* timers: SIGALRM ends pause(); a periodic timer interrupts a busy loop; alarm(0) cancels */
    signal(SIGALRM, on_alarm);
    struct itimerval once = {{0, 0}, {0, 30000}};
    CHECK(setitimer(ITIMER_REAL, &once, NULL) == 0);
    pause();
    CHECK(g_alarms == 1);
    struct itimerval periodic = {{0, 5000}, {0, 5000}};
    CHECK(setitimer(ITIMER_REAL, &periodic, NULL) == 0);
    while (g_alarms < 4) {
    }
    struct itimerval off = {{0, 0}, {0, 0}}, left;
    CHECK(setitimer(ITIMER_REAL, &off, &left) == 0 && left.it_interval.tv_usec == 5000);
    CHECK(alarm(5) == 0 && alarm(0) >= 4);

    /* SIGKILL and SIGSTOP cannot be caught */
    CHECK_ERRNO(sigaction(SIGKILL, &sa, NULL), EINVAL);

    /* a stack overflow handled on the alternate stack */
    stack_t ss = {.ss_sp = g_altstack, .ss_size = sizeof g_altstack, .ss_flags = 0};
    CHECK(sigaltstack(&ss, NULL) == 0);
    stack_t cur;
    CHECK(sigaltstack(NULL, &cur) == 0 && cur.ss_sp == g_altstack && cur.ss_flags == 0);
    sa.sa_sigaction = on_altstack;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    CHECK(sigaction(SIGSEGV, &sa, NULL) == 0);
    g_hits = 0;
    if (sigsetjmp(g_jump, 1) == 0) {
        recurse(0);
        CHECK(!"unbounded recursion returned");
    }
    CHECK(g_hits == 1 && g_last_sig == SIGSEGV);
    CHECK(g_handler_sp >= (uintptr_t)g_altstack && g_handler_sp < (uintptr_t)g_altstack + sizeof g_altstack);
    return finish();
}

int main(int argc, char** argv)
{
    if (argc < 2)
        return run_checks();
    const char* mode = argv[1];
    if (!strcmp(mode, "abort"))
        abort();
    if (!strcmp(mode, "kill"))
        kill(getpid(), SIGTERM);
    if (!strcmp(mode, "segv"))
        return *(volatile int*)0;
    if (!strcmp(mode, "pipe")) {
        int p[2];
        pipe(p);
        close(p[0]);
        write(p[1], "x", 1);
    }
    if (!strcmp(mode, "ignored")) {
        signal(SIGTERM, SIG_IGN);
        kill(getpid(), SIGTERM);
        return 5;
    }
    return 99;
}
