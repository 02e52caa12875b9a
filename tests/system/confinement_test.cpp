// The emulated machine confines itself once it is set up (src/confine/confine.hpp): while a guest
// runs, the process is under a seccomp filter, unless --no-seccomp said otherwise.
#include <gtest/gtest.h>

#include <vector>

#include "console_session.hpp"
#include "seccomp_status.hpp"

using namespace vireo::test;
using namespace std::chrono_literals;

namespace {

std::string flood_payload()
{
#ifdef VIREO_FLOOD_PAYLOAD_PATH
    return VIREO_FLOOD_PAYLOAD_PATH;
#else
    return "";
#endif
}

// Runs the (never-ending) flood payload and returns the seccomp mode of each thread of the vireo
// process once the guest is running.
std::vector<int> modes_while_running(const std::vector<std::string>& extra)
{
    std::vector<std::string> argv{vireo_binary(), "run", "--kernel", flood_payload(), "--timeout", "60"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    ConsoleSession vm(argv);
    EXPECT_TRUE(vm.expect("xvxv", 60s)) << vm.recent_output();
    auto modes = seccomp_modes(vm.pid());
    vm.send("\x01x");
    EXPECT_EQ(vm.wait_exit(30s), 0);
    return modes;
}

TEST(Confinement, TheEmulatorRunsItsGuestUnderASeccompFilter)
{
    if (flood_payload().empty())
        GTEST_SKIP() << "riscv64-unknown-elf-gcc was not found at configure time: no payload";
    EXPECT_EQ(modes_while_running({}), std::vector<int>{2});
    EXPECT_EQ(modes_while_running({"--no-seccomp"}), std::vector<int>{0});
}

}  // namespace
