// `vireo exec` end to end: guest programs built at test time (tests/sandbox/guests/*.c), run as a
// user would run them, statically and dynamically linked. Most guests check themselves and print
// "PASSED n checks"; these tests add what only the host can see: exit statuses, the one-line
// messages, and that the host's files are untouched after every escape attempt.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <thread>

#include "console_session.hpp"
#include "harness.hpp"
#include "seccomp_status.hpp"

namespace vireo::sandbox::test {
namespace {

namespace fs = std::filesystem;

const std::string kVireo = VIREO_BIN;
const std::string kGuests = GUEST_DIR;
const std::string kQemu = QEMU_RISCV64;
const std::string kSysroot = SYSROOT;

// The guest program, statically or dynamically linked.
enum class Link { Static, Dynamic };
// For test names: "GetParam() = static", not the enum's bytes.
void PrintTo(Link link, std::ostream* os) { *os << (link == Link::Static ? "static" : "dynamic"); }
std::string guest(const std::string& name, Link link) { return kGuests + "/" + name + (link == Link::Dynamic ? ".dyn" : ""); }

Completed exec(const std::vector<std::string>& options, const std::string& program, const std::vector<std::string>& args = {},
         const std::string& input = "", double limit = 60, bool keep_stdin_open = false)
{
    std::vector<std::string> argv{kVireo, "exec"};
    argv.insert(argv.end(), options.begin(), options.end());
    argv.push_back(program);
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv, input, limit, keep_stdin_open);
}

void expect_passed(const Completed& r)
{
    EXPECT_EQ(r.status, 0) << "stdout:\n" << r.out << "stderr:\n" << r.err;
    EXPECT_NE(r.out.find("PASSED"), std::string::npos) << r.out << r.err;
    EXPECT_EQ(r.out.find("FAIL"), std::string::npos) << r.out;
}

class Exec : public ::testing::TestWithParam<Link> {
protected:
    std::string program(const std::string& name) const { return guest(name, GetParam()); }
    // The same guest under qemu-riscv64 (with the sysroot's ld.so for the dynamic build).
    std::vector<std::string> qemu_command(const std::string& name) const
    {
        std::vector<std::string> command{kQemu};
        if (GetParam() == Link::Dynamic) {
            command.push_back("-L");
            command.push_back(kSysroot);
        }
        command.push_back(program(name));
        return command;
    }
};

INSTANTIATE_TEST_SUITE_P(Linking, Exec, ::testing::Values(Link::Static, Link::Dynamic),
                         [](const ::testing::TestParamInfo<Link>& p) { return p.param == Link::Static ? "Static" : "Dynamic"; });

// ---- basics ----

TEST_P(Exec, OutputAndExitStatusPassThrough)
{
    Completed r = exec({}, program("hello"), {"42"});
    EXPECT_EQ(r.status, 42);
    EXPECT_EQ(r.out, "hello, sandbox\n");
    EXPECT_EQ(r.err, "to stderr\n");
    EXPECT_EQ(exec({}, program("hello")).status, 0);
}

TEST_P(Exec, StdinPassesThrough)
{
    std::string input;
    for (int i = 0; i < 100000; ++i)
        input += "line " + std::to_string(i) + "\n";
    Completed r = exec({}, program("cat"), {}, input);
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.out, input);
    EXPECT_EQ(r.err, std::to_string(input.size()) + " bytes\n");
}

// System V ABI §3.4.1 / RISC-V psABI: argv, envp and auxv on the initial stack; the environment
// is empty unless given.
TEST_P(Exec, ArgvEnvAuxvAndProcessCalls)
{
    Completed r = exec({"--env", "A=1", "--env", "B=two words", "--env", "EMPTY="}, program("args"), {"x", "y z", ""});
    expect_passed(r);
    const std::string expected = "argv[0]=" + program("args") + "\nargv[1]=x\nargv[2]=y z\nargv[3]=\nenv A=1\nenv B=two words\nenv EMPTY=\n";
    EXPECT_EQ(r.out.substr(0, expected.size()), expected);
    Completed bare = exec({}, program("args"));
    EXPECT_EQ(bare.out.find("env "), std::string::npos) << "the environment must be empty by default";
}

// ---- system call families ----

