// The KVM machine under a guest that floods COM1 and the virtio console with its interrupts off
// (payloads/flood32.s), driven interactively through the vireo binary: typed input still reaches
// the guest, Ctrl-A X still quits promptly, also when nobody reads the flood; and every thread of
// the process (the main one and each vCPU's) runs under the seccomp filter (confine.hpp) unless
// --no-seccomp.
#include <gtest/gtest.h>

#include <algorithm>

#include "console_flood_checks.hpp"
#include "kvm/kvm.hpp"

using namespace vireo;
using namespace vireo::test;

namespace {

#define REQUIRE_KVM()                                                                              \
    do {                                                                                           \
        if (auto available = kvm::check_available(); !available.ok())                              \
            GTEST_SKIP() << "no usable KVM on this host: " << available.error().text();            \
    } while (0)

std::vector<std::string> flood_command(std::vector<std::string> extra = {})
{
    std::vector<std::string> argv{vireo_binary(), "run", "--accel", "kvm", "--arch", "x86_64", "--kernel",
                                  VIREO_KVM_FLOOD32, "--timeout", "120"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return argv;
}

TEST(KvmConsoleFlood, TypedInputReachesTheGuestAndCtrlAXQuitsPromptly)
{
    REQUIRE_KVM();
    check_input_and_quit_under_flood(flood_command({"--cpus", "2"}));
}

TEST(KvmConsoleFlood, CtrlAXQuitsEvenWhenNobodyReadsTheOutput)
{
    REQUIRE_KVM();
    check_quit_when_nobody_reads(flood_command());
}

// At least the main thread and the two vCPU threads; the kernel may add a worker of its own to the
// thread group (kvm-nx-lpage-recovery), which inherits the filter like any thread.
TEST(KvmConfinement, EveryThreadRunsUnderTheSeccompFilter)
{
    REQUIRE_KVM();
    auto confined = seccomp_modes_under_flood(flood_command({"--cpus", "2"}));
    EXPECT_GE(confined.size(), 3u);
    EXPECT_EQ(std::count(confined.begin(), confined.end(), 2), static_cast<ptrdiff_t>(confined.size()));
    auto open = seccomp_modes_under_flood(flood_command({"--cpus", "2", "--no-seccomp"}));
    EXPECT_GE(open.size(), 3u);
    EXPECT_EQ(std::count(open.begin(), open.end(), 0), static_cast<ptrdiff_t>(open.size()));
}

}  // namespace
