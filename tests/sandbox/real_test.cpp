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

}  // namespace
}  // namespace vireo::sandbox::test
