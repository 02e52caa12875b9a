// The `vireo` command line as a library: option syntax, validation, usage errors, and the mapping
// from a bare run's outcome to the exit status (ARCHITECTURE.md, "The command line").
#include <gtest/gtest.h>

#include "cli/cli.hpp"

using namespace vireo;
using namespace vireo::cli;

namespace {

Result<Invocation> parse(std::vector<std::string> args) { return parse_command_line(args); }

// The usage error for `args`, or "parsed" if there was none.
std::string error_of(std::vector<std::string> args)
{
    auto r = parse(std::move(args));
    return r.ok() ? std::string("parsed") : r.error().text();
}

RunOptions run_options(std::vector<std::string> args)
{
    args.insert(args.begin(), "run");
    auto r = parse(args);
    EXPECT_TRUE(r.ok()) << r.error().text();
    if (!r.ok())
        return {};
    EXPECT_EQ(r->command, Command::Run);
    return r->run;
}

ExecOptions exec_options(std::vector<std::string> args)
{
    args.insert(args.begin(), "exec");
    auto r = parse(args);
    EXPECT_TRUE(r.ok()) << r.error().text();
    if (!r.ok())
        return {};
    EXPECT_EQ(r->command, Command::Exec);
    return r->exec;
}

}  // namespace

// ---- Top level ----------------------------------------------------------------------------------

TEST(CliTopLevel, HelpAndVersion)
{
    for (auto args : std::vector<std::vector<std::string>>{{"--help"}, {"-h"}, {"help"}}) {
        auto r = parse(args);
        ASSERT_TRUE(r.ok()) << r.error().text();
        EXPECT_EQ(r->command, Command::Help);
        EXPECT_EQ(r->help_topic, "");
    }
    EXPECT_EQ(parse({"--version"})->command, Command::Version);
    EXPECT_STREQ(VERSION, "0.1.0");
}

TEST(CliTopLevel, CommandHelp)
{
    for (auto args : std::vector<std::vector<std::string>>{
             {"run", "--help"}, {"run", "-h"}, {"help", "run"}, {"run", "--mem", "1G", "--help"}}) {
        auto r = parse(args);
        ASSERT_TRUE(r.ok()) << r.error().text();
        EXPECT_EQ(r->command, Command::Help);
        EXPECT_EQ(r->help_topic, "run");
    }
    auto r = parse({"exec", "--help"});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->help_topic, "exec");
    EXPECT_EQ(error_of({"help", "frobnicate"}), "help: unknown command 'frobnicate' (see 'vireo --help')");
}

TEST(CliTopLevel, HelpTextsDescribeEveryOption)
{
    std::string run = help_text("run");
    for (const char* option : {"--arch", "--accel", "--kernel", "--initrd", "--append", "--firmware", "--bare",
                               "--mem", "--cpus", "--disk", "--net", "--share", "--max-instructions", "--timeout",
                               "--no-seccomp"})
        EXPECT_NE(run.find(option), std::string::npos) << option;
    EXPECT_EQ(run.find("--trace"), std::string::npos) << "--trace is hidden";
    std::string exec = help_text("exec");
    for (const char* option : {"--root", "--mem", "--max-instructions", "--timeout", "--allow-net", "--env",
                               "--trace-syscalls", "--no-seccomp"})
        EXPECT_NE(exec.find(option), std::string::npos) << option;
    EXPECT_NE(help_text("").find("exec"), std::string::npos);
    // Help fits an 100-column terminal.
    for (const std::string& text : {run, exec, help_text("")}) {
        size_t start = 0;
        while (start < text.size()) {
            size_t end = text.find('\n', start);
            EXPECT_LE(end - start, 100u) << text.substr(start, end - start);
            start = end + 1;
        }
    }
}

TEST(CliTopLevel, UsageErrors)
{
    EXPECT_EQ(error_of({}), "no command given; try 'vireo run --bare FILE.elf' (see 'vireo --help')");
    EXPECT_EQ(error_of({"frobnicate"}), "unknown command 'frobnicate' (see 'vireo --help')");
    EXPECT_EQ(error_of({"--frobnicate"}), "unknown option '--frobnicate' (see 'vireo --help')");
}

