// cli/options: the `vireo` command line (ARCHITECTURE.md, "The command line") parsed into plain
// structs. Parsing has no side effects — it opens no file and prints nothing — so tests drive it
// as a library, and main() decides what to print and which exit status to use.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "riscv/engine.hpp"

namespace vireo::cli {

inline constexpr const char* VERSION = "0.1.0";

// Exit statuses Vireo itself uses; every other status is the guest's own.
inline constexpr int EXIT_LIMIT = 124;   // --max-instructions or --timeout ended the run
inline constexpr int EXIT_USAGE = 125;   // a usage or set-up error, with one line on stderr

enum class Command { Help, Version, Run, Exec };
enum class Arch { Riscv64, X86_64 };
enum class Accel { Emu, Kvm };

struct DiskOption {
    enum class Access { ReadWrite, ReadOnly };
    enum class Format { Raw, Qcow2 };
    std::string path;
    Access access = Access::ReadWrite;
    Format format = Format::Raw;
};

// hostfwd=PROTOCOL:[ADDRESS]:H-:G
struct PortForward {
    enum class Protocol { Tcp, Udp };
    uint16_t host_port = 0;
    uint16_t guest_port = 0;
    Protocol protocol = Protocol::Tcp;
    std::string host_address;            // dotted IPv4 (checked); empty: the default, 127.0.0.1
};

struct NetOption {
    enum class Mode { User, Tap };
    Mode mode = Mode::User;
    std::vector<PortForward> forwards;   // User: hostfwd=..., in order given
    std::string tap_name;                // Tap: the host interface
};

struct ShareOption {
    std::string host_dir;
    std::string tag;   // the virtio-9p mount tag the guest mounts by
};

struct RunOptions {
    Arch arch = Arch::Riscv64;
    Accel accel = Accel::Emu;
    std::optional<std::string> kernel;
    std::optional<std::string> initrd;
    std::optional<std::string> append;
    std::optional<std::string> firmware;   // a file; unset = the default firmware
    bool no_firmware = false;              // --firmware none
    std::optional<std::string> bare;       // --bare FILE.elf
    uint64_t mem_size = 256ull << 20;
    unsigned cpus = 1;
    std::vector<DiskOption> disks;
    std::optional<NetOption> net;
    std::vector<ShareOption> shares;
    uint64_t max_instructions = 0;   // 0 = no limit
    double timeout_seconds = 0;      // 0 = no limit
    bool trace = false;              // hidden --trace: print each instruction (--bare only)
    std::optional<riscv::Engine> engine;   // unset: riscv::default_engine()
    bool seccomp = true;             // --no-seccomp turns the filter off (confine.hpp)
};

struct ExecOptions {
    std::optional<std::string> root;
    uint64_t mem_size = 256ull << 20;
    uint64_t max_instructions = 0;   // 0 = no limit
    double timeout_seconds = 0;      // 0 = no limit
    bool allow_net = false;
    std::vector<std::string> env;    // "K=V", in order given; empty by default
    bool trace_syscalls = false;
    std::optional<riscv::Engine> engine;   // unset: riscv::default_engine()
    bool seccomp = true;             // --no-seccomp turns the filter off (confine.hpp)
    std::string program;
    std::vector<std::string> args;   // everything after PROGRAM, untouched
};

struct Invocation {
    Command command = Command::Help;
    std::string help_topic;   // Command::Help: "" for the overview, or "run" / "exec"
    RunOptions run;           // Command::Run
    ExecOptions exec;         // Command::Exec
};

// Parses the arguments after argv[0]. A usage error is one line without the "vireo: " prefix that
// main() adds, and points at the help: "run: unknown option '--foo' (see 'vireo run --help')".
Result<Invocation> parse_command_line(std::span<const std::string> args);

// The text `vireo --help` ("" topic), `vireo run --help` ("run") and `vireo exec --help` ("exec")
// print; ends with a newline.
std::string help_text(const std::string& topic);

}  // namespace vireo::cli
