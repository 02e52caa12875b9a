#include "cli/options.hpp"

#include <arpa/inet.h>

#include <cerrno>
#include <cstdlib>

#include "base/bytes.hpp"

namespace vireo::cli {

namespace {

constexpr const char* MAIN_HELP = R"(Usage: vireo COMMAND [options]

Vireo runs RISC-V machines and programs.

Commands:
  run [options]                   boot a system VM, or a bare-metal ELF with --bare
  exec [options] PROGRAM [ARGS]   run one riscv64 Linux program in the sandbox
  help [COMMAND]                  show this help, or the help of COMMAND

Options:
  -h, --help       show this help
  --version        print Vireo's version

Run 'vireo COMMAND --help' for the options of a command.

Exit status: the guest's or program's own; 124 when a time or instruction limit ends the run;
125 for a Vireo usage or set-up error (with a one-line message on stderr).
)";

constexpr const char* RUN_HELP = R"(Usage: vireo run [options]

Boots a system VM; with no options, the default guest.

Machine:
  --arch riscv64|x86_64     guest architecture (default: riscv64); x86_64 needs --accel kvm
  --accel emu|kvm           emu: Vireo interprets the guest; kvm: the host CPU runs it
                            (default: emu)
  --mem SIZE                guest RAM, in bytes or with a K, M, G or T suffix (powers of 1024),
                            a multiple of 4K (default: 256M)
  --cpus N                  number of virtual CPUs, 1 to 8 (default: 1)

What to boot:
  --kernel FILE             the kernel image (default: the default guest's)
  --initrd FILE             an initial RAM disk for the kernel (default: none)
  --append "ARGS"           the kernel command line
  --firmware FILE|none      riscv64 M-mode firmware that starts the kernel; 'none' boots the
                            kernel directly (default: OpenSBI fw_jump from Debian's opensbi)
  --bare FILE.elf           instead of a kernel, run a bare-metal ELF in M-mode with RAM at
                            0x80000000; it reports through HTIF (its tohost/fromhost symbols),
                            its console goes to stdout, and the exit status is tohost>>1
                            (0 = pass)

Devices (virtio):
  --disk FILE[,ro][,format=raw|qcow2]
                            add a disk; repeatable (default: read-write, raw)
  --net user[,hostfwd=[tcp|udp]:[ADDRESS]:H-:G] | tap=NAME
                            add a network card: 'user' networking, where each hostfwd
                            forwards host TCP or UDP port H on ADDRESS (default: 127.0.0.1)
                            to guest port G, or the host's tap interface NAME (default: no
                            network)
  --share HOSTDIR:TAG       share the host folder HOSTDIR with the guest, which mounts it by
                            the tag TAG (virtio-9p); repeatable

Limits (when one ends the run, the exit status is 124):
  --max-instructions N      stop after N guest instructions (default: no limit)
  --timeout SECONDS         stop after SECONDS of wall-clock time; fractions allowed
                            (default: no limit)

Execution:
  --engine interp|jit       how harts run guest code: 'jit' translates it to x86-64 (the
                            default on x86-64 hosts), 'interp' interprets it (the reference)

Debugging:
  --no-seccomp              do not confine Vireo's own process (a debugging aid); by default,
                            once the machine is set up, a seccomp filter lets it make only the
                            system calls the run needs, and any other call ends the run with
                            status 125 and a message naming the call

  -h, --help                show this help

Options take their value either as '--mem 512M' or as '--mem=512M'.

Exit status: the guest's own (0 for a clean poweroff; tohost>>1 for --bare), 124 when a limit
ends the run, 125 for a Vireo usage or set-up error. The serial console is on stdin/stdout;
press Ctrl-A X to quit.
)";

constexpr const char* EXEC_HELP = R"(Usage: vireo exec [options] PROGRAM [ARGS...]

Runs one riscv64 Linux program in the sandbox. Options end at PROGRAM (or at '--'); everything
after it is passed to the program.

Options:
  --root DIR                the only host folder the program sees, as / (default: none)
  --mem SIZE                memory limit, in bytes or with a K, M, G or T suffix (powers of 1024),
                            a multiple of 4K (default: 256M)
  --max-instructions N      stop after N instructions, exit status 124 (default: no limit)
  --timeout SECONDS         stop after SECONDS of wall-clock time, exit status 124; fractions
                            allowed (default: no limit)
  --allow-net               permit outgoing sockets (default: no network)
  --env K=V                 set the environment variable K to V; repeatable
                            (default: the environment is empty)
  --trace-syscalls          print each system call and its result on stderr
  --engine interp|jit       how the program's code runs: 'jit' translates it to x86-64 (the
                            default on x86-64 hosts), 'interp' interprets it (the reference)
  --no-seccomp              do not confine Vireo's own process (a debugging aid); by default,
                            once the program is loaded, a seccomp filter lets it make only the
                            system calls the sandbox needs, and any other call ends the run with
                            status 125 and a message naming the call

  -h, --help                show this help

