// A guest that floods its consoles with its interrupts off (flood_payload.S) must not keep the host
// from reading console input or from obeying Ctrl-A X: not while the test reads the flood, and not
// while nobody does (a terminal that cannot keep up, a pipe whose reader went away: every write of
// the host would block).
#include <gtest/gtest.h>

#include "console_flood_checks.hpp"

using namespace vireo::test;

namespace {

std::vector<std::string> flood_command()
{
    return {vireo_binary(), "run", "--kernel", flood_payload(), "--timeout", "120"};
}

TEST(ConsoleFlood, TypedInputReachesTheGuestAndCtrlAXQuitsPromptly)
{
    REQUIRE_FLOOD_PAYLOAD();
    check_input_and_quit_under_flood(flood_command());
}

TEST(ConsoleFlood, CtrlAXQuitsEvenWhenNobodyReadsTheOutput)
{
    REQUIRE_FLOOD_PAYLOAD();
    check_quit_when_nobody_reads(flood_command());
}

}  // namespace
