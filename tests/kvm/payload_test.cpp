// The KVM machine with small guests the build assembles from payloads/*.s (label `kvm`). Each test
// skips, saying why, when this host has no usable /dev/kvm. Guest code here is tiny, so these run
// even where KVM is paravirtual and emulates guest instructions one by one (kvm_pvm).
//
// What they cover: the three entry modes (real mode; 32-bit protected mode through the PVH note;
// 64-bit long mode through both an ELF and a bzImage), port I/O exits (COM1, string I/O), MMIO
// exits routed to the virtio-mmio transports (every slot's registers, with a disk, a 9p share and a
// network card; a full transmit-queue round trip through the virtio-console), memory slots (patterns the host wrote are read by the guest, and
// the virtqueue the guest wrote is read by the host), interrupts (in-kernel PIC and PIT; COM1's
// IRQ 4 through KVM_IRQ_LINE), several vCPUs started by INIT/SIPI, each on its own thread, and
// every way a run ends: i8042 reset, ACPI S5, triple fault, timeout, Ctrl-A X, hostile guests.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>

#include "kvm/kvm.hpp"
#include "run_vireo.hpp"

using namespace vireo;
using namespace vireo::test;
using namespace std::chrono_literals;

namespace {

#define REQUIRE_KVM()                                                                              \
    do {                                                                                           \
        if (auto available = kvm::check_available(); !available.ok())                              \
            GTEST_SKIP() << "no usable KVM on this host: " << available.error().text();            \
    } while (0)

// A file in the test's temporary directory, removed at the end of the test.
class TempFile {
public:
    TempFile(const std::string& name, const std::string& contents)
        : m_path(::testing::TempDir() + "vireo-kvm-" + std::to_string(::getpid()) + "-" + name)
    {
        std::ofstream(m_path, std::ios::binary) << contents;
    }
    ~TempFile() { std::remove(m_path.c_str()); }
    const std::string& path() const { return m_path; }

private:
    std::string m_path;
};

// The initrd pattern the payloads check: byte i is (i * 7 + 3) mod 256. An odd size, so the
// guest cannot get away with whole pages.
std::string pattern(size_t size)
{
    std::string bytes(size, '\0');
    for (size_t i = 0; i < size; ++i)
        bytes[i] = static_cast<char>((i * 7 + 3) & 0xff);
    return bytes;
}

std::vector<std::string> kvm_args(const std::string& kernel, std::vector<std::string> extra = {}, const std::string& mem = "64M")
{
    std::vector<std::string> args = {"run", "--accel", "kvm", "--arch", "x86_64", "--kernel", kernel, "--mem", mem, "--timeout", "120"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
}

struct LibraryRun {
    Result<kvm::Outcome> outcome = Error::message("not run");
    std::string console;
};

// Runs a raw image through the library, capturing the console.
LibraryRun run_raw(const std::string& image, kvm::RawImage raw, const std::string& append, unsigned cpus = 1)
{
    LibraryRun run;
    kvm::Config config;
    config.kernel = image;
    config.raw = raw;
    config.append = append;
    config.mem_size = 64ull << 20;
    config.cpus = cpus;
    config.timeout_seconds = 120;
    config.console_input = false;
    config.console_output = [&run](std::span<const uint8_t> bytes) { run.console.append(bytes.begin(), bytes.end()); };
    run.outcome = kvm::run(config);
    return run;
}

constexpr kvm::RawImage kRealModeAt64K{0x10000, 0x10000, kvm::CpuMode::Real};

}  // namespace

// Real mode: port I/O, host-written RAM (command line, zero page), PIC + PIT interrupts waking HLT
// in the kernel, and COM1's THRE interrupt delivered by KVM_IRQ_LINE(4).
TEST(KvmPayload, RealModeEntryPortIoInterruptsAndReset)
{
    REQUIRE_KVM();
    auto run = run_raw(VIREO_KVM_REAL16, kRealModeAt64K, "pattern-from-the-host-1234");
    ASSERT_TRUE(run.outcome.ok()) << run.outcome.error().text();
    EXPECT_EQ(run.outcome.value().kind, kvm::Outcome::Kind::Reset) << run.console;
    EXPECT_NE(run.console.find("real: hello from real mode\n"), std::string::npos) << run.console;
    EXPECT_NE(run.console.find("real: cmdline=pattern-from-the-host-1234 virtio_mmio.device=4K@0xd0000000:5 "
                               "virtio_mmio.device=4K@0xd0001000:6\n"), std::string::npos) << run.console;
    EXPECT_NE(run.console.find("real: e820 entries=3\n"), std::string::npos) << run.console;
    EXPECT_NE(run.console.find("real: PIT timer interrupts through the in-kernel PIC\n"), std::string::npos) << run.console;
    EXPECT_NE(run.console.find("real: COM1 IRQ 4 through KVM_IRQ_LINE\n"), std::string::npos) << run.console;
    EXPECT_NE(run.console.find("real: done\n"), std::string::npos) << run.console;
}

// Many machines per process: two VMs at once in one process, each with its own console.
TEST(KvmPayload, TwoMachinesRunAtOnceInOneProcess)
{
    REQUIRE_KVM();
    LibraryRun a, b;
    std::thread first([&] { a = run_raw(VIREO_KVM_REAL16, kRealModeAt64K, "machine-A"); });
    std::thread second([&] { b = run_raw(VIREO_KVM_REAL16, kRealModeAt64K, "machine-B"); });
    first.join();
    second.join();
    ASSERT_TRUE(a.outcome.ok() && b.outcome.ok());
    EXPECT_NE(a.console.find("cmdline=machine-A "), std::string::npos) << a.console;
    EXPECT_NE(b.console.find("cmdline=machine-B "), std::string::npos) << b.console;
    EXPECT_EQ(a.console.find("machine-B"), std::string::npos);
    EXPECT_NE(a.console.find("real: done"), std::string::npos) << a.console;
    EXPECT_NE(b.console.find("real: done"), std::string::npos) << b.console;
}

// Linux's 64-bit boot protocol, from an ELF (entered at e_entry) and from a bzImage (entered 0x200
// into the protected-mode kernel): boot_params, initrd, e820, CPUID, string I/O, and a virtio
// transmit-queue round trip through MMIO exits and shared guest memory.
class KvmLongMode : public ::testing::TestWithParam<const char*> {};

TEST_P(KvmLongMode, BootParamsInitrdCpuidAndVirtqueueRoundTrip)
{
    REQUIRE_KVM();
    TempFile initrd("initrd", pattern(100001));
    auto run = run_vireo(kvm_args(GetParam(), {"--initrd", initrd.path(), "--append", "console=ttyS0 long-mode-test"}));
    ASSERT_FALSE(run.timed_out) << run.out;
    EXPECT_EQ(run.status, 0) << run.err << run.out;
    const std::string& out = run.out;
    EXPECT_NE(out.find("long: hello from 64-bit mode\n"), std::string::npos) << out;
    EXPECT_NE(out.find("long: rep outsb through one string I/O exit\n"), std::string::npos) << out;
    EXPECT_NE(out.find("long: type_of_loader=0xff"), std::string::npos) << out;
    EXPECT_NE(out.find("long: cmdline=console=ttyS0 long-mode-test virtio_mmio.device=4K@0xd0000000:5"), std::string::npos) << out;
    // 64 MiB less the reserved 0x9fc00..0x100000.
    EXPECT_NE(out.find("long: e820 entries=0x3 ram=0x3f9fc00\n"), std::string::npos) << out;
    EXPECT_NE(out.find("long: initrd size=0x186a1 pattern ok\n"), std::string::npos) << out;
    EXPECT_NE(out.find("long: cpuid hypervisor bit set\n"), std::string::npos) << out;
    // Slot 0 is virtio-rng, slot 1 the console (no disks given).
    EXPECT_NE(out.find("long: virtio-console in slot 0x1 magic=0x74726976 version=0x2\n"), std::string::npos) << out;
    EXPECT_NE(out.find("long: hello through the virtio-console transmitq\n"), std::string::npos) << out;
    EXPECT_NE(out.find("long: used ring returned descriptor 0x0 interrupt status=0x1\n"), std::string::npos) << out;
    EXPECT_NE(out.find("long: done\n"), std::string::npos) << out;
}

INSTANTIATE_TEST_SUITE_P(ElfAndBzImage, KvmLongMode, ::testing::Values(VIREO_KVM_LONG64_ELF, VIREO_KVM_LONG64_BZIMAGE),
                         [](const auto& param_info) { return std::string(param_info.index == 0 ? "Elf" : "BzImage"); });

TEST(KvmPayload, BzImageProtocolVersionReachesTheGuest)
{
    REQUIRE_KVM();
    auto run = run_vireo(kvm_args(VIREO_KVM_LONG64_BZIMAGE));
    EXPECT_EQ(run.status, 0) << run.err;
    EXPECT_NE(run.out.find("long: type_of_loader=0xff version=0x20f\n"), std::string::npos) << run.out;
    EXPECT_NE(run.out.find("long: initrd size=0x0\n"), std::string::npos) << run.out;
}

// The PVH entry: 32-bit protected mode, hvm_start_info with the command line, memory map and the
// initrd as module 0; MMIO reads of a virtio transport and of an address nothing answers.
TEST(KvmPayload, PvhEntryStartInfoAndVirtioRegisters)
{
    REQUIRE_KVM();
    TempFile initrd("initrd", pattern(4099));
    TempFile disk("disk", std::string(1 << 20, '\0'));
    auto run = run_vireo(kvm_args(VIREO_KVM_PVH32, {"--initrd", initrd.path(), "--append", "pvh-test", "--disk", disk.path() + ",ro"}));
    ASSERT_FALSE(run.timed_out) << run.out;
    EXPECT_EQ(run.status, 0) << run.err << run.out;
    const std::string& out = run.out;
    EXPECT_NE(out.find("pvh: start_info magic=0x336ec578\n"), std::string::npos) << out;
    EXPECT_NE(out.find("pvh: cmdline=pvh-test virtio_mmio.device=4K@0xd0000000:5 virtio_mmio.device=4K@0xd0001000:6 "
                       "virtio_mmio.device=4K@0xd0002000:7\n"), std::string::npos) << out;
    EXPECT_NE(out.find("pvh: memmap entries=0x00000003\n"), std::string::npos) << out;
    EXPECT_NE(out.find("pvh: modules=0x00000001 size=0x00001003 pattern ok\n"), std::string::npos) << out;
    // Slot 0 is the disk: virtio-blk (device ID 2), vendor "VIRO".
    EXPECT_NE(out.find("pvh: virtio slot 0 magic/version/device/vendor=0x74726976 0x00000002 0x00000002 0x4f524956\n"), std::string::npos) << out;
    EXPECT_NE(out.find("pvh: unmapped MMIO reads 0xffffffff\n"), std::string::npos) << out;
    EXPECT_NE(out.find("pvh: done\n"), std::string::npos) << out;
}

// Issue 6: the KVM machine has the emulator's whole virtio set, declared on the kernel command
// line. With a disk, a shared folder and a network card: slots 0-4 are virtio-blk (ID 2), rng (4),
// console (3), 9p (9, with the mount tag in its configuration space) and net (1, with QEMU's MAC
// 52:54:00:12:34:56 and the link up); slot 5 is empty and reads all ones.
TEST(KvmPayload, ShareAndNetworkCardAreInTheirSlotsAndOnTheCommandLine)
{
    REQUIRE_KVM();
    TempFile disk("disk", std::string(1 << 20, '\0'));
    std::string share = ::testing::TempDir() + "vireo-kvm-share-XXXXXX";
    ASSERT_NE(::mkdtemp(share.data()), nullptr);
    auto run = run_vireo(kvm_args(VIREO_KVM_PVH32, {"--append", "devices-test", "--disk", disk.path() + ",ro",
                                                    "--share", share + ":hostshare", "--net", "user"}));
    ::rmdir(share.c_str());
    ASSERT_FALSE(run.timed_out) << run.out;
    EXPECT_EQ(run.status, 0) << run.err << run.out;
    const std::string& out = run.out;
    EXPECT_NE(out.find("pvh: cmdline=devices-test virtio_mmio.device=4K@0xd0000000:5 virtio_mmio.device=4K@0xd0001000:6 "
                       "virtio_mmio.device=4K@0xd0002000:7 virtio_mmio.device=4K@0xd0003000:8 "
                       "virtio_mmio.device=4K@0xd0004000:9\n"), std::string::npos) << out;
    const char* slots[] = {
        "pvh: virtio slot 0 magic/version/device/vendor=0x74726976 0x00000002 0x00000002 0x4f524956\n",
        "pvh: virtio slot 1 magic/version/device/vendor=0x74726976 0x00000002 0x00000004 0x4f524956\n",
        "pvh: virtio slot 2 magic/version/device/vendor=0x74726976 0x00000002 0x00000003 0x4f524956\n",
        "pvh: virtio slot 3 magic/version/device/vendor=0x74726976 0x00000002 0x00000009 0x4f524956\n"
        "pvh:   9p tag=hostshare\n",
        "pvh: virtio slot 4 magic/version/device/vendor=0x74726976 0x00000002 0x00000001 0x4f524956\n"
        "pvh:   net config=0x12005452 0x00015634\n",
        "pvh: virtio slot 5 magic/version/device/vendor=0xffffffff 0xffffffff 0xffffffff 0xffffffff\n",
    };
    for (const char* slot : slots)
        EXPECT_NE(out.find(slot), std::string::npos) << "missing: " << slot << "in:\n" << out;
    EXPECT_NE(out.find("pvh: done\n"), std::string::npos) << out;
}

// --cpus N: the boot vCPU starts the others with INIT/SIPI; each, on its own host thread, reports
// the APIC ID it reads from CPUID (which the machine set to its index).
TEST(KvmPayload, VcpusStartedBySipiEachReportTheirId)
{
    REQUIRE_KVM();
    for (unsigned cpus : {2u, 4u}) {
        const std::string n = std::to_string(cpus);
        auto run = run_vireo(kvm_args(VIREO_KVM_PVH32, {"--cpus", n, "--append", "cpus=" + n}));
        ASSERT_FALSE(run.timed_out) << run.out;
        EXPECT_EQ(run.status, 0) << run.err << run.out;
        for (unsigned id = 1; id < cpus; ++id)
            EXPECT_NE(run.out.find("pvh: cpu " + std::to_string(id) + " up\n"), std::string::npos) << cpus << " CPUs:\n" << run.out;
        EXPECT_EQ(run.out.find("pvh: cpu " + n + " up"), std::string::npos) << run.out;
        EXPECT_NE(run.out.find("pvh: cpus up=0x0000000" + n + "\n"), std::string::npos) << run.out;
    }
}

// A guest that waits for a vCPU that does not exist runs until --timeout: status 124.
TEST(KvmPayload, TimeoutEndsARunningGuestWith124)
{
    REQUIRE_KVM();
    auto run = run_vireo({"run", "--accel", "kvm", "--arch", "x86_64", "--kernel", VIREO_KVM_PVH32, "--cpus", "2",
                          "--append", "cpus=3", "--timeout", "2"});
    ASSERT_FALSE(run.timed_out);
    EXPECT_EQ(run.status, 124) << run.err;
    EXPECT_EQ(run.err, "vireo: timeout of 2 seconds reached\n");
    EXPECT_NE(run.out.find("pvh: cpu 1 up"), std::string::npos) << run.out;
}

// Ctrl-A X on stdin quits, as in QEMU, with status 0.
TEST(KvmPayload, CtrlAXQuits)
{
    REQUIRE_KVM();
    VireoRunOptions options;
    options.stdin_text = "\x01x";
    auto run = run_vireo({"run", "--accel", "kvm", "--arch", "x86_64", "--kernel", VIREO_KVM_PVH32, "--cpus", "2",
                          "--append", "cpus=3", "--timeout", "60"}, options);
    ASSERT_FALSE(run.timed_out);
    EXPECT_EQ(run.status, 0) << run.err;
    EXPECT_EQ(run.err, "");
}

// ACPI 6.4 §4.8.3.7: SLP_TYP = 5 (\_S5) with SLP_EN written to the sleep control register (port
// 0x600) is power-off: status 0 and no message.
TEST(KvmPayload, AcpiSleepControlS5PowersOff)
{
    REQUIRE_KVM();
    // mov $0x34, %al; mov $0x600, %dx; out %al, %dx; hlt
    TempFile image("poweroff.bin", std::string("\xb0\x34\xba\x00\x06\xee\xf4", 7));
    auto run = run_raw(image.path(), kRealModeAt64K, "");
    ASSERT_TRUE(run.outcome.ok()) << run.outcome.error().text();
    EXPECT_EQ(run.outcome.value().kind, kvm::Outcome::Kind::Poweroff);
    const auto report = kvm::report(run.outcome.value(), 0);
    EXPECT_EQ(report.status, 0);
    EXPECT_EQ(report.message, "");
}

// Another sleep type (S3 = 3 here) is not offered: ignored, the guest goes on and then resets.
TEST(KvmPayload, OtherSleepTypesAreIgnored)
{
    REQUIRE_KVM();
    // mov $0x2c, %al (SLP_TYP 3 | SLP_EN); mov $0x600, %dx; out %al, %dx; mov $0xfe, %al; out %al, $0x64
    TempFile image("s3.bin", std::string("\xb0\x2c\xba\x00\x06\xee\xb0\xfe\xe6\x64\xf4", 11));
    auto run = run_raw(image.path(), kRealModeAt64K, "");
    ASSERT_TRUE(run.outcome.ok()) << run.outcome.error().text();
    EXPECT_EQ(run.outcome.value().kind, kvm::Outcome::Kind::Reset);
}

// An exception with no usable IDT: #UD, #GP, #DF, then a triple fault (KVM_EXIT_SHUTDOWN): the run
// ends with status 1 and says so. (ud2 rather than int3: kvm_pvm's instruction emulator cannot
// deliver a software interrupt and stops with an emulation failure instead.)
TEST(KvmPayload, TripleFaultEndsTheRunWithStatus1)
{
    REQUIRE_KVM();
    TempFile image("ud2.bin", std::string("\x0f\x0b", 2));
    auto raw = run_raw(image.path(), kvm::RawImage{0x100000, 0x100000, kvm::CpuMode::Long}, "");
    ASSERT_TRUE(raw.outcome.ok()) << raw.outcome.error().text();
    EXPECT_EQ(raw.outcome.value().kind, kvm::Outcome::Kind::TripleFault) << raw.outcome.value().detail;
    const auto report = kvm::report(raw.outcome.value(), 0);
    EXPECT_EQ(report.status, 1);
    EXPECT_NE(report.message.find("KVM_EXIT_SHUTDOWN"), std::string::npos) << report.message;
}

// Every port, every size; random port and MMIO writes; string I/O of 256 KiB: the host answers
// all of it and the guest carries on to its reset.
TEST(KvmPayload, HostileGuestLeavesTheHostStanding)
{
    REQUIRE_KVM();
    TempFile disk("disk", std::string(1 << 20, '\0'));
    auto run = run_vireo(kvm_args(VIREO_KVM_HOSTILE64, {"--disk", disk.path() + ",ro", "--cpus", "2"}));
    ASSERT_FALSE(run.timed_out) << run.out;
    EXPECT_EQ(run.status, 0) << run.err << run.out;
    EXPECT_NE(run.out.find("hostile: survived\n"), std::string::npos) << run.out;
}

// Set-up errors: exit status 125 and exactly one line on stderr that names the problem.
struct SetupErrorCase {
    const char* name;
    std::vector<std::string> args;
    std::vector<std::string> env;
    const char* expected;   // a part of the line
    bool needs_kvm;
};

class KvmSetupError : public ::testing::TestWithParam<SetupErrorCase> {};

TEST_P(KvmSetupError, OneLineAndStatus125)
{
    const auto& c = GetParam();
    if (c.needs_kvm)
        REQUIRE_KVM();
    VireoRunOptions options;
    options.env = c.env;
    auto run = run_vireo(c.args, options);
    EXPECT_EQ(run.status, 125) << run.err;
    EXPECT_NE(run.err.find(c.expected), std::string::npos) << run.err;
    EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << run.err;
    EXPECT_EQ(run.err.rfind("vireo: ", 0), 0u) << run.err;
}

INSTANTIATE_TEST_SUITE_P(
    Cli, KvmSetupError,
    ::testing::Values(
        SetupErrorCase{"NoDevice", kvm_args(VIREO_KVM_PVH32), {"VIREO_KVM_DEVICE=/nonexistent/kvm"},
                       "/nonexistent/kvm: No such file or directory (this host offers no KVM", false},
        SetupErrorCase{"NotKvm", kvm_args(VIREO_KVM_PVH32), {"VIREO_KVM_DEVICE=/dev/null"},
                       "/dev/null is not a KVM device: KVM_GET_API_VERSION: ", false},
        SetupErrorCase{"NoArch", {"run", "--accel", "kvm", "--kernel", VIREO_KVM_PVH32}, {}, "add --arch x86_64", false},
        SetupErrorCase{"NoKernel", {"run", "--accel", "kvm", "--arch", "x86_64"}, {}, "--accel kvm needs --kernel", false},
        SetupErrorCase{"TooMuchMemory", kvm_args(VIREO_KVM_PVH32, {}, "4G"), {}, "--mem must be between 4 MiB and 3 GiB", false},
        SetupErrorCase{"TooManyCpus", kvm_args(VIREO_KVM_PVH32, {"--cpus", "65"}), {}, "--cpus", false},
        SetupErrorCase{"MaxInstructions", kvm_args(VIREO_KVM_PVH32, {"--max-instructions", "5"}), {}, "--max-instructions", false},
        SetupErrorCase{"MissingKernel", kvm_args("/nonexistent/bzImage"), {}, "/nonexistent/bzImage: No such file", true},
        SetupErrorCase{"NotAKernel", kvm_args(VIREO_KVM_REAL16), {}, "not a bzImage", true},
        SetupErrorCase{"KernelTooBigForRam", kvm_args(VIREO_KVM_LONG64_BZIMAGE, {}, "8M"), {},
                       "the kernel needs RAM up to 0x1100000 (17 MiB) but the guest has 8 MiB", true},
        SetupErrorCase{"MissingInitrd", kvm_args(VIREO_KVM_PVH32, {"--initrd", "/nonexistent/initrd"}), {},
                       "/nonexistent/initrd: No such file", true},
        SetupErrorCase{"MissingDisk", kvm_args(VIREO_KVM_PVH32, {"--disk", "/nonexistent/disk.img"}), {}, "/nonexistent/disk.img", true},
        SetupErrorCase{"MissingShare", kvm_args(VIREO_KVM_PVH32, {"--share", "/nonexistent/folder:tag"}), {}, "/nonexistent/folder", true}),
    [](const auto& param_info) { return std::string(param_info.param.name); });