TEST_P(Exec, FileSystemCalls)
{
    TempDir root;
    Completed r = exec({"--root", root.str()}, program("files"));
    expect_passed(r);
    // What the program left behind, seen from the host: data.txt only, 100 bytes, mode 0640.
    std::vector<std::string> left;
    for (const auto& e : fs::directory_iterator(root.path()))
        left.push_back(e.path().filename().string());
    EXPECT_EQ(left, std::vector<std::string>{"data.txt"});
    struct stat st {};
    ASSERT_EQ(::stat((root.path() / "data.txt").c_str(), &st), 0);
    EXPECT_EQ(st.st_size, 100);
    EXPECT_EQ(st.st_mode & 07777, 0640u);
}

TEST_P(Exec, MemoryCalls)
{
    TempDir root;
    expect_passed(exec({"--root", root.str()}, program("memory")));
}

// mmap(2) MAP_SHARED of a file: writes reach it (msync, munmap, MAP_FIXED, MADV_DONTNEED, exit,
// a forked child); seen here from the host, after the program has ended without unmapping.
TEST_P(Exec, SharedFileMappingsReachTheFile)
{
    TempDir root;
    expect_passed(exec({"--root", root.str()}, program("shared")));
    std::string expected(2 * 4096 + 100, 'e');
    expected[10] = 'E';
    EXPECT_TRUE(read_text(root.path() / "exit-data") == expected);
}

TEST_P(Exec, SignalHandlers)
{
    expect_passed(exec({}, program("signals")));
}

TEST_P(Exec, FatalSignalsGive128PlusN)
{
    struct Case {
        const char* mode;
        int status;
        const char* message;
    };
    for (const Case& c : {Case{"abort", 134, "signal 6 (SIGABRT)"}, Case{"kill", 143, "signal 15 (SIGTERM)"},
                          Case{"segv", 139, "signal 11 (SIGSEGV)"}, Case{"pipe", 141, "signal 13 (SIGPIPE)"}}) {
        Completed r = exec({}, program("signals"), {c.mode});
        EXPECT_EQ(r.status, c.status) << c.mode << ": " << r.err;
        EXPECT_NE(r.err.find(c.message), std::string::npos) << c.mode << ": " << r.err;
    }
    EXPECT_EQ(exec({}, program("signals"), {"ignored"}).status, 5);
}

TEST_P(Exec, Threads)
{
    expect_passed(exec({}, program("threads")));
}

// A thread waiting in a read, write, poll or wait4 must not stop the others (they all run on one
// host thread). Without parking, each of these would hang until the --timeout.
TEST_P(Exec, ThreadWaitingInASystemCallDoesNotStopTheOthers)
{
    expect_passed(exec({"--timeout", "30"}, program("blocking")));
    // A thread parked on stdin, which stays open and empty: main still runs and ends the process.
    Completed r = exec({"--timeout", "30"}, program("blocking"), {"stdin"}, "", 40, /*keep_stdin_open=*/true);
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.out, "main 1\n");
}

// epoll(7), eventfd(2), select(2): readiness, timeouts, waits in threads, the interest list.
TEST_P(Exec, EpollEventfdAndSelect)
{
    TempDir root;
    expect_passed(exec({"--root", root.str(), "--timeout", "60"}, program("epoll")));
    EXPECT_TRUE(fs::is_empty(root.path()));
}

// Not offered: inotify. The program gets ENOSYS (checked by the guest), and --trace-syscalls names it.
TEST_P(Exec, InotifyIsReportedAsUnknown)
{
    Completed r = exec({"--trace-syscalls", "--timeout", "60"}, program("epoll"));
    expect_passed(r);
    EXPECT_NE(r.err.find("unknown system call 26 inotify_init1: the program gets -ENOSYS"), std::string::npos) << r.err;
}

// socketpair(2) and sendmsg/recvmsg (unix(7)): iovecs, datagrams, flags, threads waiting on both ends.
TEST_P(Exec, UnixSocketPairsAndMessages)
{
    expect_passed(exec({"--timeout", "60"}, program("sockets")));
}

// Vireo's /proc: maps (and pthread_getattr_np, which reads it), status, cmdline, environ, fd/,
// exe, cpuinfo, meminfo, uptime. The escape attempts through /proc are in guests/escape.c.
TEST_P(Exec, ProcFilesDescribeTheGuest)
{
    expect_passed(exec({"--mem", "64M", "--env", "V=1"}, program("procfs"), {"one", "two words"}));
}

