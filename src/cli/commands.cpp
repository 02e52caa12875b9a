#include "cli/commands.hpp"

#include <sys/stat.h>

#include <cinttypes>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <functional>

#include "confine/confine.hpp"
#include "kvm/kvm.hpp"
#include "riscv/engine.hpp"
#include "sandbox/sandbox.hpp"

namespace vireo::cli {

namespace {

// "2.5", "10": as the user would write it.
std::string format_seconds(double seconds)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, "%g", seconds);
    return buf;
}

Outcome not_implemented(const std::string& what) { return {EXIT_USAGE, what + " is not implemented yet"}; }

// What each command's process may still do once it is set up (confine.hpp), from its options.
// The devices of a system machine, under either backend:
confine::Policy device_policy(const RunOptions& options)
{
    confine::Policy policy;
    policy.terminal = true;                     // the console's raw mode is put back at the end
    policy.files = !options.shares.empty();     // the 9p server works below each shared folder
    const bool user_net = options.net && options.net->mode == NetOption::Mode::User;
    policy.sockets = user_net;                  // libslirp's connections for the guest
    policy.read_files = user_net;               // and its re-reads of /etc/resolv.conf
    return policy;                              // a tap needs only read and write on its fd
}

confine::Policy emulator_policy(const RunOptions& options)
{
    if (options.bare)
        return {};                              // HTIF writes to stdout; no console input
    return device_policy(options);
}

confine::Policy kvm_policy(const RunOptions& options)
{
    confine::Policy policy = device_policy(options);
    policy.threads = true;    // one per vCPU, started after the filter
    policy.kvm = true;
    return policy;
}

confine::Policy exec_policy(const ExecOptions& options)
{
    confine::Policy policy;
    policy.files = true;       // the program's root, or the read-only sysroot
    policy.local_io = true;    // its pipes, eventfds, socketpairs, epoll and /proc files (memfds)
    policy.terminal = true;    // the program's own terminal ioctls, passed through
    policy.processes = true;   // fork, wait4, kill of its children (Config::allow_processes)
    policy.sockets = options.allow_net;
    return policy;
}

Result<void> confine_process(const confine::Policy& policy)
{
    auto installed = confine::install(policy);
    if (!installed.ok())
        return installed.error().with_context("cannot confine Vireo's process (--no-seccomp runs without it)");
    return {};
}

// The machines' before_guest_runs hook: the filter, unless --no-seccomp.
std::function<Result<void>()> confinement(bool enabled, const confine::Policy& policy)
{
    if (!enabled)
        return {};
    return [policy] { return confine_process(policy); };
}

}  // namespace

machine::BareConfig bare_config(const RunOptions& options)
{
    machine::BareConfig config;
    config.elf_path = options.bare.value_or("");
    config.mem_size = options.mem_size;
    config.max_instructions = options.max_instructions;
    config.timeout_seconds = options.timeout_seconds;
    config.trace = options.trace;
    config.before_guest_runs = confinement(options.seccomp, emulator_policy(options));
    return config;
}

Outcome outcome_of_bare_run(const Result<machine::BareOutcome>& result, const RunOptions& options)
{
    if (!result.ok())
        return {EXIT_USAGE, result.error().text()};
    const machine::BareOutcome& outcome = result.value();
    switch (outcome.kind) {
    case machine::BareOutcome::Kind::Exited: {
        // The exit status has 8 bits. A failing test (tohost>>1 != 0) whose code is a multiple of
        // 256 must not read as a pass, so it becomes 1.
        int status = static_cast<int>(outcome.exit_code & 0xff);
        if (outcome.exit_code != 0 && status == 0)
            status = 1;
        return {status, ""};
    }
    case machine::BareOutcome::Kind::InstructionLimit:
        return {EXIT_LIMIT, "instruction limit of " + std::to_string(options.max_instructions) + " reached"};
    case machine::BareOutcome::Kind::Timeout:
        return {EXIT_LIMIT, "timeout of " + format_seconds(options.timeout_seconds) + " seconds reached"};
    }
    return {EXIT_USAGE, "bare machine: unknown outcome"};
}

