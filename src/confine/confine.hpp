// confine: the seccomp filter a Vireo process puts on itself once its set-up is done, so that a
// guest that finds a bug in Vireo finds a process that can do little more than the run needs.
//
// A Policy says what the process may still do: a core that every run needs (reading and writing
// the descriptors it already holds, polling them, memory, futexes, clocks, signals to itself,
// ending), plus the capabilities its command line asked for. Everything else is refused loudly:
// the filter's default is SIGSYS (SECCOMP_RET_TRAP), whose handler writes
//   vireo: seccomp: system call 59 (execve) is not allowed in this process; ending the run ...
// on stderr, puts the terminal back if the console had made it raw, and ends the process with
// status 125 (kRefusedExitStatus: a Vireo error, not the guest's). Why not EPERM: a refused call
// Vireo does not expect would send the code down an error path nobody tested, or silently lose
// data (a disk flush that "failed"); why not SECCOMP_RET_KILL_PROCESS: the user would see a bare
// "Bad system call" and a core dump, not which call to report. (A call refused while SIGSYS is blocked, as
// glibc blocks every signal around the clone of pthread_create, cannot reach the handler: the
// kernel then ends the process by SIGSYS itself.) The one deliberate quiet refusal is clone3,
// answered ENOSYS: its flags live in memory the filter cannot read, and glibc then falls back to
// clone, whose flags it can.
//
// What the filter cannot do: look at memory, so a path is just a pointer to it. Confining file
// access to a folder stays the job of the code that opens files relative to directories it holds
// (sandbox/vfs, the 9p server); the filter decides whether a process may open files at all.
//
// Threads: the filter is loaded with SECCOMP_FILTER_FLAG_TSYNC, so every thread of the process
// has it, and threads started afterwards inherit it; so do forked children. It cannot be removed.
//
// install() fails (an Error to report as a set-up error) when the kernel has no seccomp filters.
#pragma once

#include "base/result.hpp"

namespace vireo::confine {

struct Policy {
    // Start threads: clone with CLONE_THREAD (no namespace flags). The KVM machine's vCPU threads.
    bool threads = false;
    // Fork: clone without CLONE_THREAD (no namespace flags), wait4/waitid, kill of a positive pid,
    // prctl(PR_SET_PDEATHSIG), getppid, lowering RLIMIT_CORE. `vireo exec`'s guest processes.
    bool processes = false;
    // The ioctls of a running KVM guest: KVM_RUN, KVM_IRQ_LINE, and KVM_GET_REGS/KVM_GET_SREGS for
    // describing a failure. Nothing that creates or reconfigures a VM.
    bool kvm = false;
    // The console's terminal ioctls: TCGETS, TCSETS/TCSETSW/TCSETSF, TIOCGWINSZ; and TIOCGPGRP and
    // FIONREAD, which the sandbox answers from the host's for its program.
    bool terminal = false;
    // Files below directories the process holds: openat and the other *at() calls, getdents64,
    // ftruncate, fallocate, flock, chmod (the 9p server's /proc/self/fd/N), statx, sendfile. For
    // `vireo exec` (its root) and `vireo run --share`.
    bool files = false;
    // Descriptors that reach nothing outside the process: pipe2, eventfd2, memfd_create, epoll,
    // socketpair (AF_UNIX only: an anonymous connected pair), and I/O on the sockets it holds
    // (send, receive, options, shutdown). `vireo exec`'s program makes such things.
    bool local_io = false;
    // Read-only opens anywhere, without the rest of `files`: libslirp re-reads the host's
    // /etc/resolv.conf when the guest asks its DNS proxy (10.0.2.3).
    // FIXME: Landlock could narrow this to that one file.
    bool read_files = false;
    // IPv4 and IPv6 sockets (socket() refuses every other family: no Unix, netlink or packet
    // sockets): creating, connecting, binding, listening, accepting, and I/O on them. For
    // --net user and --allow-net.
    bool sockets = false;
};

// The exit status of a process that made a call its filter refuses: Vireo's own error status.
inline constexpr int kRefusedExitStatus = 125;

// Installs the filter for `policy` on the calling process (all its threads) for good, and the
// SIGSYS handler that reports a refused call.
Result<void> install(const Policy& policy);

}  // namespace vireo::confine
