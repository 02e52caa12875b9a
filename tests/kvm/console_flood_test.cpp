// The KVM machine under a guest that floods COM1 and the virtio console with its interrupts off
// (payloads/flood32.s), driven interactively through the vireo binary: typed input still reaches
// the guest, Ctrl-A X still quits promptly, also when nobody reads the flood; and every thread of
// the process (the main one and each vCPU's) runs under the seccomp filter (confine.hpp) unless
// --no-seccomp.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "console_session.hpp"
#include "kvm/kvm.hpp"
#include "seccomp_status.hpp"

using namespace vireo;
using namespace vireo::test;
using namespace std::chrono_literals;

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
    ConsoleSession vm(flood_command({"--cpus", "2"}));
    ASSERT_TRUE(vm.expect("xvxvxv", 60s)) << vm.recent_output();
    vm.send("k");
    EXPECT_TRUE(vm.expect("[k]", 30s)) << "typed input never reached the flooding guest";
    const auto start = std::chrono::steady_clock::now();
    vm.send("\x01x");
    EXPECT_EQ(vm.wait_exit(30s), 0);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST(KvmConsoleFlood, CtrlAXQuitsEvenWhenNobodyReadsTheOutput)
{
    REQUIRE_KVM();
    ConsoleSession vm(flood_command());
    ASSERT_TRUE(vm.expect("xvxvxv", 60s)) << vm.recent_output();
    // From here on nobody reads: once the pipe is full, every write to stdout would block.
    ASSERT_TRUE(vm.let_output_back_up(60s));
    std::this_thread::sleep_for(200ms);
    const auto start = std::chrono::steady_clock::now();
    vm.send("\x01x");
    EXPECT_EQ(vm.wait_exit(30s, ConsoleSession::Output::LeaveUnread), 0);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

// The seccomp mode of every thread once the guest runs: the main thread and one per vCPU.
std::vector<int> modes_while_running(std::vector<std::string> extra)
{
    ConsoleSession vm(flood_command(std::move(extra)));
    EXPECT_TRUE(vm.expect("xvxv", 60s)) << vm.recent_output();
    auto modes = seccomp_modes(vm.pid());
    vm.send("\x01x");
    EXPECT_EQ(vm.wait_exit(30s), 0);
    return modes;
}

// At least the main thread and the two vCPU threads; the kernel may add a worker of its own to the
// thread group (kvm-nx-lpage-recovery), which inherits the filter like any thread.
TEST(KvmConfinement, EveryThreadRunsUnderTheSeccompFilter)
{
    REQUIRE_KVM();
    auto confined = modes_while_running({"--cpus", "2"});
    EXPECT_GE(confined.size(), 3u);
    EXPECT_EQ(std::count(confined.begin(), confined.end(), 2), static_cast<ptrdiff_t>(confined.size()));
    auto open = modes_while_running({"--cpus", "2", "--no-seccomp"});
    EXPECT_GE(open.size(), 3u);
    EXPECT_EQ(std::count(open.begin(), open.end(), 0), static_cast<ptrdiff_t>(open.size()));
}

}  // namespace
