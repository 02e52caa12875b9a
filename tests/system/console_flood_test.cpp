// A guest that floods its consoles with its interrupts off (flood_payload.S) must not keep the host
// from reading console input or from obeying Ctrl-A X: not while the test reads the flood, and not
// while nobody does (a terminal that cannot keep up, a pipe whose reader went away: every write of
// the host would block).
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "console_session.hpp"

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

#define REQUIRE_FLOOD_PAYLOAD()                                                                  \
    do {                                                                                         \
        if (flood_payload().empty())                                                             \
            GTEST_SKIP() << "riscv64-unknown-elf-gcc was not found at configure time: no payload"; \
    } while (0)

TEST(ConsoleFlood, TypedInputReachesTheGuestAndCtrlAXQuitsPromptly)
{
    REQUIRE_FLOOD_PAYLOAD();
    ConsoleSession vm({vireo_binary(), "run", "--kernel", flood_payload(), "--timeout", "120"});
    ASSERT_TRUE(vm.expect("xvxvxv", 60s)) << vm.recent_output();
    vm.send("k");
    EXPECT_TRUE(vm.expect("[k]", 30s)) << "typed input never reached the flooding guest";
    const auto start = std::chrono::steady_clock::now();
    vm.send("\x01x");
    EXPECT_EQ(vm.wait_exit(30s), 0);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST(ConsoleFlood, CtrlAXQuitsEvenWhenNobodyReadsTheOutput)
{
    REQUIRE_FLOOD_PAYLOAD();
    ConsoleSession vm({vireo_binary(), "run", "--kernel", flood_payload(), "--timeout", "120"});
    ASSERT_TRUE(vm.expect("xvxvxv", 60s)) << vm.recent_output();
    // From here on nobody reads: once the pipe is full, every write to stdout would block.
    ASSERT_TRUE(vm.let_output_back_up(60s));
    std::this_thread::sleep_for(200ms);
    const auto start = std::chrono::steady_clock::now();
    vm.send("\x01x");
    EXPECT_EQ(vm.wait_exit(30s, ConsoleSession::Output::LeaveUnread), 0);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

}  // namespace
