// Embedding Vireo's sandbox: load a riscv64 program, let it initialise until it pauses, then call
// its functions with integer and buffer arguments, give it a host function, and go back to a
// snapshot between calls. Prints what happens and how long a call takes.
//
//   sandbox_embed_example [PLUGIN]      (PLUGIN: the riscv64 build of plugin.c)
#include <chrono>
#include <cstdio>
#include <string>

#include "sandbox/sandbox.hpp"

using namespace vireo;
using namespace vireo::sandbox;

namespace {

Result<void> demo(const std::string& plugin)
{
    Config config;                        // no root: the guest sees only a read-only sysroot
    config.limits.memory = 64ull << 20;   // its mallocs fail beyond 64 MiB
    config.limits.max_instructions = 10'000'000;   // per run() or call()
    auto box = TRY(Sandbox::create(config));
    TRY(box->load(plugin, {"plugin"}));

    // Host function 1: the guest reports each call. It may read guest memory through hc.sandbox.
    long logged = 0;
    box->register_host_function(1, [&](HostCall& hc) -> uint64_t {
        if (++logged <= 3)
            std::printf("host: call #%lu scored %lu\n", static_cast<unsigned long>(hc.args[0]),
                        static_cast<unsigned long>(hc.args[1]));
        return 0;
    });

    std::fflush(stdout);
    Outcome start = TRY(box->run());
    if (start.kind != Outcome::Kind::Paused)
        return Error::message("the plugin did not pause: " + start.describe());
    TRY(box->snapshot());   // everything after this can be undone by reset()

    for (const std::string text : {"hello", "sandboxed world", "Vireo"}) {
        const uint64_t s = TRY(box->call("score", {CallArg::string(text), CallArg::integer(text.size())}));
        std::printf("score(\"%s\") = %lu\n", text.c_str(), static_cast<unsigned long>(s));
    }
    std::string text = "make some noise";
    TRY(box->call("shout", {CallArg::writeback({reinterpret_cast<uint8_t*>(text.data()), text.size()}),
                            CallArg::integer(text.size())}));
    std::printf("shout -> \"%s\"\n", text.c_str());

    // Many short calls: a warm call, and a call followed by a reset to the snapshot.
    constexpr int kCalls = 20000;
    const uint64_t score_address = *box->symbol("score");
    const std::string word = "latency";
    const CallArg args[] = {CallArg::string(word), CallArg::integer(word.size())};
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < kCalls; ++i)
        TRY(box->call(score_address, args));
    auto t1 = std::chrono::steady_clock::now();
    for (int i = 0; i < kCalls; ++i) {
        TRY(box->call(score_address, args));
        box->reset();
    }
    auto t2 = std::chrono::steady_clock::now();
    const auto us = [](auto d) { return std::chrono::duration<double, std::micro>(d).count() / kCalls; };
    std::printf("%d calls: %.2f us per call, %.2f us per call + reset (%ld host calls logged)\n", kCalls,
                us(t1 - t0), us(t2 - t1), logged);

    // A fork starts from the snapshot and shares nothing with its parent.
    auto copy = TRY(box->fork());
    const uint64_t forked = TRY(copy->call("score", {CallArg::string("fork"), CallArg::integer(4)}));
    std::printf("score(\"fork\") in a fork = %lu\n", static_cast<unsigned long>(forked));

    box->reset();
    std::fflush(stdout);             // our lines first: the guest writes to the same stdout
    Outcome end = TRY(box->run());   // the plugin resumes after vireo_pause() and exits
    std::printf("plugin exited with status %d\n", end.exit_status());
    return {};
}

}  // namespace

int main(int argc, char** argv)
{
    const std::string plugin = argc > 1 ? argv[1] : VIREO_EXAMPLE_PLUGIN;
    if (auto r = demo(plugin); !r.ok()) {
        std::fprintf(stderr, "sandbox_embed_example: %s\n", r.error().text().c_str());
        return 1;
    }
    return 0;
}
