// Linux on the KVM machine (labels `kvm` and `slow`): Debian's linux-image-cloud-amd64 with the
// small initramfs of guest/init.c, built by guest/build-guest.sh into $VIREO_CACHE/x86_64 (or
// ~/.cache/vireo/x86_64). The init prints markers and ends the VM as vireo.test= says.
//
// The boots to init skip, saying why, unless the host's KVM is backed by hardware virtualization
// (the kvm_intel or kvm_amd module is loaded): a paravirtual KVM such as kvm_pvm runs a kernel that
// is not PVM-aware through KVM's instruction emulator, which takes minutes where hardware takes
// well under a second, and which cannot finish: it implements INT n and IRET in real mode only,
// so Linux stops at its INT3 self-test (alternative_instructions()). VIREO_KVM_SLOW_ANYWAY=1 runs
// them anyway.
//
// The early-boot test runs on any KVM: it checks what the kernel says about the machine in its
// first moments (boot protocol, e820, command line, initrd, ACPI tables, CPUs) and stops the VM.
#include <gtest/gtest.h>

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>

#include "kvm/kvm.hpp"
#include "run_vireo.hpp"

using namespace vireo;
using namespace vireo::test;
using namespace std::chrono_literals;

namespace {

bool exists(const std::string& path)
{
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

// The kvm* modules this host has, e.g. "kvm, kvm_pvm".
std::string kvm_modules()
{
    std::string list;
    if (DIR* dir = ::opendir("/sys/module")) {
        while (dirent* e = ::readdir(dir)) {
            const std::string name = e->d_name;
            if (name.rfind("kvm", 0) == 0)
                list += (list.empty() ? "" : ", ") + name;
        }
        ::closedir(dir);
    }
    return list.empty() ? "none" : list;
}

bool hardware_kvm() { return exists("/sys/module/kvm_intel") || exists("/sys/module/kvm_amd"); }
bool forced() { return std::getenv("VIREO_KVM_SLOW_ANYWAY") && *std::getenv("VIREO_KVM_SLOW_ANYWAY") == '1'; }

struct Guest {
    std::string kernel, initrd;
};

std::optional<Guest> x86_guest()
{
    std::string dir;
    if (const char* cache = std::getenv("VIREO_CACHE"); cache && *cache)
        dir = std::string(cache) + "/x86_64";
    else
        dir = std::string(std::getenv("HOME") ? std::getenv("HOME") : "/root") + "/.cache/vireo/x86_64";
    Guest guest{dir + "/vmlinuz", dir + "/initramfs.cpio.gz"};
    if (!exists(guest.kernel) || !exists(guest.initrd))
        return std::nullopt;
    return guest;
}

#define REQUIRE_GUEST(guest)                                                                                  \
    if (auto available = kvm::check_available(); !available.ok())                                            \
        GTEST_SKIP() << "no usable KVM on this host: " << available.error().text();                           \
    auto guest = x86_guest();                                                                                 \
    if (!guest)                                                                                               \
        GTEST_SKIP() << "the x86-64 test guest is not built: run tests/kvm/guest/build-guest.sh"

#define REQUIRE_LINUX_GUEST(guest)                                                                            \
    if (!hardware_kvm() && !forced())                                                                         \
        GTEST_SKIP() << "this host's KVM is not backed by hardware virtualization (kvm modules: " << kvm_modules() \
                     << "; neither kvm_intel nor kvm_amd): a stock kernel would be emulated instruction by "     \
                        "instruction. Set VIREO_KVM_SLOW_ANYWAY=1 to run it regardless.";                       \
    REQUIRE_GUEST(guest)

std::chrono::seconds limit() { return forced() && !hardware_kvm() ? 3600s : 120s; }

std::vector<std::string> boot_args(const Guest& guest, const std::string& append, std::vector<std::string> extra = {})
{
    const auto seconds = std::to_string(limit().count());
    std::vector<std::string> args = {"run", "--accel", "kvm", "--arch", "x86_64", "--kernel", guest.kernel, "--initrd", guest.initrd,
                                     "--append", "console=ttyS0 reboot=k panic=-1 " + append, "--mem", "512M", "--timeout", seconds};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
}

VireoRunOptions options()
{
    VireoRunOptions o;
    o.timeout = limit() + 30s;
    return o;
}

}  // namespace

// What the kernel reports about the machine before it needs anything the emulator lacks: the boot
// protocol (command line with the virtio devices, initrd), the e820 map, the ACPI tables by their
// signatures and addresses, SMP from the MADT, the hypervisor from CPUID.
TEST(KvmLinux, EarlyBootSeesTheBootParamsAndAcpiTables)
{
    REQUIRE_GUEST(guest);
    const std::vector<std::string> expected = {
        "Command line: console=ttyS0 earlyprintk=ttyS0 virtio_mmio.device=4K@0xd0000000:5 virtio_mmio.device=4K@0xd0001000:6",
        "BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable",
        "BIOS-e820: [mem 0x000000000009fc00-0x00000000000fffff] reserved",
        "BIOS-e820: [mem 0x0000000000100000-0x000000001fffffff] usable",
        "Hypervisor detected: KVM",
        "RAMDISK: [mem 0x",
        "ACPI: RSDP 0x00000000000E0000 000024 (v02 VIREO )",
        "ACPI: XSDT 0x00000000000E0040",
        "ACPI: FACP 0x00000000000E0080 000114 (v06 VIREO  VIREOVM",
        "ACPI: DSDT 0x",
        "ACPI: APIC 0x",
        "IOAPIC[0]: apic_id 0, version 17, address 0xfec00000, GSI 0-23",
        "ACPI: Using ACPI (MADT) for SMP configuration information",
        "smpboot: Allowing 2 CPUs, 0 hotplug CPUs",
    };
    VireoRunOptions o;
    o.timeout = hardware_kvm() ? 120s : 1800s;
    o.stop_when_seen = expected;
    auto run = run_vireo({"run", "--accel", "kvm", "--arch", "x86_64", "--kernel", guest->kernel, "--initrd", guest->initrd,
                          "--append", "console=ttyS0 earlyprintk=ttyS0", "--mem", "512M", "--cpus", "2"}, o);
    for (const auto& line : expected)
        EXPECT_NE(run.out.find(line), std::string::npos) << "missing: " << line << "\n" << run.out << run.err;
}

TEST(KvmLinux, BootsToInitAndPowersOffThroughAcpi)
{
    REQUIRE_LINUX_GUEST(guest);
    auto run = run_vireo(boot_args(*guest, "vireo.test=poweroff"), options());
    ASSERT_FALSE(run.timed_out) << run.out;
    EXPECT_NE(run.out.find("vireo-kvm: init started"), std::string::npos) << run.out;
    EXPECT_NE(run.out.find("vireo-kvm: cpus=1\n"), std::string::npos) << run.out;
    EXPECT_EQ(run.status, 0) << run.err << run.out;
    EXPECT_EQ(run.err, "");
}

TEST(KvmLinux, SmpAndVirtioDevicesFromTheDsdt)
{
    REQUIRE_LINUX_GUEST(guest);
    const std::string disk = ::testing::TempDir() + "vireo-kvm-linux-disk-" + std::to_string(::getpid());
    std::ofstream(disk, std::ios::binary) << std::string(4 << 20, '\0');
    auto run = run_vireo(boot_args(*guest, "vireo.test=poweroff", {"--cpus", "2", "--disk", disk}), options());
    std::remove(disk.c_str());
    ASSERT_FALSE(run.timed_out) << run.out;
    EXPECT_NE(run.out.find("vireo-kvm: cpus=2\n"), std::string::npos) << run.out;
    // disk, rng, console
    EXPECT_NE(run.out.find("vireo-kvm: virtio devices=3\n"), std::string::npos) << run.out;
    EXPECT_NE(run.out.find("vireo-kvm: vda present\n"), std::string::npos) << run.out;
    EXPECT_NE(run.out.find("vireo-kvm: hwrng present\n"), std::string::npos) << run.out;
    EXPECT_EQ(run.status, 0) << run.err << run.out;
}

TEST(KvmLinux, RebootEndsTheRunThroughTheI8042)
{
    REQUIRE_LINUX_GUEST(guest);
    auto run = run_vireo(boot_args(*guest, "vireo.test=reboot"), options());
    ASSERT_FALSE(run.timed_out) << run.out;
    EXPECT_NE(run.out.find("vireo-kvm: rebooting"), std::string::npos) << run.out;
    EXPECT_EQ(run.status, 0) << run.err;
    EXPECT_NE(run.err.find("reset"), std::string::npos) << run.err;
}

TEST(KvmLinux, PanicEndsTheRunWithStatus1)
{
    REQUIRE_LINUX_GUEST(guest);
    auto run = run_vireo(boot_args(*guest, "vireo.test=panic"), options());
    ASSERT_FALSE(run.timed_out) << run.out;
    EXPECT_EQ(run.status, 1) << run.err << run.out;
    EXPECT_EQ(run.err, "vireo: the guest kernel panicked\n");
}
