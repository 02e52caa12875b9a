/* Memory system calls: brk, mmap (anonymous and file), munmap, mprotect (with a fault caught),
 * mremap, madvise, MAP_FIXED(_NOREPLACE), and stack growth. Run with --root DIR (any folder). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"

static sigjmp_buf g_jump;
static volatile void* g_fault_addr;

static void on_segv(int sig, siginfo_t* info, void* uc)
{
    (void)sig;
    (void)uc;
    g_fault_addr = info->si_addr;
    siglongjmp(g_jump, info->si_code);
}

/* Called often enough that the translator takes its load over from the interpreter. */
__attribute__((noinline)) static long load_at(const volatile long* p) { return *p; }

/* The si_code of the SIGSEGV that load_at(p) raises (g_fault_addr: where), or 0 when none. */
static int load_fault(const volatile long* p)
{
    const int code = sigsetjmp(g_jump, 1);
    if (code == 0)
        (void)load_at(p);
    return code;
}

/* The same for stores. */
__attribute__((noinline)) static void store_at(volatile long* p, long value) { *p = value; }

static int store_fault(volatile long* p)
{
    const int code = sigsetjmp(g_jump, 1);
    if (code == 0)
        store_at(p, 0x77);
    return code;
}

/* Accesses a little below and above a base register: translated code checks the base, not each
 * address, so these reach past the guest's space from a base inside it. */
__attribute__((noinline)) static long load_below(const volatile long* p) { return p[-2]; }
__attribute__((noinline)) static void store_above(volatile long* p) { p[0] = 1; p[200] = 2; }

static int wild_fault(int store, uintptr_t base)
{
    const int code = sigsetjmp(g_jump, 1);
    if (code == 0) {
        if (store)
            store_above((volatile long*)base);
        else
            (void)load_below((const volatile long*)base);
    }
    return code;
}

static long deep(int n, volatile char* prev)
{
    volatile char frame[1024];
    frame[0] = (char)n;
    frame[1023] = prev ? prev[0] : 0;
    if (n == 0)
        return frame[0];
    return deep(n - 1, frame) + frame[1023];
}

