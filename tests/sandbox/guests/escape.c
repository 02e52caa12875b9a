/* Escape attempts: every one must fail, or stay inside the root. Run as
 *   vireo exec --root ROOT escape OUTSIDE
 * where ROOT holds inside.txt ("inside\n"), hostlink -> OUTSIDE/secret.txt (absolute host path),
 * uplink -> ../outside, rootlink -> /, and (when the test runs as root) chardev, a copy of the
 * host's /dev/null node; OUTSIDE is the host folder next to ROOT with secret.txt. The host side
 * then checks that OUTSIDE and the host's / are untouched. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#include "check.h"

static int read_file(const char* path, char* buf, size_t size)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, size - 1);
    close(fd);
    buf[n < 0 ? 0 : n] = 0;
    return (int)n;
}

static sigjmp_buf g_jump;
static void on_segv(int sig)
{
    (void)sig;
    siglongjmp(g_jump, 1);
}

/* True when touching addr faults (SIGSEGV caught). */
static int faults(volatile char* addr, int write)
{
    if (sigsetjmp(g_jump, 1) == 0) {
        if (write)
            *addr = 1;
        else
            (void)*addr;
        return 0;
    }
    return 1;
}

int main(int argc, char** argv)
{
    char buf[8192], path[PATH_MAX];
    const char* outside = argc > 1 ? argv[1] : "/nonexistent";
    struct stat st;

    /* 1. absolute host paths */
    CHECK_ERRNO(open("/etc/passwd", O_RDONLY), ENOENT);
    CHECK_ERRNO(open("/etc/hostname", O_RDONLY), ENOENT);
    snprintf(path, sizeof path, "%s/secret.txt", outside);
    CHECK_ERRNO(open(path, O_RDONLY), ENOENT);
    CHECK_ERRNO(stat(outside, &st), ENOENT);

    /* 2. .. never climbs above the root */
    CHECK_ERRNO(open("../outside/secret.txt", O_RDONLY), ENOENT);
    CHECK_ERRNO(open("/../outside/secret.txt", O_RDONLY), ENOENT);
    CHECK_ERRNO(open("../../../../../../../../etc/passwd", O_RDONLY), ENOENT);
    CHECK(read_file("/../../../inside.txt", buf, sizeof buf) == 7 && strcmp(buf, "inside\n") == 0);
    for (int i = 0; i < 20; i++)
        CHECK(chdir("..") == 0);
    CHECK(getcwd(buf, sizeof buf) && strcmp(buf, "/") == 0);
    CHECK(read_file("inside.txt", buf, sizeof buf) == 7);
    int root_dir = open("/", O_RDONLY | O_DIRECTORY);
    CHECK_ERRNO(openat(root_dir, "../outside/secret.txt", O_RDONLY), ENOENT);
    CHECK(fchdir(root_dir) == 0 && chdir("..") == 0 && getcwd(buf, sizeof buf) && strcmp(buf, "/") == 0);
    close(root_dir);

    /* 3. symlinks planted by the host resolve inside the root */
    CHECK_ERRNO(open("/hostlink", O_RDONLY), ENOENT);
    CHECK_ERRNO(open("/uplink/secret.txt", O_RDONLY), ENOENT);
    CHECK_ERRNO(stat("/rootlink/etc/passwd", &st), ENOENT);
    CHECK(read_file("/rootlink/inside.txt", buf, sizeof buf) == 7);
    CHECK(read_file("/rootlink/../rootlink/./inside.txt", buf, sizeof buf) == 7);

    /* 4. symlinks made by the guest, too */
    CHECK(symlink("/etc/passwd", "/mylink") == 0);
    CHECK_ERRNO(open("/mylink", O_RDONLY), ENOENT);
    CHECK(symlink(path, "/mylink2") == 0);
    CHECK_ERRNO(open("/mylink2", O_RDONLY), ENOENT);
    CHECK(symlink("../../..", "/up3") == 0);
    CHECK(read_file("/up3/inside.txt", buf, sizeof buf) == 7);
    CHECK_ERRNO(open("/up3/outside/secret.txt", O_RDONLY), ENOENT);
    /* creating through a dangling symlink creates inside the root, or nowhere */
    snprintf(path, sizeof path, "%s/created.txt", outside);
    CHECK(symlink(path, "/dangling") == 0);
    CHECK_ERRNO(open("/dangling", O_CREAT | O_WRONLY, 0644), ENOENT);
    CHECK(symlink("/created_at_root", "/dangling2") == 0);
    int fd = open("/dangling2", O_CREAT | O_WRONLY, 0644);
    CHECK(fd >= 0 && write(fd, "made inside\n", 12) == 12);
    close(fd);
    /* make, move and link things "above" the root: they land in it */
    CHECK(mkdir("/../../escape_dir", 0755) == 0);
    CHECK(rename("/dangling2", "../../../renamed_link") == 0);
    CHECK(link("/inside.txt", "/../../hardlink.txt") == 0);
    CHECK(stat("/hardlink.txt", &st) == 0 && st.st_nlink == 2);

    /* 5. Vireo's /proc, never the host's; no /sys or host devices */
    /* Other processes do not exist; the host's pid 1 least of all. */
    CHECK_ERRNO(open("/proc/1/cmdline", O_RDONLY), ENOENT);
    CHECK_ERRNO(open("/proc/1/root/etc/passwd", O_RDONLY), ENOENT);
    CHECK_ERRNO(stat("/proc/1", &st), ENOENT);
    /* What would reach host memory or kernel state is not there. */
    const char* absent[] = {"/proc/self/mem", "/proc/self/mountinfo", "/proc/self/task", "/proc/kcore", "/proc/sys/kernel/hostname",
                            "/proc/thread-self", "/proc/self/fd/99", "/proc/self/fdinfo/0", "/proc/mounts", "/proc/self/ns/mnt"};
    for (size_t i = 0; i < sizeof absent / sizeof *absent; i++)
        CHECK_ERRNO(open(absent[i], O_RDONLY), ENOENT);
    /* /proc/self/root is this root: whatever follows it stays inside, ".." included. */
    CHECK(readlink("/proc/self/root", buf, sizeof buf) == 1 && buf[0] == '/');
    CHECK(read_file("/proc/self/root/inside.txt", buf, sizeof buf) == 7);
    CHECK(read_file("/proc/self/root/../../../inside.txt", buf, sizeof buf) == 7);
    CHECK(read_file("/proc/self/cwd/../inside.txt", buf, sizeof buf) == 7);
    CHECK_ERRNO(open("/proc/self/root/etc/passwd", O_RDONLY), ENOENT);
    snprintf(path, sizeof path, "/proc/self/root/../..%s/secret.txt", outside);
    CHECK_ERRNO(open(path, O_RDONLY), ENOENT);
    snprintf(path, sizeof path, "/proc/self/cwd/../../..%s/secret.txt", outside);
    CHECK_ERRNO(open(path, O_RDONLY), ENOENT);
    int procroot = open("/proc/self/root", O_RDONLY | O_DIRECTORY);
    CHECK(procroot >= 0);
    CHECK_ERRNO(openat(procroot, "../outside/secret.txt", O_RDONLY), ENOENT);
    close(procroot);
    /* A symlink in the root that points into /proc leads to the root's own folder, which the
     * guest cannot fill with anything of the host's. */
    CHECK(symlink("/proc/self/root", "/procroot") == 0);
    CHECK_ERRNO(open("/procroot/inside.txt", O_RDONLY), ENOENT);
    /* The maps file holds the guest's addresses only. */
    int maps = open("/proc/self/maps", O_RDONLY);
    CHECK(maps >= 0);
    ssize_t got = read(maps, buf, sizeof buf - 1);
    close(maps);
    buf[got > 0 ? got : 0] = 0;
    for (char* line = buf; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        unsigned long lo = 0, hi = 0;
        CHECK(sscanf(line, "%lx-%lx", &lo, &hi) == 2 && lo < hi && hi <= (1ul << 38));
    }
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf);
    CHECK(n > 0 && buf[0] == '/');
    /* Nothing under /proc can be made or written. */
    CHECK(mkdir("/proc/x", 0755) != 0);
    CHECK_ERRNO(open("/proc/self/environ", O_RDWR), EACCES);
    CHECK(symlink("/etc/passwd", "/proc/self/newlink") != 0);
    CHECK_ERRNO(open("/sys/kernel/notes", O_RDONLY), ENOENT);
    CHECK_ERRNO(open("/dev/mem", O_RDONLY), ENOENT);
    CHECK_ERRNO(open("/dev/sda", O_RDWR), ENOENT);
    CHECK_ERRNO(open("/dev/tty", O_RDWR), ENOENT);
    if (lstat("/chardev", &st) == 0)
        CHECK_ERRNO(open("/chardev", O_RDWR), EACCES);
    CHECK_ERRNO(mknod("/node", S_IFCHR | 0666, makedev(1, 3)), EPERM);

    /* 6. no network */
    CHECK_ERRNO(socket(AF_INET, SOCK_STREAM, 0), EACCES);
    CHECK_ERRNO(socket(AF_INET6, SOCK_DGRAM, 0), EACCES);
    CHECK_ERRNO(socket(AF_UNIX, SOCK_STREAM, 0), EACCES);
    CHECK_ERRNO(socket(AF_NETLINK, SOCK_RAW, 0), EACCES);
    /* A socketpair reaches nothing (it is allowed), and cannot be given a name or be pointed at one:
     * the host's daemons listen on named Unix sockets, some in the abstract namespace. */
    int sv[2];
    CHECK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0);
    struct sockaddr_un un = {.sun_family = AF_UNIX};
    strcpy(un.sun_path, "/run/dbus/system_bus_socket");
    CHECK_ERRNO(connect(sv[0], (struct sockaddr*)&un, sizeof un), EAFNOSUPPORT);
    CHECK_ERRNO(bind(sv[0], (struct sockaddr*)&un, sizeof un), EAFNOSUPPORT);
    CHECK_ERRNO(sendto(sv[0], "x", 1, 0, (struct sockaddr*)&un, sizeof un), EAFNOSUPPORT);
    memcpy(un.sun_path, "\0abstract", 10);
    CHECK_ERRNO(connect(sv[0], (struct sockaddr*)&un, sizeof(sa_family_t) + 9), EAFNOSUPPORT);
    /* Passing descriptors: refused, whatever the descriptor. */
    char cbuf[CMSG_SPACE(sizeof(int))];
    memset(cbuf, 0, sizeof cbuf);
    struct iovec one = {"x", 1};
    struct msghdr mh = {.msg_iov = &one, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf};
    struct cmsghdr* cm = CMSG_FIRSTHDR(&mh);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cm), &sv[1], sizeof(int));
    CHECK_ERRNO(sendmsg(sv[0], &mh, 0), EOPNOTSUPP);
    close(sv[0]);
    close(sv[1]);

    /* 7. no host descriptors: only 0, 1 and 2 exist */
    int open_fds = 0;
    for (int i = 3; i < 1024; i++)
        open_fds += fcntl(i, F_GETFD) != -1;
    CHECK(open_fds == 0);
    CHECK_ERRNO(fcntl(2000, F_GETFD), EBADF);
    CHECK_ERRNO(ioctl(0, TIOCSTI, "x"), ENOTTY);

    /* 8. no privilege games */
    CHECK_ERRNO(chown("/inside.txt", 0, 0), EPERM);
    CHECK(chmod("/inside.txt", 04755) == 0 && stat("/inside.txt", &st) == 0 && !(st.st_mode & S_ISUID));
    CHECK(chmod("/inside.txt", 02755) == 0 && stat("/inside.txt", &st) == 0 && !(st.st_mode & S_ISGID));
    fd = open("/suid", O_CREAT | O_WRONLY, 06777);
    CHECK(fd >= 0 && fstat(fd, &st) == 0 && !(st.st_mode & (S_ISUID | S_ISGID)));
    close(fd);
    CHECK_ERRNO(kill(1, SIGKILL), ESRCH);
    CHECK_ERRNO(syscall(SYS_tgkill, 1, 1, SIGKILL), ESRCH);
    CHECK_ERRNO(kill(getppid(), SIGKILL), ESRCH);
    CHECK_ERRNO(ptrace(PTRACE_ATTACH, 1, 0, 0), EPERM);
    CHECK_ERRNO(mount("none", "/", "tmpfs", 0, NULL), EPERM);
    CHECK_ERRNO(chroot("/escape_dir"), EPERM);
    CHECK_ERRNO(setuid(0), EPERM);
    CHECK_ERRNO(syscall(SYS_unshare, 0), EPERM);
    CHECK(execl("/bin/sh", "sh", "-c", "echo escaped", (char*)NULL) == -1);

    /* 9. memory: nothing outside the guest's own space, and not Vireo's pages */
    CHECK_ERRNO(write(1, (void*)0x7fff00000000ul, 10), EFAULT);
    CHECK_ERRNO(write(1, (void*)-4096l, 10), EFAULT);
    CHECK_ERRNO(read(0, (void*)0x4000000000ul, 10), EFAULT);
    CHECK(mmap((void*)0x3fffff0000ul, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED);
    CHECK(mmap((void*)0x4000000000ul, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED);
    CHECK_ERRNO(munmap((void*)0x3fffff0000ul, 4096), EINVAL);
    CHECK(mprotect((void*)0x3fffff0000ul, 4096, PROT_READ | PROT_WRITE) == -1);
    signal(SIGSEGV, on_segv);
    CHECK(faults((char*)0x3fffff0000ul, 1));           /* the sigreturn trampoline is read-only */
    CHECK(faults((char*)0x3fffff1000ul, 0));           /* the call-return page is never mapped */
    CHECK(faults((char*)0x4000000000ul, 0));           /* beyond the 2^38 user space */
    CHECK(faults((char*)0xffffffffff000000ul, 1));
    signal(SIGSEGV, SIG_DFL);

    /* 10. names too long */
    memset(buf, 'a', 5000);
    buf[5000] = 0;
    CHECK_ERRNO(open(buf, O_RDONLY), ENAMETOOLONG);
    return finish();
}
