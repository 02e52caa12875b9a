// The sandbox benchmark (issue 4): in one run, the wall time of the same programs natively, under
// qemu-riscv64 and under `vireo exec`, then the latency of the embedding API (creating a sandbox,
// a call on a warm sandbox, a call with a reset, a fork). Prints Markdown for docs/benchmarks.md.
//
//   vireo_sandbox_bench [REPEAT]     (each figure is the best of REPEAT runs, default 5; the
//                                      native, qemu-riscv64 and translated runs take turns, so
//                                      that a slow spell of the machine weighs on all three)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <functional>

#include "harness.hpp"
#include "sandbox/sandbox.hpp"

namespace {

namespace fs = std::filesystem;
using namespace vireo::sandbox;
using namespace vireo::sandbox::test;

const std::string kVireo = VIREO_BIN;
const fs::path kGuests = GUEST_DIR;
const std::string kQemu = QEMU_RISCV64;
const fs::path kReal = REAL_DIR;
const fs::path kScripts = REAL_SOURCE_DIR;

int g_repeat = 5;

// Best wall time of each command over `repeat` rounds, each round running every command once, in
// turn; a negative number for a command that failed (or is empty: not run). `outputs[i]`, if
// given, receives command i's output.
std::vector<double> best_in_turn(const std::vector<std::vector<std::string>>& commands, const std::string& input,
                                 int repeat, const std::vector<std::string*>& outputs = {})
{
    std::vector<double> best;
    for (const auto& argv : commands)
        best.push_back(argv.empty() ? -1 : 1e30);
    for (int round = 0; round < repeat; ++round)
        for (size_t i = 0; i < commands.size(); ++i) {
            const auto& argv = commands[i];
            if (best[i] < 0)
                continue;
            Completed r = run(argv, input, 600);
            if (r.status != 0) {
                std::fprintf(stderr, "bench: %s failed (%d): %s\n", argv[0].c_str(), r.status, r.err.c_str());
                best[i] = -1;
                continue;
            }
            if (i < outputs.size() && outputs[i])
                *outputs[i] = r.out;
            best[i] = std::min(best[i], r.seconds);
        }
    return best;
}

struct Program {
    std::string name;
    std::vector<std::string> native, qemu, vireo;   // vireo: the jit; the same with --engine interp too
    std::string input;
};

// `vireo exec ARGS` with --engine interp inserted after "exec".
std::vector<std::string> interpreted(std::vector<std::string> argv)
{
    argv.insert(argv.begin() + 2, {"--engine", "interp"});
    return argv;
}

std::string ratio(double a, double b)
{
    if (a <= 0 || b <= 0)
        return "n/a";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2fx", b / a);
    return buf;
}

std::string cell(double seconds, double native)
{
    if (seconds < 0)
        return "n/a";
    char buf[64];
    if (native > 0)
        std::snprintf(buf, sizeof buf, "%.3f s (%.1fx)", seconds, seconds / native);
    else
        std::snprintf(buf, sizeof buf, "%.3f s", seconds);
    return buf;
}

template <typename F>
double microseconds_per(int count, F&& f)
{
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < count; ++i)
        f();
    return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count() / count;
}

}  // namespace

