/* Self-checking guest programs: each CHECK prints a FAIL line when it does not hold, and finish()
 * prints "PASSED n checks" or "FAILED ..." and returns the exit status. The host-side test reads
 * these lines, so a failure names the file, the line and the errno. */
#ifndef VIREO_TEST_CHECK_H
#define VIREO_TEST_CHECK_H

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int g_checks, g_failures;

#define CHECK(cond)                                                                              \
    do {                                                                                         \
        g_checks++;                                                                              \
        if (!(cond)) {                                                                           \
            g_failures++;                                                                        \
            printf("FAIL %s:%d: %s (errno %d: %s)\n", __FILE__, __LINE__, #cond, errno,          \
                   strerror(errno));                                                             \
        }                                                                                        \
    } while (0)

/* expr must return -1 with errno == err. */
#define CHECK_ERRNO(expr, err)                                                                   \
    do {                                                                                         \
        errno = 0;                                                                               \
        long r_ = (long)(expr);                                                                  \
        int e_ = errno;                                                                          \
        g_checks++;                                                                              \
        if (r_ != -1 || e_ != (err)) {                                                           \
            g_failures++;                                                                        \
            printf("FAIL %s:%d: %s = %ld, errno %d (%s); expected -1, errno %d (%s)\n", __FILE__,  \
                   __LINE__, #expr, r_, e_, strerror(e_), (err), strerror(err));                 \
        }                                                                                        \
    } while (0)

static int finish(void)
{
    printf("%s %d checks, %d failures\n", g_failures ? "FAILED" : "PASSED", g_checks, g_failures);
    fflush(stdout);
    return g_failures ? 1 : 0;
}

#endif
