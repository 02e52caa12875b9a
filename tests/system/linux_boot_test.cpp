// Linux on the system machine: the default guest (guests/build.sh: Linux 6.1 + busybox initramfs)
// boots through OpenSBI to a shell on the serial console; the tests type commands and check what
// comes back, as a person would. Each command's output is matched on a computed value (e.g.
// $((6*7)) -> 42), so the terminal's echo of the typed line can never satisfy the check.
#include <gtest/gtest.h>

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