// Guest processes: fork, wait4, execve (with #! scripts), posix_spawn, deaths by signal.
TEST_P(Exec, ProcessesForkExecAndWait)
{
    TempDir root;
    fs::copy_file(guest("hello", Link::Static), root.path() / "hello");
    fs::copy_file(guest("hello", Link::Static), root.path() / "noexec");
    fs::permissions(root.path() / "noexec", fs::perms::owner_read | fs::perms::owner_write);
    write_text(root.path() / "script", "#!/hello 9\n");
    fs::permissions(root.path() / "script", fs::perms::owner_all);
    Completed r = exec({"--root", root.str()}, program("process"));
    expect_passed(r);
    // The three children that ran /hello wrote to the same stdout and stderr.
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 3) << r.err;
}

// ---- limits: ARCHITECTURE.md "Exit status": 124 when a time or instruction limit ends the run ----

TEST_P(Exec, InstructionLimit)
{
    Completed r = exec({"--max-instructions", "2000000"}, program("limits"), {"spin"});
    EXPECT_EQ(r.status, 124);
    EXPECT_EQ(r.err, "vireo: instruction limit of 2000000 reached\n");
}

TEST_P(Exec, TimeoutEndsBusyLoopsSleepsAndBlockingReads)
{
    for (const char* mode : {"spin", "sleep", "read"}) {
        Completed r = exec({"--timeout", "0.5"}, program("limits"), {mode}, "", 20, /*keep_stdin_open=*/true);
        EXPECT_EQ(r.status, 124) << mode << ": " << r.err;
        EXPECT_EQ(r.err, "vireo: timeout of 0.5 seconds reached\n") << mode;
        EXPECT_LT(r.seconds, 5.0) << mode;
        EXPECT_GE(r.seconds, 0.45) << mode;
    }
}

TEST_P(Exec, MemoryLimitMakesMallocFailInsideTheGuest)
{
    Completed r = exec({"--mem", "32M"}, program("limits"), {"alloc"});
    EXPECT_EQ(r.status, 0) << r.err;
    long mib = -1;
    ASSERT_EQ(std::sscanf(r.out.c_str(), "allocated %ld MiB", &mib), 1) << r.out;
    EXPECT_GE(mib, 20);
    EXPECT_LT(mib, 32);
}

TEST_P(Exec, HugeAllocationsFail)
{
    expect_passed(exec({"--mem", "64M"}, program("limits"), {"huge"}));
}

// Processes are limited as a tree: at most 64 children each (128 in all), and --mem holds for the
// sum of their memory, so neither a fork bomb nor many copies of a big process can pass it.
TEST_P(Exec, ForkBombsAndForkedMemoryAreBounded)
{
    Completed bomb = exec({}, program("limits"), {"forkbomb"}, "", 60);
    EXPECT_EQ(bomb.status, 0) << bomb.err;
    EXPECT_EQ(bomb.out, "forked 64 (then Resource temporarily unavailable)\n");
    expect_passed(exec({"--mem", "64M"}, program("limits"), {"forkmem"}));
}

TEST_P(Exec, StackOverflowIsSigsegv)
{
    EXPECT_EQ(exec({}, program("limits"), {"recurse"}).status, 139);
}

TEST_P(Exec, DeadlockEndsTheRun)
{
    Completed r = exec({}, program("limits"), {"deadlock"}, "", 20);
    EXPECT_EQ(r.status, 124);
    EXPECT_NE(r.err.find("deadlock"), std::string::npos) << r.err;
}

// ---- the walls ----