int main(int argc, char** argv)
{
    if (argc > 1)
        g_repeat = std::max(1, std::atoi(argv[1]));

    TempDir root;
    std::vector<Program> programs;
    programs.push_back({"corelike (guests/corelike.c, 3000 iterations; CoreMark-style, not CoreMark)",
                        {(kGuests / "corelike.native").string(), "3000"},
                        {kQemu, (kGuests / "corelike").string(), "3000"},
                        {kVireo, "exec", (kGuests / "corelike").string(), "3000"},
                        ""});
    programs.push_back({"compute (guests/compute.c, scale 4)",
                        {(kGuests / "compute.native").string(), "4"},
                        {kQemu, (kGuests / "compute").string(), "4"},
                        {kVireo, "exec", (kGuests / "compute").string(), "4"},
                        ""});
    if (fs::exists(kReal / "lua.native")) {
        fs::copy_file(kScripts / "bench.lua", root.path() / "bench.lua");
        programs.push_back({"lua 5.4 (real/bench.lua)",
                            {(kReal / "lua.native").string(), (kScripts / "bench.lua").string()},
                            {kQemu, (kReal / "lua.riscv64").string(), (kScripts / "bench.lua").string()},
                            {kVireo, "exec", "--root", root.str(), (kReal / "lua.riscv64").string(), "/bench.lua"},
                            ""});
    }
    if (fs::exists(kReal / "sqlite3.native")) {
        const std::string sql = read_text(kScripts / "test.sql");
        programs.push_back({"sqlite3 3.40 (real/test.sql, in memory)",
                            {(kReal / "sqlite3.native").string()},
                            {kQemu, (kReal / "sqlite3.riscv64").string()},
                            {kVireo, "exec", (kReal / "sqlite3.riscv64").string()},
                            sql});
    }

    std::printf("## vireo exec vs qemu-riscv64 vs native (wall time: best of %d rounds taking turns; the interpreter best of %d)\n\n",
                g_repeat, std::min(g_repeat, 3));
    std::printf("| program | native | qemu-riscv64 | vireo exec (interp) | vireo exec (jit) | jit speed vs qemu | jit speed vs native |\n"
                "|---|---|---|---|---|---|---|\n");
    for (const Program& p : programs) {
        std::string native_out, vireo_out;
        const std::vector<double> times = best_in_turn({p.native, kQemu.empty() ? std::vector<std::string>{} : p.qemu, p.vireo},
                                                       p.input, g_repeat, {&native_out, nullptr, &vireo_out});
        const double native = times[0], qemu = times[1], vireo = times[2];
        // (the interpreter, slow, at most three times: only its order of magnitude matters)
        const double interp = best_in_turn({interpreted(p.vireo)}, p.input, std::min(g_repeat, 3))[0];
        std::printf("| %s | %s | %s | %s | %s | %s | %s |\n", p.name.c_str(), cell(native, 0).c_str(),
                    cell(qemu, native).c_str(), cell(interp, native).c_str(), cell(vireo, native).c_str(),
                    ratio(vireo, qemu).c_str(), ratio(vireo, native).c_str());
        if (native_out != vireo_out)
            std::printf("\n**output differs from native for %s**\n\n", p.name.c_str());
        std::fflush(stdout);
    }

    // The embedding API, in this process.
    const std::string embed = (kGuests / "embed").string();
    Config config;
    auto make_paused = [&] {
        auto box = Sandbox::create(config).release_value();
        if (!box->load(embed, {"embed"}).ok())
            std::abort();
        std::fflush(stdout);
        const int saved = ::dup(1);   // the guest's "ready" line would land in the table
        const int null = ::open("/dev/null", O_WRONLY);
        ::dup2(null, 1);
        auto outcome = box->run();
        ::dup2(saved, 1);
        ::close(null);
        ::close(saved);
        if (!outcome.ok() || outcome.value().kind != Outcome::Kind::Paused)
            std::abort();
        return box;
    };
    const double create_us = microseconds_per(20, [&] { (void)make_paused(); });
    auto box = make_paused();
    if (!box->snapshot().ok())
        return 1;
    const uint64_t add = *box->symbol("add");
    const uint64_t counter = *box->symbol("counter_next");
    const uint64_t scribble = *box->symbol("scribble");
    const CallArg two[2] = {CallArg::integer(1), CallArg::integer(2)};
    const std::string text(1000, 'a');
    const CallArg bytes[2] = {CallArg::string(text), CallArg::integer('a')};
    for (int i = 0; i < 10000; ++i)
        (void)box->call(add, two);
    const double call_us = microseconds_per(200000, [&] { (void)box->call(add, two); });
    const double bytes_us = microseconds_per(20000, [&] { (void)box->call("count_char", bytes); });
    const double reset_us = microseconds_per(50000, [&] {
        (void)box->call(counter, {});
        box->reset();
    });
    const CallArg one[1] = {CallArg::integer(3)};
    const double big_reset_us = microseconds_per(2000, [&] {
        (void)box->call(scribble, one);
        box->reset();
    });
    const double fork_us = microseconds_per(200, [&] { (void)box->fork(); });

    std::printf("\n## Embedding API latency (sandbox.hpp)\n\n| operation | time |\n|---|---|\n");
    std::printf("| create + load + run to vireo_pause() (static glibc program) | %.1f us |\n", create_us);
    std::printf("| call `add(1, 2)` on a warm sandbox | %.3f us |\n", call_us);
    std::printf("| call `count_char` by name with a 1000-byte string argument | %.3f us |\n", bytes_us);
    std::printf("| call `counter_next()` + reset() to the snapshot | %.3f us |\n", reset_us);
    std::printf("| call `scribble()` (1 MiB malloc, 2 MiB dirtied) + reset() | %.1f us |\n", big_reset_us);
    std::printf("| fork() of the snapshot | %.1f us |\n", fork_us);
    return 0;
}
