/* File system calls inside --root: every family, with results checked in the guest.
 * Run with --root DIR where DIR is an empty, writable folder. */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <termios.h>
#include <unistd.h>

#include "check.h"

static int count_entries(const char* path, const char* want, int* found)
{
    DIR* d = opendir(path);
    if (!d)
        return -1;
    int n = 0;
    *found = 0;
    struct dirent* e;
    while ((e = readdir(d))) {
        n++;
        if (want && strcmp(e->d_name, want) == 0)
            *found = 1;
    }
    closedir(d);
    return n;
}

int main(void)
{
    char buf[256];

    /* open/write/read/lseek/close */
    int fd = open("/data.txt", O_CREAT | O_RDWR | O_TRUNC, 0644);
    CHECK(fd >= 3);
    CHECK(write(fd, "hello, world\n", 13) == 13);
    CHECK(lseek(fd, 0, SEEK_CUR) == 13);
    CHECK(lseek(fd, 7, SEEK_SET) == 7);
    memset(buf, 0, sizeof buf);
    CHECK(read(fd, buf, sizeof buf) == 6 && strcmp(buf, "world\n") == 0);
    CHECK(read(fd, buf, sizeof buf) == 0);
    CHECK(pwrite(fd, "W", 1, 7) == 1);
    CHECK(pread(fd, buf, 5, 7) == 5 && memcmp(buf, "World", 5) == 0);
    /* readv/writev */
    struct iovec iov[2] = {{"abc", 3}, {"defg", 4}};
    CHECK(lseek(fd, 0, SEEK_END) == 13);
    CHECK(writev(fd, iov, 2) == 7);
    char a[5] = {0}, b[10] = {0};
    struct iovec riov[2] = {{a, 4}, {b, 9}};
    CHECK(lseek(fd, 0, SEEK_SET) == 0);
    CHECK(readv(fd, riov, 2) == 13 && memcmp(a, "hell", 4) == 0 && memcmp(b, "o, World\n", 9) == 0);
    /* fstat/stat/lstat */
    struct stat st;
    CHECK(fstat(fd, &st) == 0 && st.st_size == 20 && S_ISREG(st.st_mode) && (st.st_mode & 0777) == 0644);
    CHECK(stat("/data.txt", &st) == 0 && st.st_size == 20 && st.st_nlink == 1);
    CHECK(close(fd) == 0);
    CHECK_ERRNO(close(fd), EBADF);
    CHECK_ERRNO(read(fd, buf, 1), EBADF);
    /* O_EXCL, ENOENT, O_DIRECTORY, EISDIR */
    CHECK_ERRNO(open("/data.txt", O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST);
    CHECK_ERRNO(open("/missing", O_RDONLY), ENOENT);
    CHECK_ERRNO(open("/data.txt", O_RDONLY | O_DIRECTORY), ENOTDIR);
    CHECK_ERRNO(open("/data.txt/x", O_RDONLY), ENOTDIR);
    CHECK_ERRNO(open("/", O_WRONLY), EISDIR);

    /* directories: mkdir, chdir, getcwd, relative paths, openat with a dirfd, getdents */
    CHECK(mkdir("/dir", 0755) == 0);
    CHECK_ERRNO(mkdir("/dir", 0755), EEXIST);
    CHECK(mkdir("/dir/sub", 0700) == 0);
    CHECK(chdir("/dir/sub") == 0);
    CHECK(getcwd(buf, sizeof buf) && strcmp(buf, "/dir/sub") == 0);
    CHECK_ERRNO(syscall(SYS_getcwd, buf, 3), ERANGE);
    fd = open("rel.txt", O_CREAT | O_WRONLY, 0600);
    CHECK(fd >= 0 && write(fd, "r", 1) == 1 && close(fd) == 0);
    CHECK(access("/dir/sub/rel.txt", R_OK | W_OK) == 0);
    CHECK(chdir("..") == 0 && getcwd(buf, sizeof buf) && strcmp(buf, "/dir") == 0);
    CHECK(access("sub/../sub/./rel.txt", F_OK) == 0);
    int dfd = open("/dir", O_RDONLY | O_DIRECTORY);
    CHECK(dfd >= 0);
    fd = openat(dfd, "sub/rel.txt", O_RDONLY);
    CHECK(fd >= 0 && read(fd, buf, 10) == 1 && buf[0] == 'r');
    close(fd);
    CHECK(fstatat(dfd, "sub", &st, 0) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0700);
    CHECK(fchdir(dfd) == 0 && getcwd(buf, sizeof buf) && strcmp(buf, "/dir") == 0);
    close(dfd);
    int found = 0;
    CHECK(count_entries("/dir/sub", "rel.txt", &found) == 3 && found);
    CHECK(chdir("/") == 0);
    CHECK(chdir("..") == 0 && getcwd(buf, sizeof buf) && strcmp(buf, "/") == 0);
    CHECK_ERRNO(chdir("/data.txt"), ENOTDIR);
    CHECK_ERRNO(rmdir("/dir"), ENOTEMPTY);

    /* rename, renameat2 NOREPLACE, link, unlink, symlink, readlink */
    CHECK(rename("/dir/sub/rel.txt", "/moved.txt") == 0);
    CHECK_ERRNO(access("/dir/sub/rel.txt", F_OK), ENOENT);
    CHECK(syscall(SYS_renameat2, AT_FDCWD, "/moved.txt", AT_FDCWD, "/data.txt", 1 /* RENAME_NOREPLACE */) == -1 && errno == EEXIST);
    CHECK(link("/moved.txt", "/hard.txt") == 0);
    CHECK(stat("/moved.txt", &st) == 0 && st.st_nlink == 2);
    CHECK(unlink("/hard.txt") == 0);
    CHECK(symlink("moved.txt", "/sym") == 0);
    CHECK(symlink("/dir/sub", "/dirlink") == 0);
    ssize_t n = readlink("/sym", buf, sizeof buf);
    CHECK(n == 9 && memcmp(buf, "moved.txt", 9) == 0);
    CHECK(lstat("/sym", &st) == 0 && S_ISLNK(st.st_mode));
    CHECK(stat("/sym", &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 1);
    CHECK(stat("/dirlink/", &st) == 0 && S_ISDIR(st.st_mode));
    CHECK_ERRNO(readlink("/moved.txt", buf, sizeof buf), EINVAL);
    CHECK_ERRNO(open("/sym", O_RDONLY | O_NOFOLLOW), ELOOP);
    CHECK(symlink("loop2", "/loop1") == 0 && symlink("loop1", "/loop2") == 0);
    CHECK_ERRNO(open("/loop1", O_RDONLY), ELOOP);
    CHECK(unlink("/sym") == 0 && unlink("/loop1") == 0 && unlink("/loop2") == 0 && unlink("/dirlink") == 0);
    CHECK(unlink("/moved.txt") == 0);
    CHECK(rmdir("/dir/sub") == 0 && rmdir("/dir") == 0);
    CHECK_ERRNO(unlink("/nothing"), ENOENT);

    /* truncate, ftruncate, chmod, umask, utimensat */
    CHECK(truncate("/data.txt", 5) == 0 && stat("/data.txt", &st) == 0 && st.st_size == 5);
    fd = open("/data.txt", O_RDWR);
    CHECK(ftruncate(fd, 100) == 0 && fstat(fd, &st) == 0 && st.st_size == 100);
    CHECK(fchmod(fd, 0600) == 0 && fstat(fd, &st) == 0 && (st.st_mode & 0777) == 0600);
    close(fd);
    CHECK(chmod("/data.txt", 0640) == 0 && stat("/data.txt", &st) == 0 && (st.st_mode & 0777) == 0640);
    mode_t old = umask(077);
    CHECK(old == 022);
    fd = open("/private", O_CREAT | O_WRONLY, 0666);
    CHECK(fd >= 0 && fstat(fd, &st) == 0 && (st.st_mode & 0777) == 0600);
    close(fd);
    umask(old);
    struct timespec times[2] = {{1000000, 0}, {2000000, 0}};
    CHECK(utimensat(AT_FDCWD, "/private", times, 0) == 0);
    CHECK(stat("/private", &st) == 0 && st.st_mtime == 2000000 && st.st_atime == 1000000);
    CHECK(unlink("/private") == 0);

    /* dup family, fcntl, pipes */
    fd = open("/data.txt", O_RDONLY);
    int fd2 = dup(fd);
    CHECK(fd2 > fd);
    CHECK(lseek(fd, 2, SEEK_SET) == 2 && lseek(fd2, 0, SEEK_CUR) == 2);   /* shared offset */
    CHECK(dup2(fd, 50) == 50 && fcntl(50, F_GETFD) == 0);
    CHECK(dup3(fd, 51, O_CLOEXEC) == 51 && fcntl(51, F_GETFD) == FD_CLOEXEC);
    CHECK(fcntl(fd, F_DUPFD, 60) == 60);
    CHECK((fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDONLY);
    CHECK(fcntl(fd, F_SETFD, FD_CLOEXEC) == 0 && fcntl(fd, F_GETFD) == FD_CLOEXEC);
    CHECK_ERRNO(dup3(fd, fd, 0), EINVAL);
    close(fd); close(fd2); close(50); close(51); close(60);
    int p[2];
    CHECK(pipe(p) == 0);
    CHECK(write(p[1], "through a pipe", 14) == 14);
    CHECK(read(p[0], buf, sizeof buf) == 14 && memcmp(buf, "through a pipe", 14) == 0);
    CHECK(fcntl(p[0], F_SETFL, O_NONBLOCK) == 0 && (fcntl(p[0], F_GETFL) & O_NONBLOCK));
    CHECK_ERRNO(read(p[0], buf, 1), EAGAIN);
    close(p[0]); close(p[1]);
    CHECK(pipe2(p, O_CLOEXEC) == 0 && fcntl(p[0], F_GETFD) == FD_CLOEXEC);
    close(p[0]); close(p[1]);

    /* the virtual devices */
    fd = open("/dev/null", O_RDWR);
    CHECK(fd >= 0 && write(fd, "x", 1) == 1 && read(fd, buf, 1) == 0);
    close(fd);
    fd = open("/dev/zero", O_RDONLY);
    memset(buf, 7, 16);
    CHECK(fd >= 0 && read(fd, buf, 16) == 16 && buf[0] == 0 && buf[15] == 0);
    close(fd);
    fd = open("/dev/urandom", O_RDONLY);
    CHECK(fd >= 0 && read(fd, buf, 32) == 32);
    close(fd);
    CHECK(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode));
    CHECK_ERRNO(open("/dev/sda", O_RDONLY), ENOENT);

    /* ioctl on a file, statfs */
    fd = open("/data.txt", O_RDONLY);
    struct termios t;
    CHECK_ERRNO(ioctl(fd, TCGETS, &t), ENOTTY);
    struct statfs sfs;
    CHECK(fstatfs(fd, &sfs) == 0 && sfs.f_bsize > 0);
    close(fd);
    CHECK(statfs("/", &sfs) == 0);

    /* stdio FILE on top of it all */
    FILE* f = fopen("/lines.txt", "w");
    CHECK(f != NULL);
    for (int i = 0; i < 1000; i++)
        fprintf(f, "line %d\n", i);
    CHECK(fclose(f) == 0);
    f = fopen("/lines.txt", "r");
    int lines = 0;
    while (fgets(buf, sizeof buf, f))
        lines++;
    fclose(f);
    CHECK(lines == 1000);
    CHECK(unlink("/lines.txt") == 0);
    return finish();
}
