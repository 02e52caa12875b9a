// sandbox: the process VM. Runs one riscv64 Linux program on the shared hart (riscv::Hart in its
// unprivileged form), answers its system calls, and lets nothing of the host through except what
// the Config grants: one folder as /, stdin/stdout/stderr, outgoing sockets with allow_net.
//
// Two ways in:
//   - `vireo exec` loads a program and calls run() once (cli/commands.cpp).
//   - Embedders load a program, run() it until it pauses (the guest calls vireo_pause() from
//     <vireo_guest.h> once it has initialised), then call its functions by symbol, as often as they
//     like, optionally going back to a snapshot between calls (reset) or cloning it (fork).
//
//       auto box = TRY(Sandbox::create(config));
//       TRY(box->load("filter.elf", {"filter"}));
//       box->register_host_function(1, [](HostCall& call) { ... return 0; });
//       auto paused = TRY(box->run());                 // kind == Outcome::Kind::Paused
//       TRY(box->snapshot());
//       uint64_t n = TRY(box->call("count_words", {CallArg::bytes(text)}));
//       box->reset();                                  // memory and registers as at the snapshot
//
// Lifecycle of a Sandbox:  created --load--> loaded --run--> {exited | paused | limit}
//                          paused --call--> paused;  paused --snapshot--> paused (+ snapshot)
//                          any state with a snapshot --reset--> the snapshot's state
//
// Host functions run on the thread that called run() or call(); they may read and write guest
// memory but must not call run(), call(), reset() or fork() of the same sandbox.
//
// A guest writing to a pipe whose reader is gone gets SIGPIPE in the guest; the host process must
// ignore SIGPIPE itself (`vireo exec` does) or a closed pipe would end it.
//
// Everything the guest does wrong ends as a value (an Outcome, or -errno inside the guest); a
// Result error means a set-up failure of the host (missing file, not a riscv64 program, no memory).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/result.hpp"

namespace vireo::sandbox {

// Resource limits. Each run() or call() gets the full instruction and time budget afresh.
struct Limits {
    uint64_t memory = 256ull << 20;   // guest memory (mapped, accessible pages); mmap/brk fail beyond
    uint64_t max_instructions = 0;    // 0 = no limit
    double timeout_seconds = 0;       // wall-clock; 0 = no limit
};

struct Config {
    // The host folder the program sees as /, read-write. Unset: the program sees only `sysroot`,
    // read-only (enough for dynamically linked programs to find their libraries).
    std::optional<std::string> root;
    // Where the interpreter and libraries of dynamically linked programs come from when there is no
    // root: Debian's libc6-riscv64-cross.
    std::string sysroot = "/usr/riscv64-linux-gnu";
    bool allow_net = false;            // outgoing IPv4/IPv6 sockets; never named Unix sockets
    std::vector<std::string> env;      // "K=V"; the guest's whole environment
    Limits limits;
    bool trace_syscalls = false;       // every syscall and its result on stderr
    // fork/vfork/posix_spawn and execve for the guest. A guest process is a host process: fork
    // forks the host process that runs the sandbox, which suits a process that is nothing else
    // (`vireo exec` sets this), not an embedder. Each process has the limits on its own.
    bool allow_processes = false;
};

struct Outcome {
    enum class Kind {
        Exited,            // the program called exit/exit_group: `status` is its exit status
        Signaled,          // a fatal signal ended it: `status` is the signal number
        Paused,            // the guest called vireo_pause(): call() and run() may follow
        InstructionLimit,  // Limits::max_instructions reached
        Timeout,           // Limits::timeout_seconds reached
        Deadlock,          // every guest thread waits for something only another thread could do
    };
    Kind kind = Kind::Exited;
    int status = 0;
    uint64_t instructions = 0;   // executed during this run() or call()

    // The exit status `vireo exec` reports: the program's, 128+N for signal N, 124 for a limit.
    int exit_status() const;
    // A one-line description for stderr when the run did not simply exit, else "".
    std::string describe() const;
};

// An argument of call(): an integer (passed in a register) or bytes copied onto the guest's stack
// (the register then holds their address; `writeback` copies them back after the call).
struct CallArg {
    enum class Kind { Integer, Bytes };
    Kind kind = Kind::Integer;
    uint64_t value = 0;
    std::span<const uint8_t> in;
    std::span<uint8_t> out;   // Bytes with write-back: the same buffer, copied back after the call

