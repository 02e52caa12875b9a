/* The read-only file systems: without --root the program sees the riscv64 sysroot read-only; with
 * a root that has no /lib, the sysroot's lib folder appears there, read-only. Either way reading
 * works and every change fails with EROFS. */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
    struct stat st;
    char buf[4];
    int fd = open("/lib/libc.so.6", O_RDONLY);
    CHECK(fd >= 0 && read(fd, buf, 4) == 4 && memcmp(buf, "\177ELF", 4) == 0);
    CHECK_ERRNO(fchmod(fd, 0777), EROFS);
    CHECK_ERRNO(ftruncate(fd, 0), EROFS);
    close(fd);
    CHECK_ERRNO(open("/lib/libc.so.6", O_WRONLY), EROFS);
    CHECK_ERRNO(open("/lib/libc.so.6", O_RDONLY | O_TRUNC), EROFS);
    CHECK_ERRNO(open("/lib/new-file", O_CREAT | O_WRONLY, 0644), EROFS);
    CHECK_ERRNO(mkdir("/lib/newdir", 0755), EROFS);
    CHECK_ERRNO(unlink("/lib/libc.so.6"), EROFS);
    CHECK_ERRNO(rename("/lib/libc.so.6", "/lib/libc.old"), EROFS);
    CHECK_ERRNO(chmod("/lib/libc.so.6", 0777), EROFS);
    CHECK_ERRNO(symlink("x", "/lib/link"), EROFS);
    CHECK_ERRNO(access("/lib/libc.so.6", W_OK), EROFS);
    CHECK(access("/lib/libc.so.6", R_OK) == 0);
    CHECK(stat("/lib/libc.so.6", &st) == 0 && st.st_size > 100000);
    CHECK(stat("/lib/../lib/./libc.so.6", &st) == 0);
    return finish();
}