// Every escape attempt of guests/escape.c fails or stays inside the root; the host is untouched.
TEST_P(Exec, EscapeAttemptsFailAndTheHostIsUntouched)
{
    TempDir top;
    const fs::path root = top.path() / "root", outside = top.path() / "outside";
    fs::create_directories(root);
    fs::create_directories(outside);
    write_text(outside / "secret.txt", "secret\n");
    write_text(root / "inside.txt", "inside\n");
    fs::create_symlink(outside / "secret.txt", root / "hostlink");
    fs::create_symlink("../outside", root / "uplink");
    fs::create_symlink("/", root / "rootlink");
    if (::geteuid() == 0) {
        ASSERT_EQ(::mknod((root / "chardev").c_str(), S_IFCHR | 0666, makedev(1, 3)), 0);
    }
    struct stat before {};
    ASSERT_EQ(::stat((outside / "secret.txt").c_str(), &before), 0);

    Completed r = exec({"--root", root.string()}, program("escape"), {outside.string()});
    expect_passed(r);

    // Outside the root: nothing new, nothing changed.
    std::vector<std::string> top_entries, outside_entries;
    for (const auto& e : fs::directory_iterator(top.path()))
        top_entries.push_back(e.path().filename().string());
    std::sort(top_entries.begin(), top_entries.end());
    for (const auto& e : fs::directory_iterator(outside))
        outside_entries.push_back(e.path().filename().string());
    EXPECT_EQ(top_entries, (std::vector<std::string>{"outside", "root"}));
    EXPECT_EQ(outside_entries, std::vector<std::string>{"secret.txt"});
    EXPECT_EQ(read_text(outside / "secret.txt"), "secret\n");
    struct stat after {};
    ASSERT_EQ(::stat((outside / "secret.txt").c_str(), &after), 0);
    EXPECT_EQ(after.st_mtim.tv_sec, before.st_mtim.tv_sec);
    EXPECT_EQ(after.st_mtim.tv_nsec, before.st_mtim.tv_nsec);
    for (const char* name : {"/created_at_root", "/escape_dir", "/renamed_link", "/hardlink.txt", "/suid", "/mylink"})
        EXPECT_FALSE(fs::exists(fs::symlink_status(name))) << name << " appeared on the host";
    // Inside it: what the guest made "above the root" landed in it.
    EXPECT_EQ(read_text(root / "created_at_root"), "made inside\n");
    EXPECT_TRUE(fs::is_directory(root / "escape_dir"));
    EXPECT_TRUE(fs::exists(root / "hardlink.txt"));
    // No set-user-ID or set-group-ID file came out of it.
    for (const auto& e : fs::directory_iterator(root)) {
        struct stat st {};
        ASSERT_EQ(::lstat(e.path().c_str(), &st), 0);
        EXPECT_EQ(st.st_mode & (S_ISUID | S_ISGID), 0u) << e.path();
    }
    EXPECT_EQ(read_text(root / "inside.txt"), "inside\n");
}

TEST_P(Exec, SysrootIsReadOnly)
{
    expect_passed(exec({}, program("rofs")));
    // With a root that lacks /lib, the sysroot's appears there, read-only too.
    TempDir root;
    expect_passed(exec({"--root", root.str()}, program("rofs")));
    EXPECT_TRUE(fs::is_empty(root.path()));
}

TEST_P(Exec, NoNetworkWithoutAllowNet)
{
    Completed r = exec({}, program("net"), {"1"});
    EXPECT_EQ(r.status, 3);
    EXPECT_EQ(r.out, "socket: Permission denied\n");
}