// ---- run -------------------------------------------------------------------------------------------

TEST(CliRun, Defaults)
{
    RunOptions run = run_options({});
    EXPECT_EQ(run.arch, Arch::Riscv64);
    EXPECT_EQ(run.accel, Accel::Emu);
    EXPECT_EQ(run.mem_size, 256ull << 20);
    EXPECT_EQ(run.cpus, 1u);
    EXPECT_EQ(run.max_instructions, 0u);
    EXPECT_EQ(run.timeout_seconds, 0.0);
    EXPECT_FALSE(run.bare);
    EXPECT_FALSE(run.kernel);
    EXPECT_FALSE(run.trace);
    EXPECT_TRUE(run.seccomp);
    EXPECT_TRUE(run.disks.empty());
}

TEST(CliRun, BothValueSpellings)
{
    RunOptions a = run_options({"--bare", "t.elf", "--mem", "64M", "--max-instructions", "1000", "--timeout", "2.5"});
    RunOptions b = run_options({"--bare=t.elf", "--mem=64M", "--max-instructions=1000", "--timeout=2.5"});
    for (const RunOptions& run : {a, b}) {
        EXPECT_EQ(run.bare, "t.elf");
        EXPECT_EQ(run.mem_size, 64ull << 20);
        EXPECT_EQ(run.max_instructions, 1000u);
        EXPECT_EQ(run.timeout_seconds, 2.5);
    }
    // Only the first '=' splits: the value may hold more.
    EXPECT_EQ(run_options({"--append=console=ttyS0 root=/dev/vda"}).append, "console=ttyS0 root=/dev/vda");
}

TEST(CliRun, EveryOption)
{
    RunOptions run = run_options({"--arch", "x86_64", "--accel", "kvm", "--kernel", "bzImage", "--initrd", "initrd.img",
                                  "--append", "console=ttyS0", "--firmware", "fw.bin", "--mem", "1G", "--cpus", "8",
                                  "--disk", "a.img", "--disk", "b.qcow2,ro,format=qcow2", "--net",
                                  "user,hostfwd=tcp::2222-:22,hostfwd=tcp::8080-:80", "--share", "/srv/data:data",
                                  "--share", "/tmp:tmp", "--max-instructions", "5", "--timeout", "30"});
    EXPECT_EQ(run.arch, Arch::X86_64);
    EXPECT_EQ(run.accel, Accel::Kvm);
    EXPECT_EQ(run.kernel, "bzImage");
    EXPECT_EQ(run.initrd, "initrd.img");
    EXPECT_EQ(run.append, "console=ttyS0");
    EXPECT_EQ(run.firmware, "fw.bin");
    EXPECT_FALSE(run.no_firmware);
    EXPECT_EQ(run.mem_size, 1ull << 30);
    EXPECT_EQ(run.cpus, 8u);
    ASSERT_EQ(run.disks.size(), 2u);
    EXPECT_EQ(run.disks[0].path, "a.img");
    EXPECT_EQ(run.disks[0].access, DiskOption::Access::ReadWrite);
    EXPECT_EQ(run.disks[0].format, DiskOption::Format::Raw);
    EXPECT_EQ(run.disks[1].path, "b.qcow2");
    EXPECT_EQ(run.disks[1].access, DiskOption::Access::ReadOnly);
    EXPECT_EQ(run.disks[1].format, DiskOption::Format::Qcow2);
    ASSERT_TRUE(run.net);
    EXPECT_EQ(run.net->mode, NetOption::Mode::User);
    ASSERT_EQ(run.net->forwards.size(), 2u);
    EXPECT_EQ(run.net->forwards[0].host_port, 2222);
    EXPECT_EQ(run.net->forwards[0].guest_port, 22);
    EXPECT_EQ(run.net->forwards[1].host_port, 8080);
    ASSERT_EQ(run.shares.size(), 2u);
    EXPECT_EQ(run.shares[0].host_dir, "/srv/data");
    EXPECT_EQ(run.shares[0].tag, "data");
    EXPECT_EQ(run.max_instructions, 5u);
    EXPECT_EQ(run.timeout_seconds, 30.0);
}

