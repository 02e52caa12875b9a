/* Guest processes (vireo exec runs with processes allowed): fork, wait, pipes between processes,
 * execve with argv/envp, #! scripts, posix_spawn, and deaths by signal seen through wait.
 * Run with --root DIR where DIR holds /hello (guests/hello), /script ("#!/hello 9") and /noexec
 * (hello without execute permission). */
#define _GNU_SOURCE
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

extern char** environ;

static volatile int g_got;
static void on_usr1(int sig) { g_got = sig; }

int main(void)
{
    int status = 0;

    /* fork: the child has its own pid and memory; the parent waits for its status */
    static volatile int shared = 1;
    pid_t child = fork();
    if (child == 0) {
        shared = 2;
        _exit(getppid() == 1000 && getpid() != 1000 ? 42 : 1);
    }
    CHECK(child > 0);
    CHECK(waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 42);
    CHECK(shared == 1);
    CHECK_ERRNO(waitpid(child, &status, 0), ECHILD);
    CHECK_ERRNO(waitpid(-1, &status, WNOHANG), ECHILD);

    /* a pipe between parent and child */
    int p[2];
    CHECK(pipe(p) == 0);
    child = fork();
    if (child == 0) {
        close(p[0]);
        dprintf(p[1], "from the child %d\n", getpid());
        _exit(0);
    }
    close(p[1]);
    char buf[128] = {0};
    ssize_t n = read(p[0], buf, sizeof buf - 1);
    CHECK(n > 0 && strncmp(buf, "from the child ", 15) == 0 && atoi(buf + 15) == child);
    close(p[0]);
    CHECK(waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 0);

    /* deaths by signal: raised by the child itself, or sent by the parent */
    child = fork();
    if (child == 0) {
        raise(SIGSEGV);
        _exit(1);
    }
    CHECK(waitpid(child, &status, 0) == child && WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV);
    child = fork();
    if (child == 0) {
        pause();
        _exit(1);
    }
    CHECK(kill(child, SIGTERM) == 0);
    CHECK(waitpid(child, &status, 0) == child && WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
    CHECK(waitpid(-1, &status, WNOHANG) == -1 && errno == ECHILD);

    /* a signal from the parent runs the child's handler; a busy child is interrupted too */
    int ready[2];
    CHECK(pipe(ready) == 0);
    child = fork();
    if (child == 0) {
        signal(SIGUSR1, on_usr1);
        write(ready[1], "r", 1);
        while (!g_got)
            pause();
        _exit(g_got);
    }
    char c;
    CHECK(read(ready[0], &c, 1) == 1);
    CHECK(kill(child, SIGUSR1) == 0);
    CHECK(waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == SIGUSR1);
    child = fork();
    if (child == 0) {
        write(ready[1], "r", 1);
        for (volatile long i = 0;; i++) {
        }
    }
    CHECK(read(ready[0], &c, 1) == 1);
    CHECK(kill(child, SIGTERM) == 0);
    CHECK(waitpid(child, &status, 0) == child && WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
    close(ready[0]);
    close(ready[1]);

    /* execve: argv and envp arrive; the status comes back through wait */
    child = fork();
    if (child == 0) {
        char* args[] = {"/hello", "17", NULL};
        char* env[] = {"FROM=parent", NULL};
        execve("/hello", args, env);
        _exit(99);
    }
    CHECK(waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 17);

    /* #! scripts run their interpreter with the script's path */
    child = fork();
    if (child == 0) {
        char* args[] = {"/script", NULL};
        execve("/script", args, environ);
        _exit(99);
    }
    CHECK(waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 9);

    /* failures leave the caller running */
    char* none[] = {"x", NULL};
    CHECK_ERRNO(execve("/missing", none, environ), ENOENT);
    CHECK_ERRNO(execve("/noexec", none, environ), EACCES);
    CHECK_ERRNO(execve("/", none, environ), EACCES);

    /* posix_spawn (clone with CLONE_VM | CLONE_VFORK) */
    pid_t spawned = 0;
    char* spawn_args[] = {"/hello", "3", NULL};
    CHECK(posix_spawn(&spawned, "/hello", NULL, NULL, spawn_args, environ) == 0);
    CHECK(waitpid(spawned, &status, 0) == spawned && WIFEXITED(status) && WEXITSTATUS(status) == 3);
    return finish();
}
