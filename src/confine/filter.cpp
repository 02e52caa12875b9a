// The allow-list behind confine::install (confine.hpp): which system calls each part of a Policy
// adds, and the loading of the filter with libseccomp.
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include <cstdlib>
#include <initializer_list>
#include <string>

#include "confine/confine.hpp"
#include "confine/report.hpp"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif

namespace vireo::confine {

namespace {

// clone flags that would put a child into new namespaces: never, whatever the policy.
constexpr uint64_t kNamespaceFlags = CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER |
                                     CLONE_NEWPID | CLONE_NEWNET;
// open flags that write or create; O_TMPFILE's own bit (it also sets O_DIRECTORY, which alone is
// harmless).
constexpr uint64_t kTmpfileBit = 020000000;
constexpr uint64_t kWritingOpenFlags = O_ACCMODE | O_CREAT | O_TRUNC | O_APPEND | kTmpfileBit;

// A filter under construction. The first rule libseccomp refuses is remembered, with its call's
// name, and reported by load().
class Filter {
public:
    Filter() : m_ctx(seccomp_init(SCMP_ACT_TRAP)) {}
    ~Filter()
    {
        if (m_ctx)
            seccomp_release(m_ctx);
    }
    Filter(const Filter&) = delete;
    Filter& operator=(const Filter&) = delete;

    void allow(int syscall, std::initializer_list<scmp_arg_cmp> conditions = {})
    {
        add(SCMP_ACT_ALLOW, syscall, conditions);
    }
    void refuse(int syscall, int error, std::initializer_list<scmp_arg_cmp> conditions = {})
    {
        add(SCMP_ACT_ERRNO(static_cast<uint32_t>(error)), syscall, conditions);
    }
    void allow_all(std::initializer_list<int> syscalls)
    {
        for (int syscall : syscalls)
            allow(syscall);
    }
    // ioctl with one of `requests` as its request number (the whole 64-bit register, so a request
    // with junk in the upper half, which the kernel would truncate, is refused rather than let by).
    void allow_ioctls(std::initializer_list<unsigned long> requests)
    {
        for (unsigned long request : requests)
            allow(SCMP_SYS(ioctl), {SCMP_A1(SCMP_CMP_EQ, request)});
    }

    Result<void> load()
    {
        if (!m_ctx)
            return Error::message("seccomp: cannot create a filter (out of memory?)");
        if (m_failed_rc != 0)
            return Error::from_errno("seccomp: adding the rule for " + m_failed_call, -m_failed_rc);
        // Every thread of the process, now: the vCPU threads of a KVM machine may already run.
        if (int rc = seccomp_attr_set(m_ctx, SCMP_FLTATR_CTL_TSYNC, 1); rc != 0)
            return Error::from_errno("seccomp: asking for thread synchronisation", -rc);
        if (int rc = seccomp_load(m_ctx); rc != 0)
            return Error::from_errno("seccomp: loading the filter", -rc);
        return {};
    }

private:
    void add(uint32_t action, int syscall, std::initializer_list<scmp_arg_cmp> conditions)
    {
        if (!m_ctx || m_failed_rc != 0 || syscall < 0)   // < 0: a call this architecture lacks
            return;
        int rc = seccomp_rule_add_array(m_ctx, action, syscall, static_cast<unsigned>(conditions.size()),
                                        conditions.begin());
        if (rc != 0) {
            m_failed_rc = rc;
            char* name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, syscall);
            m_failed_call = name ? name : "system call " + std::to_string(syscall);
            std::free(name);
        }
    }