Options take their value either as '--mem 512M' or as '--mem=512M'.

Exit status: the program's own, 128+N when a fatal signal N ends it, 124 when a limit ends the
run, 125 for a Vireo usage or set-up error.
)";

// Bounds the product with nanoseconds in an int64, with room to spare: no caller need worry about
// overflow when turning the timeout into a deadline.
constexpr double MAX_TIMEOUT_SECONDS = 1e9;
constexpr unsigned MAX_CPUS = 8;
constexpr uint64_t PAGE_SIZE = 4096;

// The state of one command's parse: which command (for messages) and which options were seen.
class OptionParser {
public:
    explicit OptionParser(std::string command) : m_command(std::move(command)) {}

    Error usage(const std::string& text) const
    {
        return Error::message(m_command + ": " + text + " (see 'vireo " + m_command + " --help')");
    }
    Error bad_value(const std::string& option, const std::string& value, const std::string& expected) const
    {
        return usage("bad value '" + value + "' for " + option + "; expected " + expected);
    }

    Result<uint64_t> count(const std::string& option, const std::string& value) const
    {
        // Digits only: strtoull alone would take "-1", " 5" or "0x10".
        if (value.empty() || value.find_first_not_of("0123456789") != std::string::npos)
            return bad_value(option, value, "a whole number");
        errno = 0;
        unsigned long long n = std::strtoull(value.c_str(), nullptr, 10);
        if (errno == ERANGE)
            return bad_value(option, value, "a whole number below 2^64");
        return static_cast<uint64_t>(n);
    }

    Result<uint64_t> memory_size(const std::string& option, const std::string& value) const
    {
        uint64_t bytes = 0;
        if (!parse_size(value.c_str(), bytes))
            return bad_value(option, value, "a size such as 512M or 2G");
        if (bytes == 0 || bytes % PAGE_SIZE != 0)
            return bad_value(option, value, "a non-zero multiple of 4K, such as 512M");
        return bytes;
    }

    Result<double> seconds(const std::string& option, const std::string& value) const
    {
        // Plain decimals only: strtod would also take "inf", "nan", "-3" and hex floats.
        const std::string expected = "a number of seconds such as 10 or 2.5";
        size_t dot = value.find('.');
        bool digits_ok = value.find_first_not_of("0123456789.") == std::string::npos &&
                         (dot == std::string::npos || value.find('.', dot + 1) == std::string::npos) &&
                         value.find_first_of("0123456789") != std::string::npos;
        if (!digits_ok)
            return bad_value(option, value, expected);
        double s = std::strtod(value.c_str(), nullptr);
        if (!(s <= MAX_TIMEOUT_SECONDS))
            return bad_value(option, value, "at most 1000000000 seconds");
        return s;
    }

    // Options that may appear once return an error the second time.
    Result<void> once(const std::string& option)
    {
        for (const auto& seen : m_seen) {
            if (seen == option)
                return usage("option '" + option + "' given twice");
        }
        m_seen.push_back(option);
        return {};
    }

    const std::string& command() const { return m_command; }

private:
    std::string m_command;
    std::vector<std::string> m_seen;
};

struct OptionSpec {
    const char* name;
    enum class Kind { Flag, Value, RepeatableValue } kind;
};

constexpr OptionSpec RUN_OPTIONS[] = {
    {"--arch", OptionSpec::Kind::Value},
    {"--accel", OptionSpec::Kind::Value},
    {"--kernel", OptionSpec::Kind::Value},
    {"--initrd", OptionSpec::Kind::Value},
    {"--append", OptionSpec::Kind::Value},
    {"--firmware", OptionSpec::Kind::Value},
    {"--bare", OptionSpec::Kind::Value},
    {"--mem", OptionSpec::Kind::Value},
    {"--cpus", OptionSpec::Kind::Value},
    {"--disk", OptionSpec::Kind::RepeatableValue},
    {"--net", OptionSpec::Kind::Value},
    {"--share", OptionSpec::Kind::RepeatableValue},
    {"--max-instructions", OptionSpec::Kind::Value},
    {"--timeout", OptionSpec::Kind::Value},
    {"--engine", OptionSpec::Kind::Value},
    {"--trace", OptionSpec::Kind::Flag},   // hidden: a debugging aid, not part of the contract
    {"--no-seccomp", OptionSpec::Kind::Flag},
};

