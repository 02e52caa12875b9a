// The seccomp filter (confine.hpp), installed in a forked child per case: what each part of a
// Policy lets through, what it refuses, and how a refusal ends the process (status 125 and one
// line naming the call). The calls are made with syscall(2), so each case says exactly which
// call the filter sees.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/kvm.h>
#include <sched.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "confine/confine.hpp"

using namespace vireo;

namespace {

struct ChildEnd {
    int status = -1;   // the exit status, or 128 + N for a death by signal N
    std::string err;
};

// Forks; the child installs `policy`, runs `body` and exits with what it returns. Exit codes the
// bodies use: 0 the call behaved as expected, 1-9 it did not, 99 the filter could not be installed.
ChildEnd in_confined_child(const confine::Policy& policy, const std::function<int()>& body)
{
    int err[2];
    if (::pipe(err) != 0)
        return {};
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::dup2(err[1], STDERR_FILENO);
        ::close(err[0]);
        auto installed = confine::install(policy);
        if (!installed.ok()) {
            std::fprintf(stderr, "install: %s\n", installed.error().text().c_str());
            ::_exit(99);
        }
        ::_exit(body());
    }
    ::close(err[1]);
    ChildEnd end;
    char buffer[512];
    for (ssize_t n; (n = ::read(err[0], buffer, sizeof buffer)) > 0;)
        end.err.append(buffer, static_cast<size_t>(n));
    ::close(err[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    end.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return end;
}

// The one line a refusal prints, for the call with this number and name.
std::string refusal(long number, const char* name)
{
    return "vireo: seccomp: system call " + std::to_string(number) + " (" + name +
           ") is not allowed in this process; ending the run (--no-seccomp turns the filter off, to debug)\n";
}

long raw_socket(int family) { return ::syscall(SYS_socket, family, SOCK_STREAM | SOCK_CLOEXEC, 0); }
long raw_open(const char* path, int flags) { return ::syscall(SYS_openat, AT_FDCWD, path, flags | O_CLOEXEC, 0600); }

const confine::Policy kCore{};
const confine::Policy kThreads = [] {
    confine::Policy policy;
    policy.threads = true;
    return policy;
}();

TEST(Confine, WhatTheCoreAllowsKeepsWorking)
{
    // Descriptors made before the filter, as a machine opens its disks and consoles during set-up.
    int p[2];
    ASSERT_EQ(::pipe(p), 0);
    auto end = in_confined_child(kCore, [&] {
        const char text[] = "through the pipe";
        if (::write(p[1], text, sizeof text) != static_cast<ssize_t>(sizeof text))
            return 1;
        char back[sizeof text] = {};
        if (::read(p[0], back, sizeof back) != static_cast<ssize_t>(sizeof back) || std::string(back) != text)
            return 2;
        void* page = ::mmap(nullptr, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (page == MAP_FAILED || ::munmap(page, 1 << 20) != 0)
            return 3;
        timespec ts{};
        if (::syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts) != 0)
            return 4;
        struct stat st {};
        if (::fstat(p[0], &st) != 0 || !S_ISFIFO(st.st_mode))
            return 5;
        // isatty() is TCGETS, which stdio asks: answered (here ENOTTY), not refused.
        if (::isatty(p[0]))
            return 6;
        uint8_t random[8];
        if (::syscall(SYS_getrandom, random, sizeof random, 0) != static_cast<long>(sizeof random))
            return 7;
        return 0;
    });
    ::close(p[0]);
    ::close(p[1]);
    EXPECT_EQ(end.status, 0) << end.err;
    EXPECT_EQ(end.err, "");
}

TEST(Confine, ExecveIsRefusedWithOneLineAndStatus125)
{
    auto end = in_confined_child(kCore, [] {
        const char* argv[] = {"/bin/true", nullptr};
        const char* envp[] = {nullptr};
        ::syscall(SYS_execve, "/bin/true", argv, envp);
        return 1;   // not reached: refused (or, were it allowed, replaced by /bin/true with status 0)
    });
    EXPECT_EQ(end.status, confine::kRefusedExitStatus);
    EXPECT_EQ(end.err, refusal(SYS_execve, "execve"));
}

// A thread's signal stack is its own business (AddressSanitizer sets one in every thread it starts
// and asks for it before every call that does not return): asking, setting and removing it work.
TEST(Confine, AThreadMayAskForSetAndRemoveItsSignalStack)
{
    auto end = in_confined_child(kCore, [] {
        static char stack[64 * 1024];
        stack_t ss{}, old{};
        ss.ss_sp = stack;
        ss.ss_size = sizeof stack;
        if (::syscall(SYS_sigaltstack, nullptr, &old) != 0)
            return 1;
        if (::syscall(SYS_sigaltstack, &ss, nullptr) != 0)
            return 2;
        return ::syscall(SYS_sigaltstack, &old, nullptr) == 0 ? 0 : 3;
    });
    EXPECT_EQ(end.status, 0) << end.err;
    EXPECT_EQ(end.err, "");
}

// An open the policy does not allow fails with EACCES and the process goes on: glibc opens files
// lazily on its own (free() in a thread's arena reads /proc/sys/vm/overcommit_memory once) and
// copes with a failure, where a trap would end the run.
int refused_with_eacces(long rc) { return rc == -1 && errno == EACCES ? 0 : 1; }

TEST(Confine, OpeningAHostPathNeedsFilesOrReadFiles)
{
    auto end = in_confined_child(kCore, [] { return refused_with_eacces(raw_open("/etc/passwd", O_RDONLY)); });
    EXPECT_EQ(end.status, 0) << end.err;
    EXPECT_EQ(end.err, "");

    confine::Policy reading;
    reading.read_files = true;
    end = in_confined_child(reading, [] { return raw_open("/etc/passwd", O_RDONLY) >= 0 ? 0 : 1; });
    EXPECT_EQ(end.status, 0) << end.err;
    // Read-only means no write access, no creation, no truncation.
    const std::string scratch = ::testing::TempDir() + "vireo-confine-scratch";
    for (int flags : {O_WRONLY, O_RDWR, O_RDONLY | O_CREAT, O_RDONLY | O_TRUNC, O_WRONLY | O_APPEND}) {
        end = in_confined_child(reading, [&] { return refused_with_eacces(raw_open(scratch.c_str(), flags)); });
        EXPECT_EQ(end.status, 0) << "flags 0" << std::oct << flags << ": " << end.err;
    }
    EXPECT_NE(::access(scratch.c_str(), F_OK), 0) << "a refused open created " << scratch;

    confine::Policy files;
    files.files = true;
    end = in_confined_child(files, [&] {
        const long fd = raw_open(scratch.c_str(), O_RDWR | O_CREAT | O_TRUNC);
        return fd >= 0 && ::syscall(SYS_unlinkat, AT_FDCWD, scratch.c_str(), 0) == 0 ? 0 : 1;
    });
    EXPECT_EQ(end.status, 0) << end.err;
}

// What ended a KVM run at Ctrl-A X: a thread's malloc arena shrinking after the filter is in.
TEST(Confine, FreeingInAThreadArenaDoesNotEndTheProcess)
{
    auto end = in_confined_child(kThreads, [] {
        std::thread worker([] {
            for (int round = 0; round < 64; ++round) {
                std::vector<std::vector<char>> blocks;
                for (int i = 0; i < 64; ++i)
                    blocks.emplace_back(60 * 1024, 'x');   // below the mmap threshold: from the arena
            }
        });
        worker.join();
        return 0;
    });
    EXPECT_EQ(end.status, 0) << end.err;
}

TEST(Confine, SocketsOnlyWithSocketsAndOnlyIpv4OrIpv6)
{
    auto end = in_confined_child(kCore, [] { return raw_socket(AF_INET) >= 0 ? 0 : 1; });
    EXPECT_EQ(end.status, confine::kRefusedExitStatus);
    EXPECT_EQ(end.err, refusal(SYS_socket, "socket"));

    confine::Policy net;
    net.sockets = true;
    end = in_confined_child(net, [] { return raw_socket(AF_INET) >= 0 && raw_socket(AF_INET6) >= 0 ? 0 : 1; });
    EXPECT_EQ(end.status, 0) << end.err;
    // A Unix socket reaches the host's daemons; netlink and packet sockets, its network stack.
    for (int family : {AF_UNIX, AF_NETLINK, AF_PACKET}) {
        end = in_confined_child(net, [&] { return raw_socket(family) >= 0 ? 0 : 1; });
        EXPECT_EQ(end.status, confine::kRefusedExitStatus) << "family " << family;
    }
}

TEST(Confine, LocalDescriptorsOnlyWithLocalIo)
{
    auto make_pair = [] {
        int pair[2];
        if (::syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0)
            return 1;
        const char text[] = "across the pair";
        if (::syscall(SYS_sendto, pair[0], text, sizeof text, 0, nullptr, 0) != static_cast<long>(sizeof text))
            return 2;
        char back[sizeof text] = {};
        if (::syscall(SYS_recvfrom, pair[1], back, sizeof back, 0, nullptr, nullptr) != static_cast<long>(sizeof back))
            return 3;
        if (::syscall(SYS_memfd_create, "confine-test", MFD_CLOEXEC) < 0 || ::syscall(SYS_epoll_create1, EPOLL_CLOEXEC) < 0)
            return 4;
        int p[2];
        return ::syscall(SYS_pipe2, p, O_CLOEXEC) == 0 ? 0 : 5;
    };
    auto end = in_confined_child(kCore, make_pair);
    EXPECT_EQ(end.status, confine::kRefusedExitStatus);
    EXPECT_EQ(end.err, refusal(SYS_socketpair, "socketpair"));

    confine::Policy local;
    local.local_io = true;
    end = in_confined_child(local, make_pair);
    EXPECT_EQ(end.status, 0) << end.err;
    // A pair of any other family (were there one), or a socket of any kind: refused.
    end = in_confined_child(local, [] {
        int pair[2];
        return ::syscall(SYS_socketpair, AF_INET, SOCK_STREAM, 0, pair) == 0 ? 0 : 1;
    });
    EXPECT_EQ(end.status, confine::kRefusedExitStatus);
    end = in_confined_child(local, [] { return raw_socket(AF_UNIX) >= 0 ? 0 : 1; });
    EXPECT_EQ(end.status, confine::kRefusedExitStatus);
}

TEST(Confine, IoctlsAreTheListedOnesOnly)
{
    int p[2];
    ASSERT_EQ(::pipe(p), 0);
    // TIOCSTI would type into the user's shell; KVM_CREATE_VM would make a new VM.
    confine::Policy everything;
    everything.terminal = true;
    everything.kvm = true;
    for (unsigned long request : {static_cast<unsigned long>(TIOCSTI), static_cast<unsigned long>(KVM_CREATE_VM),
                                  static_cast<unsigned long>(KVM_SET_USER_MEMORY_REGION)}) {
        auto end = in_confined_child(everything, [&] {
            ::syscall(SYS_ioctl, p[0], request, 0);
            return 1;
        });
        EXPECT_EQ(end.status, confine::kRefusedExitStatus) << "request 0x" << std::hex << request;
        EXPECT_EQ(end.err, refusal(SYS_ioctl, "ioctl"));
    }
    // The listed ones reach the kernel, which answers them (on a pipe: ENOTTY).
    auto end = in_confined_child(everything, [&] {
        winsize ws{};
        termios t{};
        if (::syscall(SYS_ioctl, p[0], TIOCGWINSZ, &ws) != -1 || errno != ENOTTY)
            return 1;
        if (::syscall(SYS_ioctl, p[0], TCSETS, &t) != -1 || errno != ENOTTY)
            return 2;
        if (::syscall(SYS_ioctl, p[0], KVM_RUN, 0) != -1 || errno != ENOTTY)
            return 3;
        return 0;
    });
    EXPECT_EQ(end.status, 0) << end.err;
    // Without `kvm`, not even KVM_RUN.
    end = in_confined_child(kCore, [&] {
        ::syscall(SYS_ioctl, p[0], KVM_RUN, 0);
        return 1;
    });
    EXPECT_EQ(end.status, confine::kRefusedExitStatus);
    ::close(p[0]);
    ::close(p[1]);
}

TEST(Confine, ThreadsOnlyWithThreadsAndNeverANewNamespace)
{
    auto start_thread = [] {
        std::atomic<int> ran{0};
        std::thread t([&] { ran = 1; });
        t.join();
        return ran == 1 ? 0 : 1;
    };
    // clone3 is answered ENOSYS (its flags are out of the filter's sight); glibc then uses clone,
    // which is refused. pthread_create blocks every signal around clone, so the refusal's SIGSYS
    // cannot reach the handler: the kernel ends the process with SIGSYS itself, without the line.
    auto end = in_confined_child(kCore, start_thread);
    EXPECT_EQ(end.status, 128 + SIGSYS);

    confine::Policy threads;
    threads.threads = true;
    end = in_confined_child(threads, start_thread);
    EXPECT_EQ(end.status, 0) << end.err;
    end = in_confined_child(threads, [] { return ::syscall(SYS_clone3, nullptr, 0) == -1 && errno == ENOSYS ? 0 : 1; });
    EXPECT_EQ(end.status, 0) << end.err;
    // A thread in a new network namespace, a fork, unshare: refused.
    end = in_confined_child(threads, [] {
        ::syscall(SYS_clone, CLONE_THREAD | CLONE_SIGHAND | CLONE_VM | CLONE_NEWNET, nullptr, nullptr, nullptr, 0);
        return 1;
    });
    EXPECT_EQ(end.status, confine::kRefusedExitStatus);
    end = in_confined_child(threads, [] { return ::fork() >= 0 ? 0 : 1; });
    EXPECT_EQ(end.status, confine::kRefusedExitStatus);
    EXPECT_EQ(end.err, refusal(SYS_clone, "clone"));
    end = in_confined_child(threads, [] { return ::unshare(CLONE_NEWUSER) == 0 ? 0 : 1; });
    EXPECT_EQ(end.status, confine::kRefusedExitStatus);
    EXPECT_EQ(end.err, refusal(SYS_unshare, "unshare"));
}

TEST(Confine, ProcessesForkWaitAndSignalTheirChildrenOnly)
{
    confine::Policy processes;
    processes.processes = true;
    auto end = in_confined_child(processes, [] {
        const pid_t child = ::fork();
        if (child == 0)
            ::_exit(7);
        int status = 0;
        if (child < 0 || ::waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 7)
            return 1;
        const pid_t sleeper = ::fork();
        if (sleeper == 0) {
            for (;;)
                ::usleep(100'000);
        }
        if (::kill(sleeper, SIGKILL) != 0 || ::waitpid(sleeper, &status, 0) != sleeper || !WIFSIGNALED(status))
            return 2;
        return 0;
    });
    EXPECT_EQ(end.status, 0) << end.err;
    // kill(-1) is everyone the user may signal; kill(0), the whole process group.
    for (pid_t target : {-1, 0, -::getpid()}) {
        end = in_confined_child(processes, [&] { return ::syscall(SYS_kill, target, 0) == 0 ? 0 : 1; });
        EXPECT_EQ(end.status, confine::kRefusedExitStatus) << "kill(" << target << ")";
        EXPECT_EQ(end.err, refusal(SYS_kill, "kill"));
    }
}

// TSYNC: a thread that was already running when the filter went on has it too.
TEST(Confine, ThreadsThatAlreadyRunAreFilteredToo)
{
    int err[2];
    ASSERT_EQ(::pipe(err), 0);
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::dup2(err[1], STDERR_FILENO);
        std::atomic<int> phase{0};
        std::thread early([&] {
            while (phase.load() == 0)
                ::usleep(1000);
            raw_socket(AF_INET);   // refused: this thread is under the filter as well
            phase = 2;
        });
        if (!confine::install(kCore).ok())
            ::_exit(99);
        phase = 1;
        early.join();
        ::_exit(phase.load() == 2 ? 3 : 4);   // not reached when the socket call is refused
    }
    ::close(err[1]);
    std::string text;
    char buffer[512];
    for (ssize_t n; (n = ::read(err[0], buffer, sizeof buffer)) > 0;)
        text.append(buffer, static_cast<size_t>(n));
    ::close(err[0]);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), confine::kRefusedExitStatus);
    EXPECT_EQ(text, refusal(SYS_socket, "socket"));
}

}  // namespace
