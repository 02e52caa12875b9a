// libFuzzer target for the process VM's system call layer (src/sandbox/syscalls*.cpp, signals.cpp,
// the thread and futex code in process.cpp): the dispatcher is driven directly, with fuzzed
// register values, as if the guest program had executed ecall.
//
// Each input gets a fresh Process with a tiny loaded program, a 16 MiB memory limit, a 64 KiB
// read-write scratch area (its start filled from the input: paths, structs, iovecs) followed by a
// read-only page, and a root folder rebuilt for the input (a file, a folder, a symlink that points
// outside). Guest descriptors 0-2 are /dev/null. Then up to 16 system calls run: a number and six
// arguments, each argument a small integer, a pointer into the scratch area, or any 64 bits.
//
// Blocking host calls cannot hang the fuzzer: each call runs with a 10 ms --timeout (what ends
// waits inside the sandbox) and a 100 ms host timer whose signal interrupts a host call that
// would block (a pipe nobody reads, a flock held by another descriptor).
//
// Beyond "no crash", the harness checks that the sandbox did not touch the host outside its root
// (sandbox.hpp, syscalls.cpp): the folder beside the root and its canary are unchanged, nothing
// appears next to the root, the host's working folder, umask, signal dispositions and resource
// limits are as they were, and no host descriptor outlives the Process. Inside, x0 stays 0 and
// the descriptor table and committed memory keep to their limits.
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "base/bytes.hpp"
#include "base/log.hpp"
#include "fuzz_check.hpp"
#include "fuzz_input.hpp"
#include "host_tree.hpp"
#include "sandbox/process.hpp"

using namespace vireo;
using namespace vireo::sandbox;
using vireo::fuzz::check;

namespace {

constexpr uint64_t kScratch = 0x100000;
constexpr uint64_t kScratchSize = 64 * 1024;
constexpr uint64_t kReadOnlyPage = kScratch + kScratchSize;
constexpr uint64_t kMemoryLimit = 16 << 20;
constexpr int kMaxCalls = 16;
constexpr uint64_t kProgramBase = 0x10000;

std::string g_base, g_root, g_outside, g_program;
timer_t g_timer;

// What the host looks like before any input: none of it may change.
struct HostState {
    std::string cwd;
    mode_t umask = 0;
    std::array<uintptr_t, 32> handlers{};
    std::array<rlim_t, 4> limits{};

    static HostState now()
    {
        HostState s;
        char buffer[4096];
        s.cwd = ::getcwd(buffer, sizeof buffer) ? buffer : "";
        s.umask = ::umask(022);
        ::umask(s.umask);
        for (int sig = 1; sig < 32; ++sig) {
            struct sigaction sa {};
            if (::sigaction(sig, nullptr, &sa) == 0)
                s.handlers[static_cast<size_t>(sig)] = reinterpret_cast<uintptr_t>(sa.sa_handler);
        }
        const int resources[] = {RLIMIT_NOFILE, RLIMIT_STACK, RLIMIT_CORE, RLIMIT_AS};
        for (size_t i = 0; i < std::size(resources); ++i) {
            struct rlimit rl {};
            ::getrlimit(resources[i], &rl);
            s.limits[i] = rl.rlim_cur;
        }
        return s;
    }
    bool operator==(const HostState&) const = default;
};

void ignore_signal(int) {}

// A minimal static riscv64 executable: one PT_LOAD segment holding `ecall; j .` at its entry.
std::vector<uint8_t> tiny_program()
{
    constexpr uint64_t kHeaders = 64 + 56;
    std::vector<uint8_t> elf(kHeaders + 8);
    uint8_t* e = elf.data();
    const uint8_t ident[16] = {0x7f, 'E', 'L', 'F', 2, 1, 1};  // ELFCLASS64, little-endian, version 1
    std::memcpy(e, ident, sizeof ident);
    store_le<uint16_t>(e + 16, 2);     // ET_EXEC
    store_le<uint16_t>(e + 18, 243);   // EM_RISCV
    store_le<uint32_t>(e + 20, 1);
    store_le<uint64_t>(e + 24, kProgramBase + kHeaders);  // e_entry
    store_le<uint64_t>(e + 32, 64);    // e_phoff
    store_le<uint32_t>(e + 48, 0x4);   // e_flags: double-float ABI
    store_le<uint16_t>(e + 52, 64);    // e_ehsize
    store_le<uint16_t>(e + 54, 56);    // e_phentsize
    store_le<uint16_t>(e + 56, 1);     // e_phnum
    uint8_t* ph = e + 64;
    store_le<uint32_t>(ph, 1);         // PT_LOAD
    store_le<uint32_t>(ph + 4, 5);     // PF_R | PF_X
    store_le<uint64_t>(ph + 16, kProgramBase);
    store_le<uint64_t>(ph + 24, kProgramBase);
    store_le<uint64_t>(ph + 32, elf.size());
    store_le<uint64_t>(ph + 40, elf.size());
    store_le<uint64_t>(ph + 48, 0x1000);
    store_le<uint32_t>(e + kHeaders, 0x00000073);      // ecall
    store_le<uint32_t>(e + kHeaders + 4, 0x0000006f);  // j .
    return elf;
}

void build_root()
{
    fuzz::remove_tree(g_root);
    check(::mkdir(g_root.c_str(), 0755) == 0, "the root can be made");
    fuzz::write_text(g_root + "/file", "hello, sandbox\n");
    check(::mkdir((g_root + "/dir").c_str(), 0755) == 0, "a folder in the root can be made");
    fuzz::write_text(g_root + "/dir/inner", "");
    ::symlink(g_outside.c_str(), (g_root + "/out").c_str());
    ::symlink((g_outside + "/canary").c_str(), (g_root + "/canary-link").c_str());
}

void arm_timer(long ms)
{
    struct itimerspec spec {};
    spec.it_value.tv_sec = ms / 1000;
    spec.it_value.tv_nsec = (ms % 1000) * 1000000;
    check(::timer_settime(g_timer, 0, &spec, nullptr) == 0, "the host timer can be set");
}

uint64_t argument(fuzz::FuzzInput& in, unsigned kind)
{
    switch (kind & 3) {
    case 0:
        return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int8_t>(in.u8())));  // fds, AT_FDCWD, -1
    case 1:
        return kScratch + in.u16() % (kScratchSize + 4096);  // into the scratch area or the read-only page
    case 2:
        return in.u32();  // flags, modes, sizes
    default:
        return in.u64();
    }
}