constexpr OptionSpec EXEC_OPTIONS[] = {
    {"--root", OptionSpec::Kind::Value},
    {"--mem", OptionSpec::Kind::Value},
    {"--max-instructions", OptionSpec::Kind::Value},
    {"--timeout", OptionSpec::Kind::Value},
    {"--allow-net", OptionSpec::Kind::Flag},
    {"--env", OptionSpec::Kind::RepeatableValue},
    {"--trace-syscalls", OptionSpec::Kind::Flag},
    {"--engine", OptionSpec::Kind::Value},
    {"--no-seccomp", OptionSpec::Kind::Flag},
};

template <size_t N>
const OptionSpec* find_option(const OptionSpec (&table)[N], const std::string& name)
{
    for (const auto& spec : table) {
        if (name == spec.name)
            return &spec;
    }
    return nullptr;
}

// One option occurrence, with its value whichever way it was written.
struct ParsedOption {
    const OptionSpec* spec = nullptr;
    std::string name;
    std::string value;
};

enum class Step { Option, Help, EndOfOptions, Positional };

// Reads the option at args[i] (advancing i past a separate value). Step says what was found.
template <size_t N>
Result<Step> next_option(OptionParser& parser, const OptionSpec (&table)[N], std::span<const std::string> args,
                         size_t& i, ParsedOption& out)
{
    const std::string& arg = args[i];
    if (arg == "--")
        return Step::EndOfOptions;
    if (arg == "-h" || arg == "--help")
        return Step::Help;
    if (arg.size() < 2 || arg[0] != '-')
        return Step::Positional;
    if (arg[1] != '-')
        return parser.usage("unknown option '" + arg + "'");

    size_t eq = arg.find('=');
    out.name = arg.substr(0, eq);
    out.spec = find_option(table, out.name);
    if (!out.spec)
        return parser.usage("unknown option '" + out.name + "'");
    if (out.spec->kind == OptionSpec::Kind::Flag) {
        if (eq != std::string::npos)
            return parser.usage("option '" + out.name + "' takes no value");
        return Step::Option;
    }
    if (eq != std::string::npos) {
        out.value = arg.substr(eq + 1);
        return Step::Option;
    }
    // A separate value that is itself one of our options means the value was forgotten:
    // `--bare --mem 1M` must not run a file called "--mem".
    bool next_is_option = i + 1 < args.size() && args[i + 1].rfind("--", 0) == 0 &&
                          (args[i + 1] == "--help" || find_option(table, args[i + 1].substr(0, args[i + 1].find('='))));
    if (i + 1 >= args.size() || next_is_option)
        return parser.usage("option '" + out.name + "' needs a value");
    out.value = args[++i];
    return Step::Option;
}

// --disk FILE[,ro][,format=raw|qcow2]
Result<DiskOption> parse_disk(const OptionParser& parser, const std::string& value)
{
    DiskOption disk;
    size_t comma = value.find(',');
    disk.path = value.substr(0, comma);
    if (disk.path.empty())
        return parser.bad_value("--disk", value, "FILE[,ro][,format=raw|qcow2]");
    while (comma != std::string::npos) {
        size_t next = value.find(',', comma + 1);
        std::string setting = value.substr(comma + 1, next == std::string::npos ? std::string::npos : next - comma - 1);
        if (setting == "ro")
            disk.access = DiskOption::Access::ReadOnly;
        else if (setting == "format=raw")
            disk.format = DiskOption::Format::Raw;
        else if (setting == "format=qcow2")
            disk.format = DiskOption::Format::Qcow2;
        else
            return parser.usage("unknown --disk setting '" + setting + "' in '" + value +
                                "'; expected ro or format=raw|qcow2");
        comma = next;
    }
    return disk;
}

