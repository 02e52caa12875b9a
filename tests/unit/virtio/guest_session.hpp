// Shared by the system tests of disk images, virtio-9p and virtio-net (label `system`): boot the
// default guest with extra options and get to its shell, as tests/system/linux_boot_test.cpp does.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

#include "console_session.hpp"

namespace vireo::test {

using namespace std::chrono_literals;

constexpr auto kBootTimeout = std::chrono::seconds(300);

#define REQUIRE_GUEST(guest)                                                                  \
    auto guest = ::vireo::test::default_guest();                                              \
    if (!guest)                                                                               \
        GTEST_SKIP() << "the default guest is not built (run 'make guest'); looked in "       \
                     << (std::getenv("VIREO_CACHE") ? std::getenv("VIREO_CACHE") : "~/.cache/vireo") << "/default"

inline std::vector<std::string> boot_args(const Guest& guest, const std::vector<std::string>& extra = {})
{
    std::vector<std::string> args = {vireo_binary(), "run", "--kernel", guest.kernel, "--initrd", guest.initrd,
                                     "--append", "console=ttyS0", "--timeout", "600"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
}

// Boots to the shell; fails with the console output if it does not get there. Commands' output is
// matched on computed values ($((6*7)) -> 42) so the echo of the typed line never matches.
inline ::testing::AssertionResult boot_to_shell(ConsoleSession& vm)
{
    if (!vm.expect("vireo-guest: init started", kBootTimeout))
        return ::testing::AssertionFailure() << "no init marker:\n" << vm.recent_output();
    vm.send("echo READY-$((40+2))\n");
    if (!vm.expect("READY-42", 60s))
        return ::testing::AssertionFailure() << "no shell:\n" << vm.recent_output();
    return ::testing::AssertionSuccess();
}

// Runs `command` in the guest and waits for it to finish: true when it exited 0.
inline ::testing::AssertionResult guest_ok(ConsoleSession& vm, const std::string& command,
                                           std::chrono::seconds timeout = 120s)
{
    static int counter = 0;
    const int id = ++counter;
    // "OK-<id+1000>" is computed by the guest's shell, so the typed line never contains it.
    vm.send("( " + command + " ) && echo CMD-OK-$((" + std::to_string(id) + "+1000)) || echo CMD-FAILED-$((" +
            std::to_string(id) + "+1000))\n");
    const std::string ok = "CMD-OK-" + std::to_string(id + 1000);
    const std::string failed = "CMD-FAILED-" + std::to_string(id + 1000);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (vm.expect(ok, 1s))
            return ::testing::AssertionSuccess();
        if (vm.output().find(failed) != std::string::npos)
            return ::testing::AssertionFailure() << "'" << command << "' failed:\n" << vm.recent_output();
        if (vm.wait_exit(0s))
            return ::testing::AssertionFailure() << "the VM exited during '" << command << "':\n" << vm.recent_output();
    }
    return ::testing::AssertionFailure() << "'" << command << "' did not finish:\n" << vm.recent_output();
}

inline ::testing::AssertionResult power_off(ConsoleSession& vm)
{
    vm.send("poweroff -f\n");
    auto status = vm.wait_exit(60s);
    if (status != 0)
        return ::testing::AssertionFailure() << "poweroff gave " << (status ? std::to_string(*status) : "no exit")
                                             << ":\n" << vm.recent_output();
    return ::testing::AssertionSuccess();
}

}  // namespace vireo::test