TEST(CliRun, FirmwareNoneAndTap)
{
    RunOptions run = run_options({"--firmware", "none", "--net", "tap=tap0"});
    EXPECT_TRUE(run.no_firmware);
    EXPECT_FALSE(run.firmware);
    ASSERT_TRUE(run.net);
    EXPECT_EQ(run.net->mode, NetOption::Mode::Tap);
    EXPECT_EQ(run.net->tap_name, "tap0");
    // The tag is after the last colon, so host paths may hold colons.
    RunOptions share = run_options({"--share", "/a:b/c:tag"});
    EXPECT_EQ(share.shares[0].host_dir, "/a:b/c");
    EXPECT_EQ(share.shares[0].tag, "tag");
}

TEST(CliRun, HiddenTrace)
{
    EXPECT_TRUE(run_options({"--bare", "t.elf", "--trace"}).trace);
    EXPECT_EQ(error_of({"run", "--trace=1"}), "run: option '--trace' takes no value (see 'vireo run --help')");
}

// The filter is on unless turned off; the flag takes no value (confine.hpp).
TEST(CliRun, NoSeccomp)
{
    EXPECT_FALSE(run_options({"--no-seccomp"}).seccomp);
    EXPECT_FALSE(run_options({"--bare", "t.elf", "--no-seccomp"}).seccomp);
    EXPECT_EQ(error_of({"run", "--no-seccomp=1"}), "run: option '--no-seccomp' takes no value (see 'vireo run --help')");
    EXPECT_EQ(error_of({"run", "--no-seccomp", "--no-seccomp"}),
              "run: option '--no-seccomp' given twice (see 'vireo run --help')");
    EXPECT_TRUE(bare_config(run_options({"--bare", "t.elf"})).before_guest_runs);
    EXPECT_FALSE(bare_config(run_options({"--bare", "t.elf", "--no-seccomp"})).before_guest_runs);
}

TEST(CliRun, UnknownOptionsAndArguments)
{
    EXPECT_EQ(error_of({"run", "--foo"}), "run: unknown option '--foo' (see 'vireo run --help')");
    EXPECT_EQ(error_of({"run", "--foo=bar"}), "run: unknown option '--foo' (see 'vireo run --help')");
    EXPECT_EQ(error_of({"run", "-x"}), "run: unknown option '-x' (see 'vireo run --help')");
    EXPECT_EQ(error_of({"run", "kernel.img"}), "run: unexpected argument 'kernel.img' (see 'vireo run --help')");
    EXPECT_EQ(error_of({"run", "--", "x"}), "run: unexpected argument 'x' (see 'vireo run --help')");
    // exec's options are not run's.
    EXPECT_EQ(error_of({"run", "--allow-net"}), "run: unknown option '--allow-net' (see 'vireo run --help')");
}

TEST(CliRun, MissingValues)
{
    EXPECT_EQ(error_of({"run", "--mem"}), "run: option '--mem' needs a value (see 'vireo run --help')");
    EXPECT_EQ(error_of({"run", "--bare"}), "run: option '--bare' needs a value (see 'vireo run --help')");
    // `--bare --mem 1M` forgot the file; it must not run a file called "--mem".
    EXPECT_EQ(error_of({"run", "--bare", "--mem", "1M"}), "run: option '--bare' needs a value (see 'vireo run --help')");
    EXPECT_EQ(error_of({"run", "--bare", "--help"}), "run: option '--bare' needs a value (see 'vireo run --help')");
    // A value that merely looks like an option, but is none of ours, is a value.
    EXPECT_EQ(run_options({"--append", "--verbose"}).append, "--verbose");
}

