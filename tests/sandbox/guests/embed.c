/* A guest for the embedding API (Sandbox::call, host functions, snapshot/reset/fork): main()
 * prepares some state, says "ready" and pauses; the host then calls these functions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vireo_guest.h"

#define EXPORT __attribute__((used, noinline))

static long g_counter;
static long* g_table;

EXPORT long add(long a, long b) { return a + b; }

EXPORT long sum8(long a, long b, long c, long d, long e, long f, long g, long h)
{
    return a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f + 7 * g + 8 * h;
}

EXPORT long sum_bytes(const unsigned char* p, long n)
{
    long s = 0;
    for (long i = 0; i < n; i++)
        s += p[i];
    return s;
}

EXPORT long count_char(const char* s, long c)
{
    long n = 0;
    for (; *s; s++)
        n += *s == c;
    return n;
}

EXPORT void upcase(char* s, long n)
{
    for (long i = 0; i < n; i++)
        if (s[i] >= 'a' && s[i] <= 'z')
            s[i] = (char)(s[i] - 'a' + 'A');
}

EXPORT long counter_next(void) { return ++g_counter; }

EXPORT long table_sum(void)
{
    long s = 0;
    for (int i = 0; i < 1000; i++)
        s += g_table[i];
    return s;
}

/* Changes memory in several ways: the table, the heap, a fresh mapping (kept, so that it lives
 * until a reset). */
static char* volatile g_kept;
EXPORT long scribble(long n)
{
    for (int i = 0; i < 1000; i++)
        g_table[i] = n;
    char* p = malloc(1 << 20);
    memset(p, (int)n, 1 << 20);
    g_kept = p;
    return g_kept[12345];
}

EXPORT long call_host(long x) { return vireo_host_call(1, x, 100); }

EXPORT long crash(void) { return *(volatile long*)8; }

EXPORT long spin(void)
{
    for (volatile long i = 0;; i++) {
    }
}

int main(void)
{
    g_table = malloc(1000 * sizeof *g_table);
    for (int i = 0; i < 1000; i++)
        g_table[i] = i;
    printf("ready\n");
    fflush(stdout);
    vireo_pause();
    printf("resumed %ld\n", g_counter);
    return 7;
}
