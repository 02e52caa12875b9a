// The embedding API (sandbox.hpp): load, run to a pause, call guest functions with integer and
// buffer arguments, host functions, limits, snapshot/reset/fork, and the latency of a warm call.
#include "sandbox/sandbox.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

namespace vireo::sandbox {
namespace {

const std::string kGuests = GUEST_DIR;

std::unique_ptr<Sandbox> paused_embed(const std::string& name = "embed", Limits limits = {})
{
    Config config;
    config.limits = limits;
    auto box = Sandbox::create(config);
    EXPECT_TRUE(box.ok()) << box.error().text();
    auto loaded = box.value()->load(kGuests + "/" + name, {name});
    EXPECT_TRUE(loaded.ok()) << loaded.error().text();
    auto outcome = box.value()->run();
    EXPECT_TRUE(outcome.ok());
    EXPECT_EQ(outcome.value().kind, Outcome::Kind::Paused);
    return box.release_value();
}

uint64_t call(Sandbox& box, const std::string& name, std::initializer_list<CallArg> args = {})
{
    auto r = box.call(name, args);
    EXPECT_TRUE(r.ok()) << name << ": " << (r.ok() ? "" : r.error().text());
    return r.ok() ? r.value() : ~0ull;
}

TEST(Embed, CallsWithIntegersAndBuffers)
{
    for (const char* name : {"embed", "embed.dyn"}) {
        SCOPED_TRACE(name);
        auto box = paused_embed(name);
        EXPECT_EQ(call(*box, "add", {CallArg::integer(2), CallArg::integer(40)}), 42u);
        EXPECT_EQ(call(*box, "add", {CallArg::integer(static_cast<uint64_t>(-5)), CallArg::integer(3)}), static_cast<uint64_t>(-2));
        std::vector<CallArg> eight;
        for (uint64_t i = 1; i <= 8; ++i)
            eight.push_back(CallArg::integer(i));
        EXPECT_EQ(box->call("sum8", eight).value(), 204u);   // 1 + 4 + 9 + ... + 64
        const std::vector<uint8_t> bytes{1, 2, 3, 250};
        EXPECT_EQ(call(*box, "sum_bytes", {CallArg::bytes(bytes), CallArg::integer(bytes.size())}), 256u);
        EXPECT_EQ(call(*box, "count_char", {CallArg::string("a banana"), CallArg::integer('a')}), 4u);
        std::string text = "make me loud";
        std::span<uint8_t> out(reinterpret_cast<uint8_t*>(text.data()), text.size());
        call(*box, "upcase", {CallArg::writeback(out), CallArg::integer(text.size())});
        EXPECT_EQ(text, "MAKE ME LOUD");
        EXPECT_EQ(call(*box, "table_sum"), 499500u);
        EXPECT_TRUE(box->symbol("add"));
        EXPECT_FALSE(box->call("no_such_function", {}).ok());
    }
}

TEST(Embed, HostFunctionsSeeArgumentsAndGuestMemory)
{
    auto box = paused_embed();
    std::vector<uint64_t> seen;
    box->register_host_function(1, [&](HostCall& hc) -> uint64_t {
        seen.assign(hc.args, hc.args + 2);
        return hc.args[0] * 2 + hc.args[1];
    });
    EXPECT_EQ(call(*box, "call_host", {CallArg::integer(21)}), 142u);
    EXPECT_EQ(seen, (std::vector<uint64_t>{21, 100}));
    // Guest memory from the host: the string argument is readable while the call runs.
    std::string read_back;
    box->register_host_function(1, [&](HostCall& hc) -> uint64_t {
        auto s = hc.sandbox.read_string(hc.args[0]);
        read_back = s.ok() ? s.value() : "?";
        return 0;
    });
    auto addr = box->symbol("count_char");
    ASSERT_TRUE(addr);
    // Empty ranges are vacuously accessible, wherever they are (and copy nothing: make test-asan's
    // UBSan once caught memcpy being handed an empty span's null pointer here).
    EXPECT_TRUE(box->read_memory(0x10, std::span<uint8_t>()).ok());
    EXPECT_TRUE(box->write_memory(0x10, std::span<const uint8_t>()).ok());
    uint8_t byte = 0;
    EXPECT_FALSE(box->read_memory(0x10, {&byte, 1}).ok()) << "the first pages are never mapped";
    uint8_t code[4] = {};
    EXPECT_TRUE(box->read_memory(*addr, code).ok());
    EXPECT_FALSE(box->write_memory(*addr, code).ok()) << "code is not writable";
}

TEST(Embed, FaultsAndLimitsEndACallNotTheSandbox)
{
    Limits limits;
    limits.max_instructions = 1000000;
    auto box = paused_embed("embed", limits);
    auto crashed = box->call("crash", {});
    ASSERT_FALSE(crashed.ok());
    EXPECT_NE(crashed.error().text().find("signal 11"), std::string::npos) << crashed.error().text();
    auto spun = box->call("spin", {});
    ASSERT_FALSE(spun.ok());
    EXPECT_NE(spun.error().text().find("instruction limit"), std::string::npos);
    limits.max_instructions = 0;
    limits.timeout_seconds = 0.05;
    box->set_limits(limits);
    auto timed = box->call("spin", {});
    ASSERT_FALSE(timed.ok());
    EXPECT_NE(timed.error().text().find("timeout"), std::string::npos);
    EXPECT_EQ(call(*box, "add", {CallArg::integer(1), CallArg::integer(1)}), 2u);
}

TEST(Embed, ResetReturnsToTheSnapshot)
{
    auto box = paused_embed();
    EXPECT_EQ(call(*box, "counter_next"), 1u);
    ASSERT_TRUE(box->snapshot().ok());
    const uint64_t in_use = box->memory_in_use();
    EXPECT_EQ(call(*box, "counter_next"), 2u);
    EXPECT_EQ(call(*box, "counter_next"), 3u);
    box->reset();
    EXPECT_EQ(call(*box, "counter_next"), 2u);
    // Bigger changes: the table, a 1 MiB malloc (a new mapping), the heap's bookkeeping.
    EXPECT_EQ(call(*box, "scribble", {CallArg::integer(5)}), 5u);
    EXPECT_EQ(call(*box, "table_sum"), 5000u);
    EXPECT_GT(box->memory_in_use(), in_use);
    box->reset();
    EXPECT_EQ(box->memory_in_use(), in_use);
    EXPECT_EQ(call(*box, "table_sum"), 499500u);
    for (int i = 0; i < 50; ++i) {
        EXPECT_EQ(call(*box, "scribble", {CallArg::integer(static_cast<uint64_t>(i))}), static_cast<uint64_t>(i));
        box->reset();
    }
    EXPECT_EQ(call(*box, "counter_next"), 2u);
    EXPECT_EQ(call(*box, "table_sum"), 499500u);
}

TEST(Embed, ForkGivesAnIndependentCopy)
{
    auto box = paused_embed();
    EXPECT_EQ(call(*box, "counter_next"), 1u);
    ASSERT_TRUE(box->snapshot().ok());
    EXPECT_EQ(call(*box, "counter_next"), 2u);
    auto child = box->fork();
    ASSERT_TRUE(child.ok()) << child.error().text();
    EXPECT_EQ(call(*child.value(), "counter_next"), 2u);   // the snapshot's state, not the parent's
    EXPECT_EQ(call(*child.value(), "counter_next"), 3u);
    EXPECT_EQ(call(*box, "counter_next"), 3u);
    EXPECT_EQ(call(*child.value(), "scribble", {CallArg::integer(1)}), 1u);
    EXPECT_EQ(call(*box, "table_sum"), 499500u);
}

TEST(Embed, RunResumesAfterThePause)
{
    auto box = paused_embed();
    call(*box, "counter_next");
    testing::internal::CaptureStdout();
    auto outcome = box->run();
    const std::string out = testing::internal::GetCapturedStdout();
    ASSERT_TRUE(outcome.ok());
    EXPECT_EQ(outcome.value().kind, Outcome::Kind::Exited);
    EXPECT_EQ(outcome.value().status, 7);
    EXPECT_EQ(outcome.value().exit_status(), 7);
}

// The figure the issue asks for: a call on a warm sandbox, and a call followed by a reset.
TEST(Embed, WarmCallLatency)
{
    auto box = paused_embed();
    ASSERT_TRUE(box->snapshot().ok());
    const CallArg args[2] = {CallArg::integer(1), CallArg::integer(2)};
    const auto address = box->symbol("add").value();
    for (int i = 0; i < 1000; ++i)
        (void)box->call(address, args);
    constexpr int kCalls = 100000;
    auto start = std::chrono::steady_clock::now();
    uint64_t sum = 0;
    for (int i = 0; i < kCalls; ++i)
        sum += box->call(address, args).value();
    const double call_us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count() / kCalls;
    EXPECT_EQ(sum, 3u * kCalls);
    start = std::chrono::steady_clock::now();
    for (int i = 0; i < kCalls / 10; ++i) {
        (void)box->call("counter_next", {});
        box->reset();
    }
    const double reset_us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count() / (kCalls / 10);
    std::printf("warm call: %.2f us; call by name + reset: %.2f us\n", call_us, reset_us);
    RecordProperty("warm_call_us", std::to_string(call_us));
    // The goal is 10 us; the bound leaves room for slow, shared or instrumented machines.
    EXPECT_LT(call_us, 50.0);
}

}  // namespace
}  // namespace vireo::sandbox