Result<uint16_t> parse_port(const OptionParser& parser, const std::string& value, const std::string& port)
{
    auto n = parser.count("--net", port);
    if (!n.ok() || n.value() == 0 || n.value() > 65535)
        return parser.usage("bad port '" + port + "' in --net '" + value + "'; expected 1 to 65535");
    return static_cast<uint16_t>(n.value());
}

// One hostfwd=[tcp|udp]:[ADDRESS]:H-:G setting (QEMU's syntax, less the guest address: the guest
// is always 10.0.2.15). An empty protocol is tcp; an empty address is the default (127.0.0.1).
Result<PortForward> parse_forward(const OptionParser& parser, const std::string& value, const std::string& setting)
{
    const std::string prefix = "hostfwd=";
    const auto wrong = [&] {
        return parser.usage("unknown --net setting '" + setting + "' in '" + value + "'; expected hostfwd=[tcp|udp]:[ADDRESS]:H-:G");
    };
    const size_t protocol_end = setting.find(':');
    const size_t dash = setting.find('-');
    if (setting.rfind(prefix, 0) != 0 || protocol_end == std::string::npos || dash == std::string::npos || dash < protocol_end)
        return wrong();
    PortForward forward;
    const std::string protocol = setting.substr(prefix.size(), protocol_end - prefix.size());
    if (protocol == "udp")
        forward.protocol = PortForward::Protocol::Udp;
    else if (protocol != "tcp" && !protocol.empty())
        return parser.usage("unknown protocol '" + protocol + "' in --net '" + value + "'; expected tcp or udp");
    // The host side, ADDRESS:H, between the protocol's colon and the dash.
    const std::string host = setting.substr(protocol_end + 1, dash - protocol_end - 1);
    const size_t port_colon = host.rfind(':');
    if (port_colon == std::string::npos)
        return wrong();
    forward.host_address = host.substr(0, port_colon);
    in_addr address{};
    if (!forward.host_address.empty() && ::inet_pton(AF_INET, forward.host_address.c_str(), &address) != 1)
        return parser.usage("bad host address '" + forward.host_address + "' in --net '" + value +
                            "'; expected an IPv4 address such as 127.0.0.1");
    forward.host_port = TRY(parse_port(parser, value, host.substr(port_colon + 1)));
    // The guest side, :G.
    const std::string guest = setting.substr(dash + 1);
    if (guest.empty() || guest[0] != ':')
        return parser.usage("a guest address in --net '" + value + "' is not supported (the guest is 10.0.2.15); "
                            "write hostfwd=" + (protocol.empty() ? std::string("tcp") : protocol) + ":" +
                            forward.host_address + ":" + host.substr(port_colon + 1) + "-:GUESTPORT");
    forward.guest_port = TRY(parse_port(parser, value, guest.substr(1)));
    return forward;
}

// --net user[,hostfwd=...]... | tap=NAME
Result<NetOption> parse_net(const OptionParser& parser, const std::string& value)
{
    NetOption net;
    const std::string expected = "user[,hostfwd=[tcp|udp]:[ADDRESS]:H-:G] or tap=NAME";
    if (value.rfind("tap=", 0) == 0) {
        net.mode = NetOption::Mode::Tap;
        net.tap_name = value.substr(4);
        // IFNAMSIZ is 16 including the NUL; a comma means settings tap does not have.
        if (net.tap_name.empty() || net.tap_name.size() > 15 || net.tap_name.find_first_of(",/ ") != std::string::npos)
            return parser.bad_value("--net", value, "tap=NAME with an interface name of 1 to 15 characters");
        return net;
    }
    size_t comma = value.find(',');
    if (value.substr(0, comma) != "user")
        return parser.bad_value("--net", value, expected);
    while (comma != std::string::npos) {
        size_t next = value.find(',', comma + 1);
        std::string setting = value.substr(comma + 1, next == std::string::npos ? std::string::npos : next - comma - 1);
        net.forwards.push_back(TRY(parse_forward(parser, value, setting)));
        comma = next;
    }
    return net;
}

// --share HOSTDIR:TAG. The tag is after the last colon, so a host path may contain colons.
Result<riscv::Engine> parse_engine_option(const OptionParser& parser, const std::string& value)
{
    riscv::Engine engine{};
    if (!riscv::parse_engine(value.c_str(), engine))
        return parser.bad_value("--engine", value, "'interp' or 'jit' (jit on x86-64 hosts only)");
    return engine;
}