TEST(CliRun, RepeatsOnlyWhereAllowed)
{
    EXPECT_EQ(error_of({"run", "--mem", "1G", "--mem=2G"}), "run: option '--mem' given twice (see 'vireo run --help')");
    EXPECT_EQ(error_of({"run", "--share", "/a:x", "--share", "/b:x"}), "run: --share tag 'x' used twice (see 'vireo run --help')");
    EXPECT_EQ(run_options({"--disk", "a", "--disk", "b", "--disk", "c"}).disks.size(), 3u);
}

TEST(CliRun, BadNumbers)
{
    EXPECT_EQ(error_of({"run", "--mem", "12X"}),
              "run: bad value '12X' for --mem; expected a size such as 512M or 2G (see 'vireo run --help')");
    EXPECT_NE(error_of({"run", "--mem", "0"}).find("non-zero multiple of 4K"), std::string::npos);
    EXPECT_NE(error_of({"run", "--mem", "1000"}).find("non-zero multiple of 4K"), std::string::npos);
    EXPECT_NE(error_of({"run", "--mem", "99999999999T"}).find("bad value"), std::string::npos);
    EXPECT_EQ(error_of({"run", "--cpus", "0"}),
              "run: bad value '0' for --cpus; expected a number from 1 to 8 (see 'vireo run --help')");
    EXPECT_NE(error_of({"run", "--cpus", "9"}).find("1 to 8"), std::string::npos);
    EXPECT_NE(error_of({"run", "--cpus", "two"}).find("1 to 8"), std::string::npos);
    EXPECT_NE(error_of({"run", "--cpus", "99999999999999999999999"}).find("1 to 8"), std::string::npos);
    for (const char* bad : {"-1", "", "1e3", "0x10", " 5", "5 ", "18446744073709551616"})
        EXPECT_NE(error_of({"run", "--max-instructions", bad}).find("bad value"), std::string::npos) << bad;
    EXPECT_EQ(run_options({"--max-instructions", "18446744073709551615"}).max_instructions, ~0ull);
    for (const char* bad : {"-1", "inf", "nan", "1e3", "0x10", ".", "1.2.3", "", "abc", "1e999", "2000000000"})
        EXPECT_NE(error_of({"run", "--timeout", bad}).find("bad value"), std::string::npos) << bad;
    EXPECT_EQ(run_options({"--timeout", ".5"}).timeout_seconds, 0.5);
    EXPECT_EQ(run_options({"--timeout", "0"}).timeout_seconds, 0.0);
}

TEST(CliRun, BadChoices)
{
    EXPECT_EQ(error_of({"run", "--arch", "arm64"}),
              "run: bad value 'arm64' for --arch; expected riscv64 or x86_64 (see 'vireo run --help')");
    EXPECT_EQ(error_of({"run", "--accel", "hvf"}),
              "run: bad value 'hvf' for --accel; expected emu or kvm (see 'vireo run --help')");
    EXPECT_EQ(error_of({"run", "--arch", "x86_64"}), "run: --arch x86_64 needs --accel kvm (see 'vireo run --help')");
    EXPECT_NE(error_of({"run", "--bare", ""}).find("bad value"), std::string::npos);
}