    scmp_filter_ctx m_ctx;
    int m_failed_rc = 0;
    std::string m_failed_call;
};

// What every confined process needs to go on serving its guest with the descriptors and memory
// it already has.
void allow_core(Filter& f, const Policy& policy)
{
    f.allow_all({
        // I/O on descriptors it holds: disks, the console, a tap, eventual sockets.
        SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(readv), SCMP_SYS(writev), SCMP_SYS(pread64),
        SCMP_SYS(pwrite64), SCMP_SYS(preadv), SCMP_SYS(pwritev), SCMP_SYS(lseek), SCMP_SYS(close),
        SCMP_SYS(fsync), SCMP_SYS(fdatasync), SCMP_SYS(fcntl),
        SCMP_SYS(poll), SCMP_SYS(ppoll), SCMP_SYS(select), SCMP_SYS(pselect6),
        // glibc's fstat is newfstatat(fd, "", AT_EMPTY_PATH). The filter cannot tell it from a
        // stat of a path (it cannot read the string): that leaks metadata, never contents.
        SCMP_SYS(fstat), SCMP_SYS(newfstatat),
        // Memory. PROT_EXEC stays allowed: a translator must map the code it generates.
        SCMP_SYS(mmap), SCMP_SYS(munmap), SCMP_SYS(mremap), SCMP_SYS(mprotect), SCMP_SYS(madvise),
        SCMP_SYS(brk),
        // Waiting, time, randomness (virtio-rng).
        SCMP_SYS(futex), SCMP_SYS(sched_yield), SCMP_SYS(nanosleep), SCMP_SYS(clock_nanosleep),
        SCMP_SYS(clock_gettime), SCMP_SYS(clock_getres), SCMP_SYS(gettimeofday), SCMP_SYS(getrandom),
        // Who am I, and what have I used (the sandbox answers its program's questions with these).
        SCMP_SYS(getpid), SCMP_SYS(gettid), SCMP_SYS(getuid), SCMP_SYS(geteuid), SCMP_SYS(getgid),
        SCMP_SYS(getegid), SCMP_SYS(getrusage), SCMP_SYS(times),
        // Which CPUs it may run on: AddressSanitizer asks when a thread starts.
        SCMP_SYS(sched_getaffinity),
        // Signals to itself, handlers, and the way out.
        SCMP_SYS(rt_sigaction), SCMP_SYS(rt_sigprocmask), SCMP_SYS(rt_sigreturn), SCMP_SYS(restart_syscall),
        SCMP_SYS(exit), SCMP_SYS(exit_group),
        // What glibc does in a new thread or a forked child.
        SCMP_SYS(set_robust_list), SCMP_SYS(rseq),
    });
    // isatty(), which stdio asks on the first output to a character device.
    f.allow_ioctls({TCGETS});
    // pthread_kill and raise (abort): within this process, unless forked children (whose pid is
    // not known yet) must be able to raise too.
    if (policy.processes)
        f.allow(SCMP_SYS(tgkill));
    else
        f.allow(SCMP_SYS(tgkill), {SCMP_A0(SCMP_CMP_EQ, static_cast<uint64_t>(::getpid()))});
    // Its flags are in memory the filter cannot read: glibc falls back to clone on ENOSYS.
    f.refuse(SCMP_SYS(clone3), ENOSYS);
    // A thread's own signal stack, which reaches nothing outside it. AddressSanitizer sets one up
    // in every thread it starts and asks for it before every call that does not return (exit,
    // abort, a throw): without it a `make test-asan` build could neither start a vCPU thread nor
    // end a confined run.
    f.allow(SCMP_SYS(sigaltstack));
}

void allow_threads(Filter& f)
{
    f.allow(SCMP_SYS(clone), {SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD | kNamespaceFlags, CLONE_THREAD)});
}

void allow_processes(Filter& f)
{
    f.allow(SCMP_SYS(clone), {SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD | kNamespaceFlags, 0)});
    f.allow_all({SCMP_SYS(wait4), SCMP_SYS(waitid), SCMP_SYS(getppid)});
    // kill: its own children only, so a pid from 1 to 2^31-1: never 0 (the process group) nor
    // negative (-1: everyone, -N: a group). A rule compares each argument once, so "positive" is
    // 31 rules: "the upper 33 bits are clear and bit b is set", for each b below 31.
    for (unsigned bit = 0; bit < 31; ++bit) {
        const uint64_t set = uint64_t{1} << bit;
        f.allow(SCMP_SYS(kill), {SCMP_A0(SCMP_CMP_MASKED_EQ, ~uint64_t{0} << 31 | set, set)});
    }
    f.allow(SCMP_SYS(prctl), {SCMP_A0(SCMP_CMP_EQ, PR_SET_PDEATHSIG)});
    // A forked guest process dying of a signal first turns core dumps off (setrlimit).
    f.allow(SCMP_SYS(prlimit64), {SCMP_A0(SCMP_CMP_EQ, 0), SCMP_A1(SCMP_CMP_EQ, RLIMIT_CORE)});
}

void allow_kvm(Filter& f)
{
    f.allow_ioctls({KVM_RUN, KVM_IRQ_LINE, KVM_GET_REGS, KVM_GET_SREGS});
}

void allow_terminal(Filter& f)
{
    f.allow_ioctls({TCSETS, TCSETSW, TCSETSF, TIOCGWINSZ, TIOCGPGRP, FIONREAD});
}