// Where guests/build.sh leaves the default guest: $VIREO_CACHE/default, else ~/.cache/vireo/default.
std::string default_guest_dir()
{
    if (const char* cache = std::getenv("VIREO_CACHE"); cache && *cache)
        return std::string(cache) + "/default";
    const char* home = std::getenv("HOME");
    return std::string(home && *home ? home : "/root") + "/.cache/vireo/default";
}

namespace {
bool exists(const std::string& path)
{
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}
}  // namespace

virtio::DeviceSetConfig device_set_config(const RunOptions& options)
{
    virtio::DeviceSetConfig devices;
    for (const auto& disk : options.disks)
        devices.disks.push_back({disk.path,
                                 disk.access == DiskOption::Access::ReadOnly ? virtio::Block::Access::ReadOnly
                                                                             : virtio::Block::Access::ReadWrite,
                                 disk.format == DiskOption::Format::Qcow2 ? disk::Format::Qcow2 : disk::Format::Raw});
    for (const auto& share : options.shares)
        devices.shares.push_back({share.host_dir, share.tag});
    if (options.net) {
        virtio::NetConfig net;
        net.backend = options.net->mode == NetOption::Mode::Tap ? virtio::NetConfig::Backend::Tap : virtio::NetConfig::Backend::User;
        net.tap_name = options.net->tap_name;
        for (const auto& f : options.net->forwards) {
            virtio::net::PortForward forward{f.host_port, f.guest_port};
            if (f.protocol == PortForward::Protocol::Udp)
                forward.protocol = virtio::net::PortForward::Protocol::Udp;
            if (!f.host_address.empty())
                forward.host_address = f.host_address;
            net.forwards.push_back(forward);
        }
        devices.net = net;
    }
    return devices;
}

machine::VirtConfig virt_config(const RunOptions& options)
{
    machine::VirtConfig config;
    config.mem_size = options.mem_size;
    config.cpus = options.cpus;
    config.max_instructions = options.max_instructions;
    config.timeout_seconds = options.timeout_seconds;
    config.append = options.append.value_or("");
    if (options.no_firmware)
        config.firmware = "none";
    else if (options.firmware)
        config.firmware = *options.firmware;
    if (options.kernel) {
        config.kernel = *options.kernel;
        config.initrd = options.initrd.value_or("");
    } else {
        // No kernel named: the default guest, with its initramfs unless another was given.
        const std::string dir = default_guest_dir();
        config.kernel = dir + "/Image";
        config.initrd = options.initrd.value_or(dir + "/initramfs.cpio.gz");
    }
    config.devices = device_set_config(options);
    config.before_guest_runs = confinement(options.seccomp, emulator_policy(options));
    return config;
}

Outcome outcome_of_virt_run(const Result<machine::VirtOutcome>& result, const RunOptions& options)
{
    if (!result.ok())
        return {EXIT_USAGE, result.error().text()};
    const machine::VirtOutcome& outcome = result.value();
    using Kind = machine::VirtOutcome::Kind;
    switch (outcome.kind) {
    case Kind::Poweroff: return {0, ""};
    case Kind::Reset: return {0, "the guest asked for a reset; Vireo ends the run instead of rebooting"};
    case Kind::Failure: {
        const int status = static_cast<int>(outcome.code & 0xff);
        return {status ? status : 1, "the guest reported failure code " + std::to_string(outcome.code)};
    }
    case Kind::Panic: return {1, "the guest kernel panicked"};
    case Kind::Quit: return {0, ""};
    case Kind::InstructionLimit:
        return {EXIT_LIMIT, "instruction limit of " + std::to_string(options.max_instructions) + " reached"};
    case Kind::Timeout:
        return {EXIT_LIMIT, "timeout of " + format_seconds(options.timeout_seconds) + " seconds reached"};
    }
    return {EXIT_USAGE, "virt machine: unknown outcome"};
}

