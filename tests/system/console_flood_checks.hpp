// Checks of a machine whose guest floods its consoles with its interrupts off, the same on every
// machine (the emulator's flood_payload.S, the KVM machine's payloads/flood32.s): each takes the
// vireo command line that starts the flood, and its guest prints "xv" forever and echoes a typed
// character c as "[c]".
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "console_session.hpp"
#include "seccomp_status.hpp"

namespace vireo::test {

// Typed input still reaches the guest, and Ctrl-A X then ends the run with status 0 within 5 s.
inline void check_input_and_quit_under_flood(const std::vector<std::string>& command)
{
    using namespace std::chrono_literals;
    ConsoleSession vm(command);
    ASSERT_TRUE(vm.expect("xvxvxv", 60s)) << vm.recent_output();
    vm.send("k");
    EXPECT_TRUE(vm.expect("[k]", 30s)) << "typed input never reached the flooding guest";
    const auto start = std::chrono::steady_clock::now();
    vm.send("\x01x");
    EXPECT_EQ(vm.wait_exit(30s), 0);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

// Ctrl-A X ends the run with status 0 within 5 s also when nobody reads the flood: once the pipe
// is full, every write to stdout would block.
inline void check_quit_when_nobody_reads(const std::vector<std::string>& command)
{
    using namespace std::chrono_literals;
    ConsoleSession vm(command);
    ASSERT_TRUE(vm.expect("xvxvxv", 60s)) << vm.recent_output();
    ASSERT_TRUE(vm.let_output_back_up(60s));
    std::this_thread::sleep_for(200ms);
    const auto start = std::chrono::steady_clock::now();
    vm.send("\x01x");
    EXPECT_EQ(vm.wait_exit(30s, ConsoleSession::Output::LeaveUnread), 0);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

// The seccomp mode of every thread of the vireo process once the flooding guest runs.
inline std::vector<int> seccomp_modes_under_flood(const std::vector<std::string>& command)
{
    using namespace std::chrono_literals;
    ConsoleSession vm(command);
    EXPECT_TRUE(vm.expect("xvxv", 60s)) << vm.recent_output();
    auto modes = seccomp_modes(vm.pid());
    vm.send("\x01x");
    EXPECT_EQ(vm.wait_exit(30s), 0);
    return modes;
}

// The emulator's flood payload (built at configure time when riscv64-unknown-elf-gcc exists).
inline std::string flood_payload()
{
#ifdef VIREO_FLOOD_PAYLOAD_PATH
    return VIREO_FLOOD_PAYLOAD_PATH;
#else
    return "";
#endif
}

}  // namespace vireo::test

#define REQUIRE_FLOOD_PAYLOAD()                                                                    \
    do {                                                                                           \
        if (vireo::test::flood_payload().empty())                                                  \
            GTEST_SKIP() << "riscv64-unknown-elf-gcc was not found at configure time: no payload"; \
    } while (0)
