/* Vireo's /proc: what real programs read there (maps for pthread_getattr_np, status, cmdline,
 * fd/, exe, cpuinfo, meminfo), checked against the program's own view of itself. Run with
 * arguments "one" "two words" and the environment V=1. */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

static char g_text[1 << 16];

static const char* slurp(const char* path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return NULL;
    size_t n = 0;
    ssize_t r;
    while ((r = read(fd, g_text + n, sizeof g_text - 1 - n)) > 0)
        n += (size_t)r;
    close(fd);
    g_text[n] = 0;
    return g_text;
}

/* The maps line holding `addr`: its bounds, permissions and name. */
struct line {
    unsigned long start, end;
    char perms[5];
    char name[64];
};
static int find_mapping(unsigned long addr, struct line* out)
{
    FILE* f = fopen("/proc/self/maps", "r");
    if (!f)
        return 0;
    char buf[256];
    int found = 0;
    while (fgets(buf, sizeof buf, f)) {
        struct line l = {0};
        unsigned long offset, inode;
        unsigned major, minor;
        if (sscanf(buf, "%lx-%lx %4s %lx %x:%x %lu %63s", &l.start, &l.end, l.perms, &offset, &major, &minor, &inode,
                   l.name) < 7)
            continue;
        if (l.start <= addr && addr < l.end) {
            *out = l;
            found = 1;
        }
    }
    fclose(f);
    return found;
}

static void maps(void)
{
    /* Every address is the guest's own: below 2^38 (Sv39), never the host's. */
    const char* text = slurp("/proc/self/maps");
    CHECK(text && strlen(text) > 0);
    unsigned long highest = 0;
    for (const char* p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        unsigned long s, e;
        if (sscanf(p, "%lx-%lx", &s, &e) == 2 && e > highest)
            highest = e;
    }
    CHECK(highest > 0 && highest <= (1ul << 38));

    struct line l;
    int on_stack = 0;
    CHECK(find_mapping((unsigned long)&on_stack, &l) && strcmp(l.perms, "rw-p") == 0 && strcmp(l.name, "[stack]") == 0);
    CHECK(find_mapping((unsigned long)&maps, &l) && strcmp(l.perms, "r-xp") == 0);
    void* small = malloc(100);   /* from brk */
    CHECK(find_mapping((unsigned long)small, &l) && strcmp(l.perms, "rw-p") == 0 && strcmp(l.name, "[heap]") == 0);
    free(small);

    /* A mapping of our own, then half of it made PROT_NONE: two lines with the exact bounds. */
    char* m = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(m != MAP_FAILED);
    CHECK(mprotect(m + 2 * 4096, 2 * 4096, PROT_NONE) == 0);
    CHECK(find_mapping((unsigned long)m, &l) && l.start == (unsigned long)m && l.end == (unsigned long)m + 2 * 4096 &&
          strcmp(l.perms, "rw-p") == 0);
    CHECK(find_mapping((unsigned long)m + 3 * 4096, &l) && l.start == (unsigned long)m + 2 * 4096 &&
          strcmp(l.perms, "---p") == 0);
    CHECK(munmap(m, 4 * 4096) == 0);
    CHECK(!find_mapping((unsigned long)m, &l));

    /* glibc finds the main thread's stack through /proc/self/maps. */
    pthread_attr_t attr;
    void* stack = NULL;
    size_t size = 0;
    CHECK(pthread_getattr_np(pthread_self(), &attr) == 0);
    CHECK(pthread_attr_getstack(&attr, &stack, &size) == 0);
    CHECK((char*)&on_stack >= (char*)stack && (char*)&on_stack < (char*)stack + size);
    pthread_attr_destroy(&attr);
}

static void* sleeper(void* arg)
{
    int* fd = arg;
    char c;
    (void)!read(*fd, &c, 1);
    return NULL;
}

static void status_cmdline_environ(int argc, char** argv)
{
    const char* s = slurp("/proc/self/status");
    char want[64];
    snprintf(want, sizeof want, "\nPid:\t%d\n", getpid());
    CHECK(s && strstr(s, want));
    CHECK(s && strstr(s, "\nThreads:\t1\n"));
    int p[2];
    CHECK(pipe(p) == 0);
    pthread_t t;
    CHECK(pthread_create(&t, NULL, sleeper, &p[0]) == 0);
    s = slurp("/proc/self/status");
    CHECK(s && strstr(s, "\nThreads:\t2\n"));
    CHECK(write(p[1], "x", 1) == 1);
    CHECK(pthread_join(t, NULL) == 0);
    close(p[0]);
    close(p[1]);
    CHECK(s && strncmp(s, "Name:\tprocfs", 12) == 0);

    /* cmdline: the arguments, each ended by a NUL; read from memory, so a changed argv shows. */
    int fd = open("/proc/self/cmdline", O_RDONLY);
    char buf[512];
    ssize_t n = read(fd, buf, sizeof buf);
    close(fd);
    size_t expect = 0;
    for (int i = 0; i < argc; i++)
        expect += strlen(argv[i]) + 1;
    CHECK(n == (ssize_t)expect);
    CHECK(argc == 3 && n > 0 && memcmp(buf + n - 14, "one\0two words\0", 14) == 0);
    argv[1][0] = 'O';
    s = slurp("/proc/self/cmdline");
    CHECK(s && strstr(s + strlen(s) + 1, "One") == s + strlen(s) + 1);
    fd = open("/proc/self/environ", O_RDONLY);
    n = read(fd, buf, sizeof buf);
    close(fd);
    CHECK(n == 4 && memcmp(buf, "V=1\0", 4) == 0);
}