// hostfwd=[tcp|udp]:[ADDRESS]:H-:G, as QEMU writes it (less the guest address).
TEST(CliRun, HostForwardsWithProtocolAndAddress)
{
    RunOptions run = run_options({"--net", "user,hostfwd=tcp::2222-:22,hostfwd=udp::5353-:53,"
                                           "hostfwd=tcp:127.0.0.2:8080-:80,hostfwd=udp:0.0.0.0:6000-:6001,hostfwd=:127.0.0.3:7-:7"});
    ASSERT_TRUE(run.net);
    const auto& f = run.net->forwards;
    ASSERT_EQ(f.size(), 5u);
    EXPECT_EQ(f[0].protocol, PortForward::Protocol::Tcp);
    EXPECT_EQ(f[0].host_address, "");
    EXPECT_EQ(f[1].protocol, PortForward::Protocol::Udp);
    EXPECT_EQ(f[1].host_port, 5353);
    EXPECT_EQ(f[1].guest_port, 53);
    EXPECT_EQ(f[2].protocol, PortForward::Protocol::Tcp);
    EXPECT_EQ(f[2].host_address, "127.0.0.2");
    EXPECT_EQ(f[2].host_port, 8080);
    EXPECT_EQ(f[2].guest_port, 80);
    EXPECT_EQ(f[3].protocol, PortForward::Protocol::Udp);
    EXPECT_EQ(f[3].host_address, "0.0.0.0");
    EXPECT_EQ(f[3].guest_port, 6001);
    EXPECT_EQ(f[4].protocol, PortForward::Protocol::Tcp) << "an empty protocol is tcp, as in QEMU";
    EXPECT_EQ(f[4].host_address, "127.0.0.3");

    // To the device set: the protocol and the address, 127.0.0.1 where none was given.
    auto devices = device_set_config(run);
    ASSERT_TRUE(devices.net);
    const auto& d = devices.net->forwards;
    ASSERT_EQ(d.size(), 5u);
    EXPECT_EQ(d[0].host_address, "127.0.0.1");
    EXPECT_EQ(d[0].protocol, virtio::net::PortForward::Protocol::Tcp);
    EXPECT_EQ(d[1].protocol, virtio::net::PortForward::Protocol::Udp);
    EXPECT_EQ(d[2].host_address, "127.0.0.2");
    EXPECT_EQ(d[3].host_address, "0.0.0.0");
    EXPECT_EQ(d[3].protocol, virtio::net::PortForward::Protocol::Udp);
}

TEST(CliRun, BadDeviceSpecs)
{
    EXPECT_EQ(error_of({"run", "--disk", "a.img,rw"}),
              "run: unknown --disk setting 'rw' in 'a.img,rw'; expected ro or format=raw|qcow2 (see 'vireo run --help')");
    EXPECT_NE(error_of({"run", "--disk", "a.img,format=vmdk"}).find("unknown --disk setting"), std::string::npos);
    EXPECT_NE(error_of({"run", "--disk", ",ro"}).find("bad value"), std::string::npos);
    EXPECT_NE(error_of({"run", "--net", "bridge"}).find("bad value"), std::string::npos);
    EXPECT_NE(error_of({"run", "--net", "user,hostfwd=sctp::53-:53"}).find("unknown protocol 'sctp'"), std::string::npos);
    EXPECT_NE(error_of({"run", "--net", "user,hostfwd=tcp:999.0.0.1:80-:80"}).find("bad host address '999.0.0.1'"), std::string::npos);
    EXPECT_NE(error_of({"run", "--net", "user,hostfwd=tcp:localhost:80-:80"}).find("bad host address 'localhost'"), std::string::npos);
    EXPECT_NE(error_of({"run", "--net", "user,hostfwd=tcp:127.0.0.1:80-10.0.2.15:80"}).find("a guest address"), std::string::npos);
    EXPECT_NE(error_of({"run", "--net", "user,hostfwd=tcp:80-:80"}).find("unknown --net setting"), std::string::npos);
    EXPECT_NE(error_of({"run", "--net", "user,hostfwd=tcp::80"}).find("unknown --net setting"), std::string::npos);
    EXPECT_NE(error_of({"run", "--net", "user,hostfwd=tcp::0-:22"}).find("bad port '0'"), std::string::npos);
    EXPECT_NE(error_of({"run", "--net", "user,hostfwd=tcp::2222-:65536"}).find("bad port '65536'"), std::string::npos);
    EXPECT_NE(error_of({"run", "--net", "user,"}).find("unknown --net setting"), std::string::npos);
    EXPECT_NE(error_of({"run", "--net", "tap="}).find("bad value"), std::string::npos);
    EXPECT_NE(error_of({"run", "--net", "tap=averyveryverylongname"}).find("bad value"), std::string::npos);
    for (const char* bad : {"/srv", "/srv:", ":tag"})
        EXPECT_NE(error_of({"run", "--share", bad}).find("expected HOSTDIR:TAG"), std::string::npos) << bad;
}