TEST_P(Exec, AllowNetConnectsOut)
{
    // A one-shot echo server on the loopback interface.
    const int server = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(server, 0);
    sockaddr_in addr {};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(server, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    socklen_t len = sizeof addr;
    ASSERT_EQ(::getsockname(server, reinterpret_cast<sockaddr*>(&addr), &len), 0);
    ASSERT_EQ(::listen(server, 1), 0);
    std::thread echo([server] {
        const int c = ::accept(server, nullptr, nullptr);
        if (c < 0)
            return;
        char buf[64];
        const ssize_t n = ::read(c, buf, sizeof buf);
        if (n > 0)
            (void)!::write(c, buf, static_cast<size_t>(n));
        ::close(c);
    });
    Completed r = exec({"--allow-net"}, program("net"), {std::to_string(ntohs(addr.sin_port))});
    echo.join();
    ::close(server);
    expect_passed(r);
    EXPECT_NE(r.out.find("reply: hello over tcp\n"), std::string::npos) << r.out;
}

// ---- tracing and errors ----

TEST_P(Exec, TraceSyscallsReportsUnknownOnesOnce)
{
    Completed r = exec({"--trace-syscalls"}, program("args"));
    EXPECT_EQ(r.status, 0);
    EXPECT_NE(r.err.find("] write(0x1"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("exit_group(0x0"), std::string::npos) << r.err;
    const std::string unknown = "unknown system call 4000";
    const size_t first = r.err.find(unknown);
    ASSERT_NE(first, std::string::npos) << r.err;
    EXPECT_EQ(r.err.find(unknown, first + 1), std::string::npos);
}

// Once the program is loaded, the host process runs under a seccomp filter (src/confine/confine.hpp),
// unless --no-seccomp. Seen from outside while the program waits for input.
TEST_P(Exec, TheHostProcessRunsUnderASeccompFilter)
{
    for (bool filtered : {true, false}) {
        std::vector<std::string> argv{kVireo, "exec"};
        if (!filtered)
            argv.push_back("--no-seccomp");
        argv.push_back(program("cat"));
        vireo::test::ConsoleSession session(argv);
        session.send("ping\n");
        ASSERT_TRUE(session.expect("ping\n", std::chrono::seconds(30))) << session.output();
        EXPECT_EQ(vireo::test::seccomp_modes(session.pid()), std::vector<int>{filtered ? 2 : 0});
        session.close_input();
        EXPECT_EQ(session.wait_exit(std::chrono::seconds(30)), 0) << session.output();
    }
}

TEST(ExecErrors, SetUpFailuresAre125WithOneLine)
{
    TempDir dir;
    write_text(dir.path() / "not-elf", "#!/bin/sh\necho hi\n");
    struct Case {
        std::string program;
        std::string message;
    };
    for (const Case& c : {Case{(dir.path() / "missing").string(), "No such file"},
                          Case{(dir.path() / "not-elf").string(), "not an ELF"},
                          Case{"/bin/true", "not RISC-V"}}) {
        Completed r = exec({}, c.program);
        EXPECT_EQ(r.status, 125) << c.program;
        EXPECT_NE(r.err.find(c.message), std::string::npos) << r.err;
        EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    }
    Completed r = exec({"--root", (dir.path() / "nowhere").string()}, guest("hello", Link::Static));
    EXPECT_EQ(r.status, 125);
    Completed dyn = exec({"--root", dir.str()}, guest("hello", Link::Dynamic));
    EXPECT_EQ(dyn.status, 0) << "the sysroot's /lib stands in for a root without one: " << dyn.err;
}

// ---- the same program under qemu-riscv64 ----

TEST_P(Exec, SameOutputAsQemu)
{
    if (kQemu.empty())
        GTEST_SKIP() << "qemu-riscv64 not installed";
    // compute.c touches no file: safe to run without a sandbox.
    Completed ours = exec({}, program("compute"));
    Completed theirs = run(qemu_command("compute"));
    EXPECT_EQ(ours.status, 0) << ours.err;
    EXPECT_EQ(theirs.status, 0) << theirs.err;
    EXPECT_EQ(ours.out, theirs.out);
    EXPECT_NE(ours.out.find("primes below 1000000: 78498"), std::string::npos);
}

// Double-precision arithmetic, compares and conversions over special values, each with the flags
// it raised (guests/fpu.c): the translator computes much of it on the host's SSE, and must give
// the interpreter's results, canonical NaNs and fflags; qemu-riscv64 is the reference.
TEST_P(Exec, FloatingPointResultsAndFlags)
{
    Completed ours = exec({}, program("fpu"));
    ASSERT_EQ(ours.status, 0) << ours.err;
    for (const char* line : {
             "fadd 3ff0000000000000 3fd5555555555555 = 3ff5555555555555 01\n",   // inexact
             "fadd 7ff8000000000123 3ff0000000000000 = 7ff8000000000000 00\n",   // canonical NaN
             "fadd 7ff0000000000001 3ff0000000000000 = 7ff8000000000000 10\n",   // sNaN: invalid
             "fdiv 3ff0000000000000 0000000000000000 = 7ff0000000000000 08\n",   // divide by zero
             "fcvt.w.rtz 41e0000000000000 = 000000007fffffff 10\n",             // saturated
             "fdiv.dyn 3ff0000000000000 4008000000000000 = 3fd5555555555556 01\n",   // frm = RUP
             "accumulated 09\n", "after clearing 00\n"})
        EXPECT_NE(ours.out.find(line), std::string::npos) << "missing: " << line;
    if (kQemu.empty())
        GTEST_SKIP() << "qemu-riscv64 not installed: the known lines above were checked, not the rest";
    Completed theirs = run(qemu_command("fpu"));
    ASSERT_EQ(theirs.status, 0) << theirs.err;
    if (ours.out != theirs.out) {   // the first line that differs, rather than 24,000 of them
        size_t at = 0;
        while (at < ours.out.size() && at < theirs.out.size() && ours.out[at] == theirs.out[at])
            ++at;
        const size_t line = ours.out.rfind('\n', at) == std::string::npos ? 0 : ours.out.rfind('\n', at) + 1;
        ADD_FAILURE() << "first difference, vireo: " << ours.out.substr(line, ours.out.find('\n', line) - line)
                      << "\n              qemu: " << theirs.out.substr(line, theirs.out.find('\n', line) - line);
    }
}

}  // namespace
}  // namespace vireo::sandbox::test