static void descriptors_and_links(void)
{
    int p[2];
    CHECK(pipe(p) == 0);
    char link[256];
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", p[0]);
    ssize_t n = readlink(path, link, sizeof link - 1);
    CHECK(n > 6 && memcmp(link, "pipe:[", 6) == 0);
    /* Opening the link of the write end writes into the same pipe. */
    snprintf(path, sizeof path, "/proc/self/fd/%d", p[1]);
    int again = open(path, O_WRONLY);
    CHECK(again >= 0 && again != p[1]);
    CHECK(write(again, "via proc", 8) == 8);
    char buf[16];
    CHECK(read(p[0], buf, sizeof buf) == 8 && memcmp(buf, "via proc", 8) == 0);
    close(again);

    /* fd/ lists exactly the open descriptors, its own included. */
    DIR* d = opendir("/proc/self/fd");
    CHECK(d != NULL);
    int seen = 0, own = d ? dirfd(d) : -1;
    int saw_own = 0, saw_pipe = 0, saw_dots = 0;
    struct dirent* e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.') {
            saw_dots++;
            continue;
        }
        seen++;
        saw_own |= atoi(e->d_name) == own;
        saw_pipe |= atoi(e->d_name) == p[1];
        CHECK(e->d_type == DT_LNK);
    }
    if (d)
        closedir(d);
    CHECK(seen == 6 && saw_own && saw_pipe && saw_dots == 2);   /* 0 1 2, the pipe, the dir */
    close(p[0]);
    close(p[1]);
    CHECK_ERRNO(readlink(path, link, sizeof link), ENOENT);

    /* exe: an absolute name, and opening it reads the program. */
    n = readlink("/proc/self/exe", link, sizeof link - 1);
    CHECK(n > 0 && link[0] == '/');
    int fd = open("/proc/self/exe", O_RDONLY);
    CHECK(fd >= 0 && read(fd, buf, 4) == 4 && memcmp(buf, "\177ELF", 4) == 0);
    close(fd);
    CHECK(readlink("/proc/self", link, sizeof link) > 0);
    struct stat st;
    CHECK(lstat("/proc/self", &st) == 0 && S_ISLNK(st.st_mode));
    CHECK(stat("/proc/self", &st) == 0 && S_ISDIR(st.st_mode));
    CHECK(stat("/proc/self/", &st) == 0 && S_ISDIR(st.st_mode));
    snprintf(path, sizeof path, "/proc/%d/status", getpid());
    CHECK(stat(path, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0777) == 0444);
    CHECK(stat("/proc/self/fd/../fd/1", &st) == 0);
    CHECK(access("/proc/self/maps", R_OK) == 0);
    CHECK_ERRNO(access("/proc/self/maps", W_OK), EACCES);

    /* Read-only: no writing, no changing. */
    CHECK_ERRNO(open("/proc/self/status", O_WRONLY), EACCES);
    CHECK_ERRNO(open("/proc/newfile", O_CREAT | O_WRONLY, 0600), ENOENT);
    fd = open("/proc/self/status", O_RDONLY);
    CHECK_ERRNO(write(fd, "x", 1), EBADF);
    CHECK(lseek(fd, 0, SEEK_END) > 0 && lseek(fd, 0, SEEK_SET) == 0);
    close(fd);
    CHECK(mkdir("/proc/newdir", 0700) != 0);
    CHECK(unlink("/proc/self/maps") != 0);
    CHECK(rename("/proc/self/maps", "/proc/self/maps2") != 0);
}

static void machine(void)
{
    const char* s = slurp("/proc/cpuinfo");
    CHECK(s && strstr(s, "processor\t: 0\n") && strstr(s, "isa\t\t: rv64imafdc"));
    s = slurp("/proc/meminfo");
    unsigned long total = 0, avail = 0;
    CHECK(s && sscanf(s, "MemTotal: %lu kB", &total) == 1);
    CHECK(s && strstr(s, "MemAvailable:") && sscanf(strstr(s, "MemAvailable:"), "MemAvailable: %lu kB", &avail) == 1);
    CHECK(total == 64 * 1024);   /* --mem 64M */
    CHECK(avail > 0 && avail < total);
    s = slurp("/proc/uptime");
    double up = -1;
    CHECK(s && sscanf(s, "%lf", &up) == 1 && up >= 0 && up < 600);
    /* Only this process: /proc lists one pid. */
    DIR* d = opendir("/proc");
    int pids = 0, mine = 0;
    struct dirent* e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] >= '0' && e->d_name[0] <= '9') {
            pids++;
            mine |= atoi(e->d_name) == getpid();
        }
    }
    if (d)
        closedir(d);
    CHECK(pids == 1 && mine);
}

int main(int argc, char** argv)
{
    maps();
    status_cmdline_environ(argc, argv);
    descriptors_and_links();
    machine();
    return finish();
}