TEST(CliRun, BareExcludesKernelAndDevices)
{
    EXPECT_EQ(error_of({"run", "--bare", "t.elf", "--kernel", "Image"}),
              "run: --bare cannot be combined with --kernel (see 'vireo run --help')");
    for (std::vector<std::string> extra : std::vector<std::vector<std::string>>{
             {"--initrd", "i"}, {"--append", "a"}, {"--firmware", "none"}, {"--disk", "d"}, {"--net", "user"},
             {"--share", "/a:b"}}) {
        std::vector<std::string> args = {"run", "--bare", "t.elf"};
        args.insert(args.end(), extra.begin(), extra.end());
        EXPECT_EQ(error_of(args), "run: --bare cannot be combined with " + extra[0] + " (see 'vireo run --help')");
    }
    EXPECT_NE(error_of({"run", "--bare", "t.elf", "--arch", "x86_64", "--accel", "kvm"}).find("riscv64 only"),
              std::string::npos);
}

// ---- run: what happens after parsing ---------------------------------------------------------------

TEST(CliRunCommand, MissingKernelsAreOneLineErrors)
{
    // No --kernel and no default guest built: say where it was looked for and how to build it.
    ::setenv("VIREO_CACHE", "/nonexistent/vireo-cache", 1);
    Outcome no_guest = run(run_options({}));
    ::unsetenv("VIREO_CACHE");
    EXPECT_EQ(no_guest.status, 125);
    EXPECT_EQ(no_guest.message.rfind("no default guest at /nonexistent/vireo-cache/default", 0), 0u) << no_guest.message;
    Outcome missing = run(run_options({"--kernel", "/nonexistent/Image"}));
    EXPECT_EQ(missing.status, 125);
    EXPECT_EQ(missing.message, "/nonexistent/Image: No such file or directory");
}

TEST(CliRunCommand, MissingFilesAndUnimplementedCombinationsAre125)
{
    // A missing kernel under KVM is a set-up error on any host, with or without /dev/kvm.
    Outcome kvm = run(run_options({"--arch", "x86_64", "--accel", "kvm", "--kernel", "/nonexistent/bzImage"}));
    EXPECT_EQ(kvm.status, 125);
    EXPECT_FALSE(kvm.message.empty());
    Outcome cpus = run(run_options({"--bare", "t.elf", "--cpus", "2"}));
    EXPECT_EQ(cpus.status, 125);
    EXPECT_NE(cpus.message.find("not implemented yet"), std::string::npos);
}

TEST(CliRunCommand, BareConfigCarriesTheOptions)
{
    auto config = bare_config(run_options({"--bare", "t.elf", "--mem", "8M", "--max-instructions", "77",
                                           "--timeout", "1.5", "--trace"}));
    EXPECT_EQ(config.elf_path, "t.elf");
    EXPECT_EQ(config.mem_size, 8ull << 20);
    EXPECT_EQ(config.max_instructions, 77u);
    EXPECT_EQ(config.timeout_seconds, 1.5);
    EXPECT_TRUE(config.trace);
}

