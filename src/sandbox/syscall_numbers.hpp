// riscv64 Linux system call numbers: the asm-generic table (include/uapi/asm-generic/unistd.h)
// plus riscv's own (arch/riscv/include/uapi/asm/unistd.h). Only those Vireo names: the rest are
// "unknown" and answered with -ENOSYS.
#pragma once

#include <cstdint>

namespace vireo::sandbox {

#define VIREO_SYSCALLS(X)                                                                             \
    X(getcwd, 17) X(eventfd2, 19) X(epoll_create1, 20) X(epoll_ctl, 21) X(epoll_pwait, 22) X(dup, 23)  \
    X(dup3, 24) X(fcntl, 25) X(inotify_init1, 26) X(ioctl, 29) X(flock, 32) X(mknodat, 33)             \
    X(mkdirat, 34) X(unlinkat, 35) X(symlinkat, 36) X(linkat, 37) X(renameat, 38) X(umount2, 39)       \
    X(mount, 40) X(pivot_root, 41) X(statfs, 43) X(fstatfs, 44) X(truncate, 45) X(ftruncate, 46)       \
    X(fallocate, 47) X(faccessat, 48) X(chdir, 49) X(fchdir, 50) X(chroot, 51) X(fchmod, 52)           \
    X(fchmodat, 53) X(fchownat, 54) X(fchown, 55) X(openat, 56) X(close, 57) X(pipe2, 59)              \
    X(getdents64, 61) X(lseek, 62) X(read, 63) X(write, 64) X(readv, 65) X(writev, 66) X(pread64, 67)  \
    X(pwrite64, 68) X(preadv, 69) X(pwritev, 70) X(sendfile, 71) X(pselect6, 72) X(ppoll, 73)          \
    X(readlinkat, 78) X(newfstatat, 79) X(fstat, 80) X(sync, 81) X(fsync, 82) X(fdatasync, 83)         \
    X(utimensat, 88) X(capget, 90) X(personality, 92) X(exit, 93) X(exit_group, 94) X(waitid, 95)      \
    X(set_tid_address, 96) X(unshare, 97) X(futex, 98) X(set_robust_list, 99) X(get_robust_list, 100)  \
    X(nanosleep, 101) X(getitimer, 102) X(setitimer, 103) X(clock_settime, 112) X(clock_gettime, 113)  \
    X(clock_getres, 114) X(clock_nanosleep, 115) X(ptrace, 117) X(sched_setparam, 118)                 \
    X(sched_setscheduler, 119) X(sched_getscheduler, 120) X(sched_getparam, 121)                       \
    X(sched_setaffinity, 122) X(sched_getaffinity, 123) X(sched_yield, 124)                            \
    X(sched_get_priority_max, 125) X(sched_get_priority_min, 126) X(kill, 129) X(tkill, 130)           \
    X(tgkill, 131) X(sigaltstack, 132) X(rt_sigsuspend, 133) X(rt_sigaction, 134)                      \
    X(rt_sigprocmask, 135) X(rt_sigpending, 136) X(rt_sigtimedwait, 137) X(rt_sigqueueinfo, 138)       \
    X(rt_sigreturn, 139) X(setpriority, 140) X(getpriority, 141) X(reboot, 142) X(setregid, 143)       \
    X(setgid, 144) X(setreuid, 145) X(setuid, 146) X(setresuid, 147) X(getresuid, 148)                 \
    X(setresgid, 149) X(getresgid, 150) X(setfsuid, 151) X(setfsgid, 152) X(times, 153)                \
    X(setpgid, 154) X(getpgid, 155) X(getsid, 156) X(setsid, 157) X(getgroups, 158) X(setgroups, 159)  \
    X(uname, 160) X(sethostname, 161) X(getrlimit, 163) X(setrlimit, 164) X(getrusage, 165)            \
    X(umask, 166) X(prctl, 167) X(getcpu, 168) X(gettimeofday, 169) X(settimeofday, 170)               \
    X(getpid, 172) X(getppid, 173) X(getuid, 174) X(geteuid, 175) X(getgid, 176) X(getegid, 177)       \
    X(gettid, 178) X(sysinfo, 179) X(socket, 198) X(socketpair, 199) X(bind, 200) X(listen, 201)       \
    X(accept, 202) X(connect, 203) X(getsockname, 204) X(getpeername, 205) X(sendto, 206)              \
    X(recvfrom, 207) X(setsockopt, 208) X(getsockopt, 209) X(shutdown, 210) X(sendmsg, 211)            \
    X(recvmsg, 212) X(readahead, 213) X(brk, 214) X(munmap, 215) X(mremap, 216) X(clone, 220)          \
    X(execve, 221) X(mmap, 222) X(fadvise64, 223) X(mprotect, 226) X(msync, 227) X(mlock, 228)         \
    X(munlock, 229) X(mlockall, 230) X(munlockall, 231) X(mincore, 232) X(madvise, 233)                \
    X(accept4, 242) X(riscv_hwprobe, 258) X(riscv_flush_icache, 259) X(wait4, 260) X(prlimit64, 261)   \
    X(syncfs, 267) X(renameat2, 276) X(seccomp, 277) X(getrandom, 278) X(memfd_create, 279) X(bpf, 280) \
    X(execveat, 281) X(membarrier, 283) X(copy_file_range, 285) X(preadv2, 286) X(pwritev2, 287)       \
    X(statx, 291) X(rseq, 293) X(pidfd_open, 434) X(clone3, 435) X(close_range, 436) X(openat2, 437)   \
    X(faccessat2, 439) X(epoll_pwait2, 441)

// nr::openat and so on (a namespace of its own: the host's <sys/syscall.h> owns SYS_*).
namespace nr {
enum : uint64_t {
#define VIREO_SYSCALL_ENUM(name, number) name = number,
    VIREO_SYSCALLS(VIREO_SYSCALL_ENUM)
#undef VIREO_SYSCALL_ENUM
};
}  // namespace nr

// The name of a syscall number, or nullptr.
const char* syscall_name(uint64_t number);

}  // namespace vireo::sandbox