// An open the policy does not allow fails with EACCES rather than ending the process: glibc
// opens files on its own, lazily, and copes when it cannot (free() shrinking a thread's heap
// reads /proc/sys/vm/overcommit_memory the first time, which ended a KVM run at Ctrl-A X).
// A failed open reaches nothing, so this confines as much as the trap.
void refuse_opens(Filter& f)
{
    f.refuse(SCMP_SYS(openat), EACCES);
}

void refuse_writing_opens(Filter& f)
{
    for (uint64_t bit = 1; bit <= kWritingOpenFlags; bit <<= 1)
        if (kWritingOpenFlags & bit)
            f.refuse(SCMP_SYS(openat), EACCES, {SCMP_A2(SCMP_CMP_MASKED_EQ, bit, bit)});
}

void allow_files(Filter& f)
{
    f.allow_all({
        SCMP_SYS(openat), SCMP_SYS(mkdirat), SCMP_SYS(unlinkat), SCMP_SYS(renameat), SCMP_SYS(renameat2),
        SCMP_SYS(linkat), SCMP_SYS(symlinkat), SCMP_SYS(readlinkat), SCMP_SYS(faccessat), SCMP_SYS(faccessat2),
        SCMP_SYS(statx), SCMP_SYS(fstatfs), SCMP_SYS(getdents64), SCMP_SYS(ftruncate), SCMP_SYS(fallocate),
        SCMP_SYS(flock), SCMP_SYS(fchmod), SCMP_SYS(fchmodat), SCMP_SYS(fchownat), SCMP_SYS(utimensat),
        SCMP_SYS(sendfile),
        // The 9p server changes a mode through /proc/self/fd/N (an O_PATH descriptor has no fchmod).
        SCMP_SYS(chmod),
    });
}

// Calls on sockets the process already holds; none makes a new one or reaches a new peer, except
// sendto/sendmsg with an address on a datagram socket, which only `sockets` can create.
void allow_socket_io(Filter& f)
{
    f.allow_all({
        SCMP_SYS(getsockname), SCMP_SYS(getpeername), SCMP_SYS(sendto), SCMP_SYS(recvfrom), SCMP_SYS(sendmsg),
        SCMP_SYS(recvmsg), SCMP_SYS(setsockopt), SCMP_SYS(getsockopt), SCMP_SYS(shutdown),
    });
}

void allow_local_io(Filter& f)
{
    f.allow_all({
        SCMP_SYS(pipe2), SCMP_SYS(eventfd2), SCMP_SYS(memfd_create), SCMP_SYS(epoll_create1), SCMP_SYS(epoll_ctl),
        SCMP_SYS(epoll_wait), SCMP_SYS(epoll_pwait), SCMP_SYS(epoll_pwait2),
    });
    f.allow(SCMP_SYS(socketpair), {SCMP_A0(SCMP_CMP_EQ, AF_UNIX)});
    allow_socket_io(f);
}

void allow_read_files(Filter& f)
{
    f.allow(SCMP_SYS(openat), {SCMP_A2(SCMP_CMP_MASKED_EQ, kWritingOpenFlags, 0)});
    refuse_writing_opens(f);
}

void allow_sockets(Filter& f)
{
    f.allow(SCMP_SYS(socket), {SCMP_A0(SCMP_CMP_EQ, AF_INET)});
    f.allow(SCMP_SYS(socket), {SCMP_A0(SCMP_CMP_EQ, AF_INET6)});
    f.allow_all({SCMP_SYS(connect), SCMP_SYS(bind), SCMP_SYS(listen), SCMP_SYS(accept), SCMP_SYS(accept4)});
    allow_socket_io(f);
}

}  // namespace

Result<void> install(const Policy& policy)
{
#if defined(__SANITIZE_ADDRESS__)
    // An ASan build (make test-asan): LeakSanitizer's check at exit stops the process with ptrace,
    // which the filter refuses, so it runs now, over the set-up, and not again. Leaks made after
    // this point go unreported; the unit tests, which run unconfined, still check theirs.
    __lsan_do_leak_check();
#endif
    Filter filter;
    allow_core(filter, policy);
    if (policy.threads)
        allow_threads(filter);
    if (policy.processes)
        allow_processes(filter);
    if (policy.kvm)
        allow_kvm(filter);
    if (policy.terminal)
        allow_terminal(filter);
    if (policy.files)
        allow_files(filter);
    else if (policy.read_files)
        allow_read_files(filter);
    else
        refuse_opens(filter);
    if (policy.local_io)
        allow_local_io(filter);
    if (policy.sockets)
        allow_sockets(filter);
    // The handler goes first: from the moment the filter is loaded, a refused call raises SIGSYS.
    TRY(install_refusal_report());
    return filter.load();
}

}  // namespace vireo::confine
