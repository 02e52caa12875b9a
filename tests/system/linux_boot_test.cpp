// Linux on the system machine: the default guest (guests/build.sh: Linux 6.1 + busybox initramfs)
// boots through OpenSBI to a shell on the serial console; the tests type commands and check what
// comes back, as a person would. Each command's output is matched on a computed value (e.g.
// $((6*7)) -> 42), so the terminal's echo of the typed line can never satisfy the check.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "console_session.hpp"

using namespace vireo::test;
using namespace std::chrono_literals;

namespace {

constexpr auto kBootTimeout = 300s;

#define REQUIRE_GUEST(guest)                                                                  \
    auto guest = default_guest();                                                             \
    if (!guest)                                                                               \
        GTEST_SKIP() << "the default guest is not built (run 'make guest'); looked in "       \
                     << (std::getenv("VIREO_CACHE") ? std::getenv("VIREO_CACHE") : "~/.cache/vireo") << "/default"

std::vector<std::string> boot_args(const Guest& guest, std::vector<std::string> extra = {})
{
    std::vector<std::string> args = {vireo_binary(), "run", "--kernel", guest.kernel, "--initrd", guest.initrd,
                                     "--append", "console=ttyS0", "--timeout", "600"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
}

// Boots to the shell; returns false (with the console output in the failure) if it does not get there.
::testing::AssertionResult boot_to_shell(ConsoleSession& vm)
{
    if (!vm.expect("vireo-guest: init started", kBootTimeout))
        return ::testing::AssertionFailure() << "no init marker:\n" << vm.recent_output();
    vm.send("echo READY-$((40+2))\n");
    if (!vm.expect("READY-42", 60s))
        return ::testing::AssertionFailure() << "no shell:\n" << vm.recent_output();
    return ::testing::AssertionSuccess();
}

}  // namespace

TEST(LinuxBoot, ShellRunsCommandsAndPowersOffWithStatus0)
{
    REQUIRE_GUEST(guest);
    ConsoleSession vm(boot_args(*guest));
    ASSERT_TRUE(boot_to_shell(vm));
    vm.send("uname -sm | tr a-z A-Z\n");
    EXPECT_TRUE(vm.expect("LINUX RISCV64", 30s)) << vm.recent_output();
    vm.send("echo $(( $(cat /proc/meminfo | grep -c MemTotal) * 7 ))x\n");
    EXPECT_TRUE(vm.expect("7x", 30s)) << vm.recent_output();
    vm.send("poweroff -f\n");
    EXPECT_EQ(vm.wait_exit(60s), 0) << vm.recent_output();
}

// What a user types to leave the default guest: busybox's poweroff without -f only signals init,
// so the guest's login profile makes it power off for real (guests/initramfs/init).
TEST(LinuxBoot, PoweroffTypedAtTheShellEndsTheRun)
{
    REQUIRE_GUEST(guest);
    ConsoleSession vm(boot_args(*guest));
    ASSERT_TRUE(boot_to_shell(vm));
    vm.send("poweroff\n");
    EXPECT_EQ(vm.wait_exit(60s), 0) << vm.recent_output();
}

TEST(LinuxBoot, TwoAndFourHartsAppearInCpuinfo)
{
    REQUIRE_GUEST(guest);
    for (int cpus : {2, 4}) {
        ConsoleSession vm(boot_args(*guest, {"--cpus", std::to_string(cpus)}));
        ASSERT_TRUE(boot_to_shell(vm)) << cpus << " harts";
        vm.send("echo CPUS=$(grep -c ^processor /proc/cpuinfo)=\n");
        EXPECT_TRUE(vm.expect("CPUS=" + std::to_string(cpus) + "=", 60s)) << vm.recent_output();
        vm.send("poweroff -f\n");
        EXPECT_EQ(vm.wait_exit(60s), 0) << vm.recent_output();
    }
}

TEST(LinuxBoot, TestModePowersOffByItself)
{
    REQUIRE_GUEST(guest);
    ConsoleSession vm({vireo_binary(), "run", "--kernel", guest->kernel, "--initrd", guest->initrd, "--append",
                       "console=ttyS0 vireo.test=poweroff", "--timeout", "600"});
    EXPECT_TRUE(vm.expect("vireo-guest: init started", kBootTimeout)) << vm.recent_output();
    EXPECT_EQ(vm.wait_exit(120s), 0) << vm.recent_output();
}

namespace {

// A scratch ext4 image made with the host's mkfs.ext4; removed when the test ends.
class Ext4Image {
public:
    explicit Ext4Image(uint64_t megabytes)
    {
        char pattern[] = "/tmp/vireo-disk-XXXXXX";
        int fd = ::mkstemp(pattern);
        if (fd < 0)
            return;
        ::close(fd);
        m_path = pattern;
        const std::string command = "truncate -s " + std::to_string(megabytes) + "M " + m_path +
                                    " && mkfs.ext4 -q -F " + m_path + " >/dev/null 2>&1";
        m_ok = std::system(command.c_str()) == 0;
    }
    ~Ext4Image()
    {
        if (!m_path.empty())
            ::unlink(m_path.c_str());
    }
    bool ok() const { return m_ok; }
    const std::string& path() const { return m_path; }

private:
    std::string m_path;
    bool m_ok = false;
};

}  // namespace

// virtio 1.2 §5.2: a file written to an ext4 file system on virtio-blk survives poweroff and is
// read back by a second boot of the same image.
TEST(LinuxVirtio, BlockDiskKeepsAFileAcrossBoots)
{
    REQUIRE_GUEST(guest);
    Ext4Image disk(32);
    if (!disk.ok())
        GTEST_SKIP() << "mkfs.ext4 (e2fsprogs) is not available to make a test disk";
    {
        ConsoleSession vm(boot_args(*guest, {"--disk", disk.path()}));
        ASSERT_TRUE(boot_to_shell(vm));
        vm.send("mount /dev/vda /mnt && echo kept-$((300+33)) > /mnt/note && sync && umount /mnt && echo UNMOUNTED-OK\n");
        ASSERT_TRUE(vm.expect("UNMOUNTED-OK", 60s)) << vm.recent_output();
        vm.send("poweroff -f\n");
        ASSERT_EQ(vm.wait_exit(60s), 0) << vm.recent_output();
    }
    ConsoleSession vm(boot_args(*guest, {"--disk", disk.path()}));
    ASSERT_TRUE(boot_to_shell(vm));
    vm.send("mount /dev/vda /mnt && cat /mnt/note\n");
    EXPECT_TRUE(vm.expect("kept-333", 60s)) << vm.recent_output();
    vm.send("poweroff -f\n");
    EXPECT_EQ(vm.wait_exit(60s), 0) << vm.recent_output();
}

TEST(LinuxVirtio, ReadOnlyDiskRefusesWrites)
{
    REQUIRE_GUEST(guest);
    Ext4Image disk(16);
    if (!disk.ok())
        GTEST_SKIP() << "mkfs.ext4 (e2fsprogs) is not available to make a test disk";
    ConsoleSession vm(boot_args(*guest, {"--disk", disk.path() + ",ro"}));
    ASSERT_TRUE(boot_to_shell(vm));
    vm.send("echo RO=$(cat /sys/block/vda/ro)=; dd if=/dev/zero of=/dev/vda count=1 2>/dev/null || echo WRITE-$((1+1))-REFUSED\n");
    EXPECT_TRUE(vm.expect("RO=1=", 60s)) << vm.recent_output();
    EXPECT_TRUE(vm.expect("WRITE-2-REFUSED", 60s)) << vm.recent_output();
    vm.send("poweroff -f\n");
    EXPECT_EQ(vm.wait_exit(60s), 0) << vm.recent_output();
}

// virtio 1.2 §5.4: /dev/hwrng is backed by virtio-rng and yields bytes.
TEST(LinuxVirtio, HwrngGivesRandomBytes)
{
    REQUIRE_GUEST(guest);
    ConsoleSession vm(boot_args(*guest));
    ASSERT_TRUE(boot_to_shell(vm));
    vm.send("echo RNG=$(cat /sys/class/misc/hw_random/rng_current)=$(head -c 32 /dev/hwrng | od -An -tx1 | wc -w)=\n");
    EXPECT_TRUE(vm.expect("RNG=virtio_rng.0=32=", 60s)) << vm.recent_output();
    vm.send("poweroff -f\n");
    EXPECT_EQ(vm.wait_exit(60s), 0) << vm.recent_output();
}

// virtio 1.2 §5.3: with console=hvc1 the shell runs on the virtio console (hvc0 is the SBI
// console in this kernel), typed input included. With console=hvc0 it runs on OpenSBI's console.
TEST(LinuxVirtio, ShellOnTheVirtioConsoleAndTheSbiConsole)
{
    REQUIRE_GUEST(guest);
    for (const char* tty : {"hvc1", "hvc0"}) {
        ConsoleSession vm({vireo_binary(), "run", "--kernel", guest->kernel, "--initrd", guest->initrd, "--append",
                           std::string("console=") + tty, "--timeout", "600"});
        ASSERT_TRUE(boot_to_shell(vm)) << tty;
        vm.send("echo TTY=$(readlink /proc/self/fd/0)=\n");
        EXPECT_TRUE(vm.expect(std::string("TTY=/dev/") + tty + "=", 60s)) << vm.recent_output();
        vm.send("poweroff -f\n");
        EXPECT_EQ(vm.wait_exit(60s), 0) << vm.recent_output();
    }
}

// The kernel formats users have: the raw Image (above), a gzip-compressed Image.gz (as QEMU
// accepts), and the ELF vmlinux from the same build. Each boots to /init and powers off.
TEST(LinuxBoot, CompressedImageAndElfVmlinuxBootToo)
{
    REQUIRE_GUEST(guest);
    char gz[] = "/tmp/vireo-image-XXXXXX";
    int fd = ::mkstemp(gz);
    ASSERT_GE(fd, 0);
    ::close(fd);
    ASSERT_EQ(std::system(("gzip -c " + guest->kernel + " > " + gz).c_str()), 0);
    std::vector<std::string> kernels = {gz};
    const std::string vmlinux = guest->kernel.substr(0, guest->kernel.rfind('/') + 1) + "vmlinux";
    if (::access(vmlinux.c_str(), R_OK) == 0)
        kernels.push_back(vmlinux);
    else
        std::printf("note: no %s (rebuild the guest with 'make guest'); testing Image.gz only\n", vmlinux.c_str());
    for (const auto& kernel : kernels) {
        ConsoleSession vm({vireo_binary(), "run", "--kernel", kernel, "--initrd", guest->initrd, "--append",
                           "console=ttyS0 vireo.test=poweroff", "--timeout", "600"});
        EXPECT_TRUE(vm.expect("vireo-guest: init started", kBootTimeout)) << kernel << "\n" << vm.recent_output();
        EXPECT_EQ(vm.wait_exit(120s), 0) << kernel << "\n" << vm.recent_output();
    }
    ::unlink(gz);
}
