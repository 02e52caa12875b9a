/* MAP_SHARED file mappings: what the program writes into them reaches the file, on msync,
 * munmap, a mapping put over them, MADV_DONTNEED, and at exit (and in a forked child), page by
 * page, never past the end of the file and never over bytes the program did not change.
 * Run with --root: it leaves /exit-data for the host to check ('E' at offset 10). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

enum { kPage = 4096, kSize = 2 * kPage + 100 };

static void make_file(const char* path, char fill, size_t size)
{
    int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
    char* buf = malloc(size);
    memset(buf, fill, size);
    CHECK(fd >= 0 && write(fd, buf, size) == (ssize_t)size);
    free(buf);
    close(fd);
}

static char byte_at(const char* path, off_t at)
{
    int fd = open(path, O_RDONLY);
    char c = 0;
    if (pread(fd, &c, 1, at) != 1)
        c = 0;
    close(fd);
    return c;
}

static off_t size_of(const char* path)
{
    struct stat st;
    return stat(path, &st) == 0 ? st.st_size : -1;
}

/* How many bytes of the file differ from `fill`. */
static int changed_bytes(const char* path, char fill)
{
    int fd = open(path, O_RDONLY);
    char buf[kSize];
    ssize_t n = read(fd, buf, sizeof buf);
    close(fd);
    int changed = 0;
    for (ssize_t i = 0; i < n; i++)
        changed += buf[i] != fill;
    return changed;
}

int main(void)
{
    make_file("/data", 'a', kSize);
    int fd = open("/data", O_RDWR);
    char* p = mmap(NULL, 3 * kPage, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    CHECK(p != MAP_FAILED);
    close(fd);   /* the mapping keeps the file */

    /* msync writes back what changed, and the file keeps its size. */
    CHECK(p[0] == 'a' && p[kSize - 1] == 'a' && p[kSize] == 0);
    p[0] = 'X';
    p[kPage + 5] = 'Y';
    p[kSize + 10] = 'Z';   /* past the end of the file: never written to it */
    CHECK(byte_at("/data", 0) == 'a');   /* not coherent: only msync and friends write back */
    CHECK(msync(p, 3 * kPage, MS_SYNC) == 0);
    CHECK(byte_at("/data", 0) == 'X' && byte_at("/data", kPage + 5) == 'Y');
    CHECK(size_of("/data") == kSize);
    CHECK(changed_bytes("/data", 'a') == 2);

    /* A page the program did not touch does not overwrite what was written to the file since. */
    fd = open("/data", O_WRONLY);
    CHECK(pwrite(fd, "W", 1, 2000) == 1);   /* page 0, behind the mapping's back */
    close(fd);
    p[kPage + 6] = 'Q';                     /* page 1 */
    CHECK(munmap(p, 3 * kPage) == 0);
    CHECK(byte_at("/data", 2000) == 'W' && byte_at("/data", kPage + 6) == 'Q' && byte_at("/data", 0) == 'X');

    /* Unmapping the middle page writes it back; the rest stays mapped and tracked. */
    make_file("/data", 'b', kSize);
    fd = open("/data", O_RDWR);
    p = mmap(NULL, 3 * kPage, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    p[0] = '0';
    p[kPage] = '1';
    p[2 * kPage] = '2';
    CHECK(munmap(p + kPage, kPage) == 0);
    CHECK(byte_at("/data", kPage) == '1' && byte_at("/data", 0) == 'b');
    CHECK(msync(p, kPage, MS_ASYNC) == 0 && byte_at("/data", 0) == '0');
    CHECK(byte_at("/data", 2 * kPage) == 'b');
    /* A MAP_FIXED mapping put over it writes it back first. */
    CHECK(mmap(p + 2 * kPage, kPage, PROT_READ | PROT_WRITE, MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == p + 2 * kPage);
    CHECK(byte_at("/data", 2 * kPage) == '2');
    /* MADV_DONTNEED: the page reads the file again, with the program's change in it. */
    p[1] = 'M';
    CHECK(madvise(p, kPage, MADV_DONTNEED) == 0);
    CHECK(p[1] == 'M' && p[2] == 'b' && byte_at("/data", 1) == 'M');
    /* Errors msync(2) lists. */
    CHECK_ERRNO(msync(p + 1, kPage, MS_SYNC), EINVAL);
    CHECK_ERRNO(msync(p, kPage, MS_SYNC | MS_ASYNC), EINVAL);
    CHECK_ERRNO(msync(p + kPage, kPage, MS_SYNC), ENOMEM);   /* the page unmapped above */
    munmap(p, 3 * kPage);
    close(fd);

    /* MAP_PRIVATE never reaches the file; a read-only file cannot be mapped shared and writable. */
    make_file("/data", 'c', kSize);
    fd = open("/data", O_RDWR);
    p = mmap(NULL, kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    p[0] = 'P';
    CHECK(msync(p, kPage, MS_SYNC) == 0 && munmap(p, kPage) == 0);
    CHECK(changed_bytes("/data", 'c') == 0);
    close(fd);
    fd = open("/data", O_RDONLY);
    CHECK(mmap(NULL, kPage, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED && errno == EACCES);
    close(fd);

    /* A forked child's writes reach the file when it exits. */
    fd = open("/data", O_RDWR);
    p = mmap(NULL, kPage, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    pid_t child = fork();
    if (child == 0) {
        p[7] = 'C';
        _exit(0);
    }
    int status = 0;
    CHECK(waitpid(child, &status, 0) == child && WIFEXITED(status));
    CHECK(byte_at("/data", 7) == 'C');
    munmap(p, kPage);

    /* Left mapped and changed at exit: the host checks the file. */
    make_file("/exit-data", 'e', kSize);
    fd = open("/exit-data", O_RDWR);
    p = mmap(NULL, kSize, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    p[10] = 'E';
    return finish();
}