Result<ShareOption> parse_share(const OptionParser& parser, const std::string& value, const RunOptions& run)
{
    size_t colon = value.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == value.size())
        return parser.bad_value("--share", value, "HOSTDIR:TAG");
    ShareOption share{value.substr(0, colon), value.substr(colon + 1)};
    for (const auto& other : run.shares) {
        if (other.tag == share.tag)
            return parser.usage("--share tag '" + share.tag + "' used twice");
    }
    return share;
}

Result<void> apply_run_option(OptionParser& parser, const ParsedOption& opt, RunOptions& run)
{
    const std::string& name = opt.name;
    const std::string& value = opt.value;
    if (opt.spec->kind != OptionSpec::Kind::RepeatableValue)
        TRY(parser.once(name));

    if (name == "--arch") {
        if (value == "riscv64")
            run.arch = Arch::Riscv64;
        else if (value == "x86_64")
            run.arch = Arch::X86_64;
        else
            return parser.bad_value(name, value, "riscv64 or x86_64");
    } else if (name == "--accel") {
        if (value == "emu")
            run.accel = Accel::Emu;
        else if (value == "kvm")
            run.accel = Accel::Kvm;
        else
            return parser.bad_value(name, value, "emu or kvm");
    } else if (name == "--kernel" || name == "--initrd" || name == "--bare" || name == "--firmware") {
        if (value.empty())
            return parser.bad_value(name, value, name == "--firmware" ? "a file name or 'none'" : "a file name");
        if (name == "--kernel")
            run.kernel = value;
        else if (name == "--initrd")
            run.initrd = value;
        else if (name == "--bare")
            run.bare = value;
        else if (value == "none")
            run.no_firmware = true;
        else
            run.firmware = value;
    } else if (name == "--append") {
        run.append = value;
    } else if (name == "--mem") {
        run.mem_size = TRY(parser.memory_size(name, value));
    } else if (name == "--cpus") {
        auto n = parser.count(name, value);
        if (!n.ok() || n.value() < 1 || n.value() > MAX_CPUS)
            return parser.bad_value(name, value, "a number from 1 to 8");
        run.cpus = static_cast<unsigned>(n.value());
    } else if (name == "--disk") {
        run.disks.push_back(TRY(parse_disk(parser, value)));
    } else if (name == "--net") {
        run.net = TRY(parse_net(parser, value));
    } else if (name == "--share") {
        run.shares.push_back(TRY(parse_share(parser, value, run)));
    } else if (name == "--max-instructions") {
        run.max_instructions = TRY(parser.count(name, value));
    } else if (name == "--timeout") {
        run.timeout_seconds = TRY(parser.seconds(name, value));
    } else if (name == "--trace") {
        run.trace = true;
    } else if (name == "--engine") {
        run.engine = TRY(parse_engine_option(parser, value));
    } else if (name == "--no-seccomp") {
        run.seccomp = false;
    }
    return {};
}

// Combinations the contract rules out, whatever is implemented today.
Result<void> check_run(const OptionParser& parser, const RunOptions& run)
{
    if (run.arch == Arch::X86_64 && run.accel != Accel::Kvm)
        return parser.usage("--arch x86_64 needs --accel kvm");
    if (!run.bare)
        return {};
    if (run.arch != Arch::Riscv64)
        return parser.usage("--bare runs riscv64 only, not --arch x86_64");
    struct Conflict {
        bool given;
        const char* option;
    };
    const Conflict conflicts[] = {
        {run.kernel.has_value(), "--kernel"},
        {run.initrd.has_value(), "--initrd"},
        {run.append.has_value(), "--append"},
        {run.firmware.has_value() || run.no_firmware, "--firmware"},
        {!run.disks.empty(), "--disk"},
        {run.net.has_value(), "--net"},
        {!run.shares.empty(), "--share"},
    };
    for (const auto& conflict : conflicts) {
        if (conflict.given)
            return parser.usage(std::string("--bare cannot be combined with ") + conflict.option);
    }
    return {};
}