Outcome run(const RunOptions& options)
{
    if (options.accel == Accel::Kvm) {
        // The x86-64 machine on /dev/kvm (src/kvm/kvm.hpp).
        if (options.arch != Arch::X86_64)
            return {EXIT_USAGE, "run: --accel kvm runs x86_64 guests: add --arch x86_64"};
        if (options.firmware || options.no_firmware)
            return {EXIT_USAGE, "run: --firmware is for riscv64; an x86_64 guest boots its --kernel directly"};
        if (options.max_instructions)
            return {EXIT_USAGE, "run: --max-instructions cannot be counted under --accel kvm (use --timeout)"};
        if (!options.kernel)
            return {EXIT_USAGE, "run: --accel kvm needs --kernel FILE (a bzImage or an ELF vmlinux)"};
        if (options.engine)
            return {EXIT_USAGE, "run: --engine chooses how RISC-V code is emulated; under --accel kvm the CPU runs it"};
        kvm::Config config;
        config.kernel = *options.kernel;
        config.initrd = options.initrd.value_or("");
        config.append = options.append.value_or("");
        config.mem_size = options.mem_size;
        config.cpus = options.cpus;
        config.timeout_seconds = options.timeout_seconds;
        config.devices = device_set_config(options);
        config.before_guest_runs = confinement(options.seccomp, kvm_policy(options));
        auto result = kvm::run(config);
        if (!result.ok())
            return {EXIT_USAGE, result.error().text()};
        const kvm::ExitReport exit = kvm::report(result.value(), options.timeout_seconds);
        return {exit.status, exit.message};
    }
    if (options.engine)
        riscv::set_default_engine(*options.engine);
    if (!options.bare) {
        auto config = virt_config(options);
        if (!options.kernel && !exists(config.kernel))
            return {EXIT_USAGE, "no default guest at " + default_guest_dir() +
                                    ": build it with 'make guest' (or 'make run'), or give --kernel FILE"};
        return outcome_of_virt_run(machine::run_virt(config), options);
    }
    // FIXME: the bare machine has one hart; more need a CLINT per hart and HTIF arbitration.
    if (options.cpus != 1)
        return not_implemented("run: --cpus " + std::to_string(options.cpus) + " with --bare");
    return outcome_of_bare_run(machine::run_bare(bare_config(options)), options);
}

Outcome exec(const ExecOptions& options)
{
    if (options.engine)
        riscv::set_default_engine(*options.engine);
    sandbox::Config config;
    config.root = options.root;
    config.allow_net = options.allow_net;
    config.env = options.env;
    config.limits.memory = options.mem_size;
    config.limits.max_instructions = options.max_instructions;
    config.limits.timeout_seconds = options.timeout_seconds;
    config.trace_syscalls = options.trace_syscalls;
    config.allow_processes = true;   // this process is nothing but the sandbox: fork may copy it

    auto box = sandbox::Sandbox::create(config);
    if (!box.ok())
        return {EXIT_USAGE, "exec: " + box.error().text()};
    std::vector<std::string> argv{options.program};
    argv.insert(argv.end(), options.args.begin(), options.args.end());
    if (auto loaded = box.value()->load(options.program, argv); !loaded.ok())
        return {EXIT_USAGE, "exec: " + loaded.error().text()};
    // A write to a closed pipe is the guest's SIGPIPE (delivered by the sandbox), not Vireo's death.
    std::signal(SIGPIPE, SIG_IGN);
    if (options.seccomp) {
        if (auto confined = confine_process(exec_policy(options)); !confined.ok())
            return {EXIT_USAGE, "exec: " + confined.error().text()};
    }
    auto result = box.value()->run();
    if (!result.ok())
        return {EXIT_USAGE, "exec: " + result.error().text()};
    const sandbox::Outcome& outcome = result.value();
    switch (outcome.kind) {
    case sandbox::Outcome::Kind::InstructionLimit:
        return {EXIT_LIMIT, "instruction limit of " + std::to_string(options.max_instructions) + " reached"};
    case sandbox::Outcome::Kind::Timeout:
        return {EXIT_LIMIT, "timeout of " + format_seconds(options.timeout_seconds) + " seconds reached"};
    default:
        return {outcome.exit_status(), outcome.describe()};
    }
}

}  // namespace vireo::cli