// Both system machines get their virtio devices from the same translation of the options.
TEST(CliRunCommand, DeviceSetCarriesDisksSharesAndNetwork)
{
    auto devices = device_set_config(run_options({"--disk", "a.img", "--disk", "b.qcow2,ro,format=qcow2", "--share",
                                                  "/srv/data:data", "--net", "user,hostfwd=tcp::2222-:22"}));
    ASSERT_EQ(devices.disks.size(), 2u);
    EXPECT_EQ(devices.disks[0].path, "a.img");
    EXPECT_EQ(devices.disks[0].access, virtio::Block::Access::ReadWrite);
    EXPECT_EQ(devices.disks[0].format, disk::Format::Raw);
    EXPECT_EQ(devices.disks[1].access, virtio::Block::Access::ReadOnly);
    EXPECT_EQ(devices.disks[1].format, disk::Format::Qcow2);
    ASSERT_EQ(devices.shares.size(), 1u);
    EXPECT_EQ(devices.shares[0].host_dir, "/srv/data");
    EXPECT_EQ(devices.shares[0].tag, "data");
    ASSERT_TRUE(devices.net);
    EXPECT_EQ(devices.net->backend, virtio::NetConfig::Backend::User);
    ASSERT_EQ(devices.net->forwards.size(), 1u);
    EXPECT_EQ(devices.net->forwards[0].host_port, 2222);
    EXPECT_EQ(devices.net->forwards[0].guest_port, 22);

    auto tap = device_set_config(run_options({"--net", "tap=tap0"}));
    ASSERT_TRUE(tap.net);
    EXPECT_EQ(tap.net->backend, virtio::NetConfig::Backend::Tap);
    EXPECT_EQ(tap.net->tap_name, "tap0");
    EXPECT_FALSE(device_set_config(run_options({})).net);
}

TEST(CliRunCommand, ExitStatusFromBareOutcome)
{
    using Kind = machine::BareOutcome::Kind;
    RunOptions options = run_options({"--bare", "t.elf", "--max-instructions", "1000", "--timeout", "2.5"});
    auto exited = [&](uint64_t code) {
        return outcome_of_bare_run(machine::BareOutcome{Kind::Exited, code, 10}, options);
    };
    EXPECT_EQ(exited(0).status, 0);
    EXPECT_EQ(exited(0).message, "");
    EXPECT_EQ(exited(3).status, 3);
    EXPECT_EQ(exited(255).status, 255);
    EXPECT_EQ(exited(257).status, 1);
    // A failing test whose code is a multiple of 256 must never look like a pass.
    EXPECT_EQ(exited(256).status, 1);
    EXPECT_EQ(exited(1ull << 40).status, 1);

    Outcome limit = outcome_of_bare_run(machine::BareOutcome{Kind::InstructionLimit, 0, 1000}, options);
    EXPECT_EQ(limit.status, 124);
    EXPECT_EQ(limit.message, "instruction limit of 1000 reached");
    Outcome timeout = outcome_of_bare_run(machine::BareOutcome{Kind::Timeout, 0, 5}, options);
    EXPECT_EQ(timeout.status, 124);
    EXPECT_EQ(timeout.message, "timeout of 2.5 seconds reached");

    Outcome error = outcome_of_bare_run(Error::message("t.elf: No such file or directory"), options);
    EXPECT_EQ(error.status, 125);
    EXPECT_EQ(error.message, "t.elf: No such file or directory");
}

// ---- exec ------------------------------------------------------------------------------------------

TEST(CliExec, OptionsStopAtTheProgram)
{
    ExecOptions exec = exec_options({"--root", "/srv/root", "--mem=64M", "--env", "A=1", "--env=B=x=y", "--allow-net",
                                     "--trace-syscalls", "--max-instructions", "9", "--timeout", "3", "/bin/ls",
                                     "-l", "--mem", "--help"});
    EXPECT_EQ(exec.root, "/srv/root");
    EXPECT_EQ(exec.mem_size, 64ull << 20);
    EXPECT_EQ(exec.env, (std::vector<std::string>{"A=1", "B=x=y"}));
    EXPECT_TRUE(exec.allow_net);
    EXPECT_TRUE(exec.trace_syscalls);
    EXPECT_EQ(exec.max_instructions, 9u);
    EXPECT_EQ(exec.timeout_seconds, 3.0);
    EXPECT_EQ(exec.program, "/bin/ls");
    EXPECT_EQ(exec.args, (std::vector<std::string>{"-l", "--mem", "--help"}));
}

