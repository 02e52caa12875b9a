// Real programs, built at test time from Debian's source packages (real/build.sh): the same
// input must give the same output under `vireo exec` (riscv64, static and dynamic) as natively.
// Skips when the programs could not be built (no deb-src entry, no network).
#include <gtest/gtest.h>

#include "harness.hpp"

namespace vireo::sandbox::test {
namespace {

namespace fs = std::filesystem;

const std::string kVireo = VIREO_BIN;
const fs::path kReal = REAL_DIR;
const fs::path kScripts = REAL_SOURCE_DIR;

class RealProgram : public ::testing::TestWithParam<const char*> {
protected:
    void SetUp() override
    {
        if (!fs::exists(kReal / "lua.native") || !fs::exists(kReal / "sqlite3.native"))
            GTEST_SKIP() << "real programs not built (see the sandbox.real.build test's output)";
    }
    // lua.riscv64 or lua.riscv64.dyn
    std::string riscv(const std::string& name) const { return (kReal / (name + GetParam())).string(); }
};

INSTANTIATE_TEST_SUITE_P(Linking, RealProgram, ::testing::Values(".riscv64", ".riscv64.dyn"),
                         [](const ::testing::TestParamInfo<const char*>& p) {
                             return std::string(p.param) == ".riscv64" ? "Static" : "Dynamic";
                         });

TEST_P(RealProgram, LuaGivesTheSameOutputAsNative)
{
    TempDir root;
    fs::copy_file(kScripts / "test.lua", root.path() / "test.lua");
    const std::string input = "first line\nsecond\n";
    Completed native = run({(kReal / "lua.native").string(), (kScripts / "test.lua").string()}, input);
    Completed ours = run({kVireo, "exec", "--root", root.str(), riscv("lua"), "/test.lua"}, input);
    ASSERT_EQ(native.status, 0) << native.err;
    EXPECT_EQ(ours.status, 0) << ours.err;
    EXPECT_EQ(ours.out, native.out);
    EXPECT_NE(ours.out.find("primes 9592"), std::string::npos);
}

TEST_P(RealProgram, SqliteInMemoryGivesTheSameOutputAsNative)
{
    const std::string sql = read_text(kScripts / "test.sql");
    Completed native = run({(kReal / "sqlite3.native").string()}, sql);
    Completed ours = run({kVireo, "exec", riscv("sqlite3")}, sql);
    ASSERT_EQ(native.status, 0) << native.err;
    EXPECT_EQ(ours.status, 0) << ours.err;
    EXPECT_EQ(ours.out, native.out);
    EXPECT_NE(ours.out.find("integrity_check\nok\n"), std::string::npos) << ours.out;
}

// A database file inside --root: pread/pwrite, fcntl locks, fsync, journals created and deleted.
// The host's own sqlite3 then finds it intact.
TEST_P(RealProgram, SqliteDatabaseFileInTheRootIsSound)
{
    TempDir root;
    const std::string sql = read_text(kScripts / "test.sql");
    Completed ours = run({kVireo, "exec", "--root", root.str(), riscv("sqlite3"), "/data.db"}, sql);
    EXPECT_EQ(ours.status, 0) << ours.err;
    Completed wal = run({kVireo, "exec", "--root", root.str(), riscv("sqlite3"), "/data.db"},
                        "PRAGMA journal_mode=WAL;\nINSERT INTO item(name, price, category) VALUES ('new', 1, 1);\n");
    EXPECT_EQ(wal.status, 0) << wal.err;
    Completed check = run({(kReal / "sqlite3.native").string(), (root.path() / "data.db").string()},
                          "SELECT count(*) FROM item; SELECT count(*) FROM audit; PRAGMA integrity_check;\n");
    EXPECT_EQ(check.status, 0) << check.err;
    EXPECT_EQ(check.out, "30001\n3\nok\n");
}

// BusyBox's shell running a script of pipelines, background jobs, archives and checksums: every
// command is a fork and an execve of /bin/busybox, inside a root that holds nothing else.
TEST(RealBusybox, ShellScriptGivesTheExpectedOutput)
{
    if (!fs::exists(kReal / "busybox.riscv64"))
        GTEST_SKIP() << "busybox not built (see the sandbox.real.build test's output)";
    TempDir top;
    const fs::path root = top.path() / "root";
    fs::create_directories(root / "bin");
    fs::copy_file(kReal / "busybox.riscv64", root / "bin" / "busybox");
    fs::copy_file(kScripts / "busybox-test.sh", root / "test.sh");
    Completed r = run({kVireo, "exec", "--root", root.string(), (root / "bin" / "busybox").string(), "sh", "/test.sh"});
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.out, read_text(kScripts / "busybox-test.expected"));
    std::vector<std::string> top_entries;
    for (const auto& e : fs::directory_iterator(top.path()))
        top_entries.push_back(e.path().filename().string());
    EXPECT_EQ(top_entries, std::vector<std::string>{"root"});
    EXPECT_TRUE(fs::is_symlink(root / "bin" / "ls"));   // installed by the guest, inside the root
}

// zstd, as the example of a real program: what it compresses under `vireo exec` must be the
// very bytes the native build makes at the same level (zstd's output is deterministic for given
// parameters, whatever the number of worker threads), and it must decompress back.
class RealZstd : public ::testing::Test {
protected:
    void SetUp() override
    {
        if (!fs::exists(kReal / "zstd.riscv64") || !fs::exists(kReal / "zstd.native"))
            GTEST_SKIP() << "zstd not built (see the sandbox.real.build test's output)";
    }
    // Text that compresses well and bytes that do not, from a fixed seed.
    static std::string sample(size_t size)
    {
        std::string out;
        uint64_t x = 0x9e3779b97f4a7c15ull;
        while (out.size() < size) {
            x = x * 6364136223846793005ull + 1442695040888963407ull;
            if ((x >> 60) < 10) {
                out += "line " + std::to_string(out.size()) + ": the quick brown fox jumps over the lazy dog\n";
            } else {
                for (int i = 0; i < 64; ++i) {
                    x = x * 6364136223846793005ull + 1442695040888963407ull;
                    out += static_cast<char>(x >> 56);
                }
            }
        }
        out.resize(size);
        return out;
    }
    Completed native(const std::vector<std::string>& args, const std::string& input = "")
    {
        std::vector<std::string> argv{(kReal / "zstd.native").string()};
        argv.insert(argv.end(), args.begin(), args.end());
        return run(argv, input);
    }
    Completed ours(const std::vector<std::string>& options, const std::vector<std::string>& args, const std::string& input = "")
    {
        std::vector<std::string> argv{kVireo, "exec"};
        argv.insert(argv.end(), options.begin(), options.end());
        argv.push_back((kReal / "zstd.riscv64").string());
        argv.insert(argv.end(), args.begin(), args.end());
        return run(argv, input, 240);
    }
};

TEST_F(RealZstd, CompressesToTheSameBytesAsNativeAndBack)
{
    TempDir root;
    const std::string input = sample(2 << 20);
    write_text(root.path() / "input", input);
    const Completed reference = native({"-q", "-3", "-T1", "-c", (root.path() / "input").string()});
    ASSERT_EQ(reference.status, 0) << reference.err;
    ASSERT_LT(reference.out.size(), input.size());

    // A file inside --root, one worker thread and then two (they must agree byte for byte).
    for (const char* threads : {"-T1", "-T2"}) {
        Completed r = ours({"--root", root.str()}, {"-q", "-3", threads, "-c", "/input"});
        EXPECT_EQ(r.status, 0) << threads << ": " << r.err;
        EXPECT_TRUE(r.out == reference.out) << threads << ": " << r.out.size() << " bytes, native " << reference.out.size();
    }
    // Streaming: stdin to stdout through pipes.
    Completed piped = ours({}, {"-q", "-3", "-T1", "-c"}, input);
    EXPECT_EQ(piped.status, 0) << piped.err;
    EXPECT_TRUE(piped.out == native({"-q", "-3", "-T1", "-c"}, input).out);

    // Decompression writes a file in the root; --test checks the frame's checksum.
    write_text(root.path() / "input.zst", reference.out);
    Completed check = ours({"--root", root.str()}, {"-q", "-t", "/input.zst"});
    EXPECT_EQ(check.status, 0) << check.err;
    Completed back = ours({"--root", root.str()}, {"-q", "-d", "/input.zst", "-o", "/output"});
    EXPECT_EQ(back.status, 0) << back.err;
    EXPECT_TRUE(read_text(root.path() / "output") == input);
}

TEST_F(RealZstd, HighLevelMatchesNative)
{
    // Level 19's tables want more than the default 256 MiB of mapped memory.
    const std::string input = sample(128 << 10);
    const Completed reference = native({"-q", "-19", "-T1", "-c"}, input);
    ASSERT_EQ(reference.status, 0) << reference.err;
    Completed r = ours({"--mem", "1G"}, {"-q", "-19", "-T1", "-c"}, input);
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_TRUE(r.out == reference.out) << r.out.size() << " bytes, native " << reference.out.size();
    Completed back = ours({}, {"-q", "-d", "-c"}, r.out);
    EXPECT_TRUE(back.out == input);
}

}  // namespace
}  // namespace vireo::sandbox::test
