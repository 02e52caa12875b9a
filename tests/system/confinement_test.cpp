// The emulated machine confines itself once it is set up (src/confine/confine.hpp): while a guest
// runs, the process is under a seccomp filter, unless --no-seccomp said otherwise.
#include <gtest/gtest.h>

#include <vector>

#include "console_flood_checks.hpp"

using namespace vireo::test;

namespace {

std::vector<int> modes_while_running(const std::vector<std::string>& extra)
{
    std::vector<std::string> argv{vireo_binary(), "run", "--kernel", flood_payload(), "--timeout", "60"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return seccomp_modes_under_flood(argv);
}

TEST(Confinement, TheEmulatorRunsItsGuestUnderASeccompFilter)
{
    REQUIRE_FLOOD_PAYLOAD();
    EXPECT_EQ(modes_while_running({}), std::vector<int>{2});
    EXPECT_EQ(modes_while_running({"--no-seccomp"}), std::vector<int>{0});
}

}  // namespace