TEST(CliExec, DoubleDashEndsOptions)
{
    ExecOptions exec = exec_options({"--", "--weird-name", "x"});
    EXPECT_EQ(exec.program, "--weird-name");
    EXPECT_EQ(exec.args, (std::vector<std::string>{"x"}));
    ExecOptions defaults = exec_options({"prog"});
    EXPECT_FALSE(defaults.root);
    EXPECT_EQ(defaults.mem_size, 256ull << 20);
    EXPECT_TRUE(defaults.env.empty());
    EXPECT_FALSE(defaults.allow_net);
    EXPECT_TRUE(defaults.seccomp);
    EXPECT_TRUE(defaults.args.empty());
    EXPECT_FALSE(exec_options({"--no-seccomp", "prog"}).seccomp);
    // After PROGRAM it is the program's argument.
    ExecOptions late = exec_options({"prog", "--no-seccomp"});
    EXPECT_TRUE(late.seccomp);
    EXPECT_EQ(late.args, (std::vector<std::string>{"--no-seccomp"}));
}

TEST(CliExec, UsageErrors)
{
    EXPECT_EQ(error_of({"exec"}), "exec: missing PROGRAM (see 'vireo exec --help')");
    EXPECT_EQ(error_of({"exec", "--allow-net"}), "exec: missing PROGRAM (see 'vireo exec --help')");
    EXPECT_EQ(error_of({"exec", "--"}), "exec: missing PROGRAM (see 'vireo exec --help')");
    EXPECT_EQ(error_of({"exec", "--foo", "prog"}), "exec: unknown option '--foo' (see 'vireo exec --help')");
    EXPECT_EQ(error_of({"exec", "--env", "NOEQUALS", "prog"}),
              "exec: bad value 'NOEQUALS' for --env; expected K=V (see 'vireo exec --help')");
    EXPECT_NE(error_of({"exec", "--env", "=v", "prog"}).find("expected K=V"), std::string::npos);
    EXPECT_EQ(error_of({"exec", "--env", "A=1", "--env", "A=2", "prog"}),
              "exec: --env A given twice (see 'vireo exec --help')");
    EXPECT_EQ(exec_options({"--env", "A=1", "--env", "AB=2", "prog"}).env.size(), 2u);
    EXPECT_EQ(error_of({"exec", "--allow-net=yes", "prog"}),
              "exec: option '--allow-net' takes no value (see 'vireo exec --help')");
    EXPECT_EQ(error_of({"exec", "--mem", "lots", "prog"}),
              "exec: bad value 'lots' for --mem; expected a size such as 512M or 2G (see 'vireo exec --help')");
    EXPECT_EQ(error_of({"exec", "--root"}), "exec: option '--root' needs a value (see 'vireo exec --help')");
    EXPECT_EQ(error_of({"exec", "--bare", "x", "prog"}), "exec: unknown option '--bare' (see 'vireo exec --help')");
}

TEST(CliExec, MissingProgramIsAOneLineSetUpError)
{
    Outcome outcome = exec(exec_options({"/nonexistent/prog"}));
    EXPECT_EQ(outcome.status, 125);
    EXPECT_EQ(outcome.message.rfind("exec: /nonexistent/prog: ", 0), 0u) << outcome.message;
    EXPECT_EQ(outcome.message.find('\n'), std::string::npos);
}

// Every usage error is a single line: main() prints it after "vireo: " and nothing else.
TEST(CliTopLevel, ErrorsAreOneLine)
{
    std::vector<std::vector<std::string>> cases = {
        {"run", "--mem"}, {"run", "--disk", "x,y"}, {"exec"}, {"bogus"}, {"run", "--net", "user,hostfwd=tcp::a-:b"},
        {"run", "--timeout", "\n"}, {"run", std::string("--\nfoo")}};
    for (const auto& args : cases) {
        std::string text = error_of(args);
        EXPECT_NE(text, "parsed");
        // A newline the user typed may be echoed back; main() flattens it (print_error). None of our own.
        bool user_newline = false;
        for (const auto& a : args)
            user_newline |= a.find('\n') != std::string::npos;
        if (!user_newline) {
            EXPECT_EQ(text.find('\n'), std::string::npos) << text;
        }
    }
}