int main(void)
{
    const long page = sysconf(_SC_PAGESIZE);
    CHECK(page == 4096);

    /* brk */
    void* start = sbrk(0);
    CHECK(sbrk(1 << 20) == start);
    memset(start, 0x5a, 1 << 20);
    CHECK(sbrk(0) == (char*)start + (1 << 20));
    CHECK(sbrk(-(1 << 20)) != (void*)-1 && sbrk(0) == start);

    /* malloc, small and large */
    for (int i = 1; i < 2000; i++) {
        char* p = malloc((size_t)i * 37);
        CHECK(p != NULL);
        memset(p, i, (size_t)i * 37);
        free(p);
    }
    char* big = malloc(64 << 20);
    CHECK(big != NULL);
    memset(big, 1, 64 << 20);
    free(big);

    /* anonymous mmap, munmap */
    char* m = mmap(NULL, 10 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(m != MAP_FAILED);
    CHECK(m[0] == 0 && m[10 * page - 1] == 0);
    memset(m, 3, 10 * page);
    CHECK(munmap(m + 2 * page, page) == 0);
    /* mprotect: a write to a read-only page is SIGSEGV with SEGV_ACCERR at that address; a read of
     * an unmapped one is SEGV_MAPERR. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    CHECK(sigaction(SIGSEGV, &sa, NULL) == 0);
    CHECK(mprotect(m, page, PROT_READ) == 0);
    int code = sigsetjmp(g_jump, 1);
    if (code == 0) {
        m[100] = 1;
        CHECK(!"the write to a read-only page did not fault");
    } else {
        CHECK(code == SEGV_ACCERR && g_fault_addr == m + 100);
    }
    code = sigsetjmp(g_jump, 1);
    if (code == 0) {
        volatile char c = m[2 * page + 5];
        (void)c;
        CHECK(!"the read of an unmapped page did not fault");
    } else {
        CHECK(code == SEGV_MAPERR && g_fault_addr == m + 2 * page + 5);
    }
    CHECK(m[0] == 3);
    CHECK(mprotect(m, page, PROT_READ | PROT_WRITE) == 0);
    m[100] = 9;
    CHECK(m[100] == 9);
    /* PROT_NONE keeps the contents */
    CHECK(mprotect(m + 3 * page, page, PROT_NONE) == 0);
    CHECK(mprotect(m + 3 * page, page, PROT_READ) == 0 && m[3 * page + 7] == 3);
    CHECK_ERRNO(mprotect(m + 2 * page, page, PROT_READ), ENOMEM);

    /* A read of a PROT_NONE page faults from translated code too (the host's protection mirrors
     * the guest's), a doubleword straddling into it as well; the page keeps its contents through
     * mremap, and reads back once readable. */
    {
        char* n = mmap(NULL, 3 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        CHECK(n != MAP_FAILED);
        memset(n, 5, 3 * page);
        CHECK(mprotect(n + page, page, PROT_NONE) == 0);
        unsigned long sum = 0;
        for (int i = 0; i < 1000; i++)
            sum += (unsigned long)load_at((const long*)(n + 8 * (i % 16)));
        CHECK(sum == 1000ul * 0x0505050505050505ul);
        CHECK(load_fault((const long*)(n + page + 16)) == SEGV_ACCERR && g_fault_addr == n + page + 16);
        CHECK(load_fault((const long*)(n + page - 4)) != 0);   /* straddling into it */
        char* moved = mremap(n, 3 * page, 64 * page, MREMAP_MAYMOVE);
        CHECK(moved != MAP_FAILED);
        CHECK(load_fault((const long*)(moved + page + 16)) == SEGV_ACCERR && g_fault_addr == moved + page + 16);
        CHECK(mprotect(moved + page, page, PROT_READ) == 0);
        CHECK(load_at((const long*)(moved + page + 16)) == 0x0505050505050505l);
        CHECK(munmap(moved, 64 * page) == 0);
    }

    /* A write to a page the guest may not write faults from translated code too: read-only,
     * execute-only and PROT_NONE pages, a doubleword straddling into one, a read-only page moved by
     * mremap, the program's own code; the pages keep their contents, and take writes once writable. */
    {
        char* w = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        CHECK(w != MAP_FAILED);
        for (int i = 0; i < 1000; i++)
            store_at((long*)(w + 8 * (i % 16)), i);
        CHECK(*(long*)(w + 8 * 7) == 999);   /* 999 % 16 == 7 */
        memset(w + page, 6, 3 * page);
        CHECK(mprotect(w + page, page, PROT_READ) == 0);
        CHECK(mprotect(w + 2 * page, page, PROT_EXEC) == 0);
        CHECK(mprotect(w + 3 * page, page, PROT_NONE) == 0);
        for (int k = 1; k < 4; k++)
            CHECK(store_fault((long*)(w + k * page + 24)) == SEGV_ACCERR && g_fault_addr == w + k * page + 24);
        CHECK(store_fault((long*)(w + page - 4)) != 0);   /* straddling into the read-only page */
        CHECK(store_fault((long*)(uintptr_t)&store_at) == SEGV_ACCERR);
        CHECK(*(long*)(w + page + 24) == 0x0606060606060606l);
        char* moved = mremap(w, 4 * page, 64 * page, MREMAP_MAYMOVE);
        CHECK(moved != MAP_FAILED);
        CHECK(store_fault((long*)(moved + page + 24)) == SEGV_ACCERR && g_fault_addr == moved + page + 24);
        CHECK(mprotect(moved + page, 3 * page, PROT_READ | PROT_WRITE) == 0);
        CHECK(*(long*)(moved + 3 * page + 24) == 0x0606060606060606l);
        store_at((long*)(moved + 3 * page + 24), 42);
        CHECK(*(long*)(moved + 3 * page + 24) == 42);
        CHECK(munmap(moved, 64 * page) == 0);
    }

    /* A base register inside the guest's space with an offset that leaves it: the access faults
     * and reports the address it meant (from translated code, warmed up first). */
    {
        static long buffer[256];
        for (int i = 0; i < 100; i++) {
            store_above(buffer + i % 8);
            (void)load_below(buffer + 2 + i % 8);
        }
        CHECK(buffer[200] == 2);
        CHECK(wild_fault(0, 8) != 0);
        CHECK(g_fault_addr == (void*)(uintptr_t)-8);
        const uintptr_t top = ((uintptr_t)1 << 38) - 8;   /* the last doubleword of Sv39 */
        CHECK(wild_fault(1, top) != 0 && g_fault_addr == (void*)top);
        CHECK(wild_fault(1, top - 8 * 100) != 0 && g_fault_addr == (void*)(top - 8 * 100));
    }

    /* MAP_FIXED replaces, MAP_FIXED_NOREPLACE refuses */
    char* fixed = mmap(m + 4 * page, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    CHECK(fixed == m + 4 * page && fixed[0] == 0);
    CHECK(mmap(m + 5 * page, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) == MAP_FAILED && errno == EEXIST);
    /* madvise(DONTNEED) zeroes private anonymous memory */
    CHECK(madvise(m + 5 * page, page, MADV_DONTNEED) == 0 && m[5 * page] == 0);
    CHECK(munmap(m, 10 * page) == 0);

    /* mremap: grow in place or move, contents kept */
    /* four pages, and a fifth right after them that stops growth in place */
    char* r = mmap(NULL, 5 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (int i = 0; i < 4 * page; i++)
        r[i] = (char)(i * 7);
    char* blocker = r + 4 * page;
    CHECK(mprotect(blocker, page, PROT_READ) == 0);
    CHECK(mremap(r, 4 * page, 16 * page, 0) == MAP_FAILED && errno == ENOMEM);
    char* moved = mremap(r, 4 * page, 16 * page, MREMAP_MAYMOVE);
    CHECK(moved != MAP_FAILED && moved != r);
    int same = 1;
    for (int i = 0; i < 4 * page; i++)
        same &= moved[i] == (char)(i * 7);
    CHECK(same);
    CHECK(moved[16 * page - 1] == 0);
    char* shrunk = mremap(moved, 16 * page, 2 * page, 0);
    CHECK(shrunk == moved && shrunk[page] == (char)(page * 7));
    munmap(shrunk, 2 * page);
    munmap(blocker, page);

    /* a file mapping reads the file */
    int fd = open("/mapped.bin", O_CREAT | O_RDWR | O_TRUNC, 0644);
    for (int i = 0; i < 3 * 4096; i += 4)
        CHECK(write(fd, &i, 4) == 4 || i);
    char* fm = mmap(NULL, 3 * page, PROT_READ, MAP_PRIVATE, fd, page);
    CHECK(fm != MAP_FAILED);
    CHECK(*(int*)fm == page && *(int*)(fm + page - 4) == 2 * page - 4 && *(int*)(fm + 2 * page) == 0);
    CHECK(store_fault((long*)fm) == SEGV_ACCERR && *(int*)fm == page);   /* filled by the host, read-only */
    munmap(fm, 3 * page);
    close(fd);
    unlink("/mapped.bin");

    /* the stack grows on demand past the first 128 KiB: 4 MiB of frames */
    CHECK(deep(4000, NULL) >= 0);

    /* bad arguments */
    CHECK(mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED && errno == EINVAL);
    CHECK(mmap((void*)0x1001, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED && errno == EINVAL);
    CHECK(mmap(NULL, page, PROT_READ, MAP_PRIVATE, 12345, 0) == MAP_FAILED && errno == EBADF);
    CHECK_ERRNO(munmap((void*)0x1001, page), EINVAL);
    return finish();
}
