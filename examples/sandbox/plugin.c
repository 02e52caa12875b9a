/* A guest "plugin" for examples/sandbox/embed.cpp: a riscv64 Linux program that sets itself up,
 * then pauses so its host can call its functions, as often as it likes.
 *
 *   riscv64-linux-gnu-gcc -O2 -static -I src/sandbox/guest -o plugin plugin.c
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vireo_guest.h"

enum { HOST_LOG = 1 };   /* the host function the embedder registered under number 1 */

static int g_weights[256];
static long g_calls;

/* Scores a text: letters by a weight table made at start-up; reports each call to the host. */
__attribute__((used, noinline)) long score(const char* text, long length)
{
    long total = 0;
    for (long i = 0; i < length; i++)
        total += g_weights[(unsigned char)text[i]];
    g_calls++;
    vireo_host_call(HOST_LOG, g_calls, total);
    return total;
}

/* Writes the text back in capitals: the host reads the buffer after the call. */
__attribute__((used, noinline)) void shout(char* text, long length)
{
    for (long i = 0; i < length; i++)
        text[i] = (char)toupper((unsigned char)text[i]);
}

int main(void)
{
    for (int c = 0; c < 256; c++)
        g_weights[c] = isalpha(c) ? (tolower(c) - 'a' + 1) : 0;
    printf("plugin: ready\n");
    fflush(stdout);
    vireo_pause();          /* the host calls score() and shout() from here on */
    printf("plugin: resumed after %ld calls\n", g_calls);
    return 0;
}