Result<Invocation> parse_run(std::span<const std::string> args)
{
    OptionParser parser("run");
    Invocation inv;
    inv.command = Command::Run;
    for (size_t i = 0; i < args.size(); ++i) {
        ParsedOption opt;
        Step step = TRY(next_option(parser, RUN_OPTIONS, args, i, opt));
        switch (step) {
        case Step::Help:
            return Invocation{Command::Help, "run", {}, {}};
        case Step::Option:
            TRY(apply_run_option(parser, opt, inv.run));
            break;
        case Step::EndOfOptions:
            if (i + 1 < args.size())
                return parser.usage("unexpected argument '" + args[i + 1] + "'");
            break;
        case Step::Positional:
            return parser.usage("unexpected argument '" + args[i] + "'");
        }
    }
    TRY(check_run(parser, inv.run));
    return inv;
}

Result<void> apply_exec_option(OptionParser& parser, const ParsedOption& opt, ExecOptions& exec)
{
    const std::string& name = opt.name;
    const std::string& value = opt.value;
    if (opt.spec->kind != OptionSpec::Kind::RepeatableValue)
        TRY(parser.once(name));

    if (name == "--root") {
        if (value.empty())
            return parser.bad_value(name, value, "a folder");
        exec.root = value;
    } else if (name == "--mem") {
        exec.mem_size = TRY(parser.memory_size(name, value));
    } else if (name == "--engine") {
        exec.engine = TRY(parse_engine_option(parser, value));
    } else if (name == "--max-instructions") {
        exec.max_instructions = TRY(parser.count(name, value));
    } else if (name == "--timeout") {
        exec.timeout_seconds = TRY(parser.seconds(name, value));
    } else if (name == "--allow-net") {
        exec.allow_net = true;
    } else if (name == "--trace-syscalls") {
        exec.trace_syscalls = true;
    } else if (name == "--no-seccomp") {
        exec.seccomp = false;
    } else if (name == "--env") {
        size_t eq = value.find('=');
        if (eq == std::string::npos || eq == 0)
            return parser.bad_value(name, value, "K=V");
        std::string key = value.substr(0, eq + 1);   // with the '=', so "A" does not match "AB="
        for (const auto& existing : exec.env) {
            if (existing.rfind(key, 0) == 0)
                return parser.usage("--env " + value.substr(0, eq) + " given twice");
        }
        exec.env.push_back(value);
    }
    return {};
}

Result<Invocation> parse_exec(std::span<const std::string> args)
{
    OptionParser parser("exec");
    Invocation inv;
    inv.command = Command::Exec;
    size_t i = 0;
    for (; i < args.size(); ++i) {
        ParsedOption opt;
        Step step = TRY(next_option(parser, EXEC_OPTIONS, args, i, opt));
        if (step == Step::Help)
            return Invocation{Command::Help, "exec", {}, {}};
        if (step == Step::EndOfOptions) {
            ++i;
            break;
        }
        if (step == Step::Positional)
            break;
        TRY(apply_exec_option(parser, opt, inv.exec));
    }
    // Options end at the first non-option: PROGRAM and everything after it belong to the program.
    if (i >= args.size())
        return parser.usage("missing PROGRAM");
    inv.exec.program = args[i];
    inv.exec.args.assign(args.begin() + static_cast<ptrdiff_t>(i + 1), args.end());
    return inv;
}

}  // namespace

Result<Invocation> parse_command_line(std::span<const std::string> args)
{
    if (args.empty())
        return Error::message("no command given; try 'vireo run --bare FILE.elf' (see 'vireo --help')");
    const std::string& first = args[0];
    auto rest = args.subspan(1);
    if (first == "-h" || first == "--help")
        return Invocation{Command::Help, "", {}, {}};
    if (first == "--version")
        return Invocation{Command::Version, "", {}, {}};
    if (first == "run")
        return parse_run(rest);
    if (first == "exec")
        return parse_exec(rest);
    if (first == "help") {
        if (rest.empty())
            return Invocation{Command::Help, "", {}, {}};
        if (rest[0] != "run" && rest[0] != "exec")
            return Error::message("help: unknown command '" + rest[0] + "' (see 'vireo --help')");
        if (rest.size() > 1)
            return Error::message("help: unexpected argument '" + rest[1] + "' (see 'vireo --help')");
        return Invocation{Command::Help, rest[0], {}, {}};
    }
    if (first.rfind("-", 0) == 0)
        return Error::message("unknown option '" + first + "' (see 'vireo --help')");
    return Error::message("unknown command '" + first + "' (see 'vireo --help')");
}

std::string help_text(const std::string& topic)
{
    if (topic == "run")
        return RUN_HELP;
    if (topic == "exec")
        return EXEC_HELP;
    return MAIN_HELP;
}

}  // namespace vireo::cli