void run_calls(Process& p, fuzz::FuzzInput& in)
{
    Thread& t = *p.m_threads.at(0);
    GuestHart& h = *t.hart;
    for (int call = 0; call < kMaxCalls && !in.empty(); ++call) {
        const uint16_t selector = in.u16();
        // Mostly the Linux numbers (all below 448 on riscv64); now and then Vireo's own.
        uint64_t nr = selector % 448;
        if (selector >= 0xfff0)
            nr = selector == 0xffff ? kPauseSyscall : kHostCallBase + (selector & 0xf);
        const uint16_t kinds = in.u16();
        for (unsigned i = 0; i < 6; ++i)
            h.set_reg(10 + i, argument(in, kinds >> (2 * i)));
        h.set_reg(17, nr);

        // A call that blocked (a futex, a sleep, I/O parked in IoWait) is over: the thread is
        // woken as the scheduler would wake it, and the next ecall is a new call.
        p.m_stop = Stop::None;
        t.state = Thread::State::Runnable;
        t.deadline.reset();
        t.io_fds.clear();
        t.io_files.clear();
        p.m_deadline = Clock::now() + std::chrono::milliseconds(10);
        arm_timer(100);
        p.do_syscall(t);
        arm_timer(0);

        check(h.reg(0) == 0, "x0 stays 0");
        check(p.m_fds.end() <= FdTable::kMax, "the descriptor table keeps to its limit");
        check(p.m_mem->tree_pages() <= kMemoryLimit / layout::kPageSize, "committed memory keeps to the limit");
        if (p.m_stop == Stop::Exited || p.m_stop == Stop::Signaled || t.state == Thread::State::Exited)
            return;
    }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***)
{
    log::set_level(log::Level::Off);
    g_base = fuzz::make_scratch_dir("sandbox");
    g_root = g_base + "/root";
    g_outside = g_base + "/outside";
    g_program = g_base + "/program";
    check(::mkdir(g_outside.c_str(), 0755) == 0, "the outside folder can be made");
    fuzz::write_text(g_outside + "/canary", "canary");
    const auto program = tiny_program();
    fuzz::write_text(g_program, std::string(program.begin(), program.end()));

    // The timer's signal only interrupts (no SA_RESTART): a blocked host call returns EINTR.
    struct sigaction sa {};
    sa.sa_handler = ignore_signal;
    sigemptyset(&sa.sa_mask);
    check(::sigaction(SIGRTMIN + 2, &sa, nullptr) == 0, "the timer's handler can be installed");
    struct sigevent ev {};
    ev.sigev_notify = SIGEV_SIGNAL;
    ev.sigev_signo = SIGRTMIN + 2;
    check(::timer_create(CLOCK_MONOTONIC, &ev, &g_timer) == 0, "the host timer can be made");
    // A guest writing to a pipe whose reader is gone: vireo exec ignores SIGPIPE (sandbox.hpp).
    ::signal(SIGPIPE, SIG_IGN);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    fuzz::FuzzInput in(data, size);
    // Taken at the first input, after libFuzzer has installed its own signal handlers.
    static const HostState host_before = HostState::now();
    build_root();
    const int fds_before = fuzz::count_fds();
    {
        Config config;
        config.root = g_root;
        config.sysroot.clear();  // nothing of the host but the root
        config.limits.memory = kMemoryLimit;
        auto created = Process::create(config);
        check(created.ok(), "the process can be made");
        Process& p = *created.value();
        check(p.load(g_program, {"fuzz"}).ok(), "the tiny program loads");
        // Guest descriptors 0-2: /dev/null, so nothing reaches the fuzzer's terminal.
        for (int fd = 0; fd < 3; ++fd) {
            const int null_fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
            check(null_fd >= 0, "/dev/null opens");
            p.m_fds.put(fd, std::make_shared<OpenFile>(OpenFile::Kind::Stdio, null_fd, true, std::string()), false);
        }
        check(p.m_mem->map(kScratch, kScratchSize, AddressSpace::kRead | AddressSpace::kWrite) == 0,
              "the scratch area maps");
        check(p.m_mem->map(kReadOnlyPage, 4096, AddressSpace::kRead) == 0, "the read-only page maps");
        const auto scratch = in.bytes(in.u16() % 4096);
        if (!scratch.empty())
            std::memcpy(p.m_mem->writable(kScratch, scratch.size()), scratch.data(), scratch.size());
        p.after_memory_change();
        run_calls(p, in);
    }
    check(fuzz::count_fds() == fds_before, "no host descriptor outlives the process");
    check(fuzz::list_dir(g_outside) == std::set<std::string>{".", "..", "canary"}, "nothing appears outside the root");
    check(fuzz::read_text(g_outside + "/canary") == "canary", "the canary outside the root is untouched");
    check(fuzz::list_dir(g_base) == std::set<std::string>{".", "..", "root", "outside", "program"},
          "nothing appears next to the root");
    check(HostState::now() == host_before, "the host's cwd, umask, signal handlers and limits are unchanged");
    return 0;
}