    static CallArg integer(uint64_t v) { return {Kind::Integer, v, {}, {}}; }
    static CallArg bytes(std::span<const uint8_t> data) { return {Kind::Bytes, 0, data, {}}; }
    // A NUL-terminated copy of `text`.
    static CallArg string(const std::string& text)
    {
        return {Kind::Bytes, 0, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.c_str()), text.size() + 1), {}};
    }
    static CallArg writeback(std::span<uint8_t> data) { return {Kind::Bytes, 0, data, data}; }
};

class Sandbox;

// What a host function sees: its arguments (a0-a5) and the sandbox, to read and write guest memory.
struct HostCall {
    Sandbox& sandbox;
    uint64_t args[6];
};
// Returns the value the guest gets in a0.
using HostFunction = std::function<uint64_t(HostCall&)>;

// The guest reaches host function N with syscall number kHostCallBase + N (see vireo_guest.h).
inline constexpr uint64_t kHostCallBase = 0x10000;
inline constexpr unsigned kMaxHostFunctions = 256;
// vireo_pause(): run() returns Outcome::Kind::Paused; the next run() continues after the call.
inline constexpr uint64_t kPauseSyscall = 0xffff;

class Process;

class Sandbox {
public:
    static Result<std::unique_ptr<Sandbox>> create(const Config& config);
    ~Sandbox();
    Sandbox(const Sandbox&) = delete;
    Sandbox& operator=(const Sandbox&) = delete;

    // Loads `path` (a host file, as for qemu-user; its interpreter comes from the root or the
    // sysroot) with argv = args (argv[0] = path if args is empty) and the Config's environment.
    Result<void> load(const std::string& path, const std::vector<std::string>& args);

    // Runs until the program exits, pauses, dies of a signal or meets a limit.
    Result<Outcome> run();

    // Calls a function of the paused (or exited) program with the C calling convention: up to 8
    // arguments in a0-a7; returns a0. The registers of the paused thread are kept; the call runs on
    // its stack, below its stack pointer. A fault inside the call is an error, and so is a limit.
    Result<uint64_t> call(const std::string& symbol, std::span<const CallArg> args = {});
    Result<uint64_t> call(uint64_t address, std::span<const CallArg> args = {});
    Result<uint64_t> call(const std::string& symbol, std::initializer_list<CallArg> args)
    {
        return call(symbol, std::span<const CallArg>(args.begin(), args.size()));
    }
    // The address of a symbol of the main program (with its load bias), if it has one.
    std::optional<uint64_t> symbol(const std::string& name) const;

    void register_host_function(unsigned number, HostFunction function);

    // Remembers the current state (memory, registers, brk, signal handlers), so that reset() can
    // return to it. Later writes are tracked per page, so reset() costs in proportion to what
    // changed since, not to the size of the program.
    Result<void> snapshot();
    // Back to the snapshot. File descriptors opened since are closed; those that existed keep their
    // position. Precondition: snapshot() succeeded.
    void reset();
    // A new sandbox in the state of this one's snapshot (needs snapshot()), sharing nothing with it.
    Result<std::unique_ptr<Sandbox>> fork() const;

    void set_limits(const Limits& limits);
    const Limits& limits() const;

    // Guest memory, for host functions and embedders. Fails unless the whole range is mapped with
    // that access.
    Result<void> read_memory(uint64_t address, std::span<uint8_t> out) const;
    Result<void> write_memory(uint64_t address, std::span<const uint8_t> in);
    Result<std::string> read_string(uint64_t address, size_t max_length = 4096) const;

    // Statistics, for benchmarks.
    uint64_t memory_in_use() const;      // bytes of guest memory counted against Limits::memory
    size_t pages_dirtied() const;        // pages written since the snapshot

private:
    explicit Sandbox(std::unique_ptr<Process> process);
    std::unique_ptr<Process> m_process;
};

}  // namespace vireo::sandbox
