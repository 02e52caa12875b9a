// FileSystem::walk, the path walls, on a scratch folder with hostile symlinks.
#include "sandbox/vfs.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "harness.hpp"

namespace vireo::sandbox {
namespace {

namespace fs = std::filesystem;
using test::TempDir;
using Follow = FileSystem::Follow;
using Walk = FileSystem::Walk;

class Vfs : public ::testing::Test {
protected:
    void SetUp() override
    {
        root = top.path() / "root";
        fs::create_directories(root / "a" / "b");
        fs::create_directories(top.path() / "outside");
        test::write_text(root / "a" / "b" / "file", "x");
        test::write_text(top.path() / "outside" / "secret", "s");
        fs::create_symlink("/a/b", root / "abs");                               // absolute, inside
        fs::create_symlink("../../..", root / "a" / "up");                      // climbs past the root
        fs::create_symlink(top.path() / "outside" / "secret", root / "host");   // a host path
        fs::create_symlink("loop2", root / "loop1");
        fs::create_symlink("loop1", root / "loop2");
        fs::create_symlink("b/file", root / "a" / "rel");
        auto created = FileSystem::create(root.string(), FileSystem::Access::ReadWrite);
        ASSERT_TRUE(created.ok());
        vfs = created.release_value();
    }

    int walk(const std::string& path, Walk& w, Follow follow = Follow::Yes, const std::string& base = "/")
    {
        w = Walk();
        return vfs->walk(base, path, follow, w);
    }

    TempDir top;
    fs::path root;
    std::unique_ptr<FileSystem> vfs;
};

TEST_F(Vfs, WalksToCanonicalPaths)
{
    Walk w;
    ASSERT_EQ(walk("/a/./b//file", w), 0);
    EXPECT_TRUE(w.object.valid());
    EXPECT_EQ(w.path, "/a/b/file");
    EXPECT_EQ(w.name, "file");
    ASSERT_EQ(walk("b/file", w, Follow::Yes, "/a"), 0);
    EXPECT_EQ(w.path, "/a/b/file");
    ASSERT_EQ(walk("/", w), 0);
    EXPECT_EQ(w.path, "/");
    EXPECT_TRUE(w.name.empty());
}

TEST_F(Vfs, DotDotStopsAtTheRoot)
{
    Walk w;
    ASSERT_EQ(walk("/../../..", w), 0);
    EXPECT_EQ(w.path, "/");
    ASSERT_EQ(walk("../../../a", w, Follow::Yes, "/a/b"), 0);
    EXPECT_EQ(w.path, "/a");
    EXPECT_EQ(walk("/../outside/secret", w), -ENOENT);   // there is no /outside inside the root
}

TEST_F(Vfs, SymlinksResolveInsideTheRoot)
{
    Walk w;
    ASSERT_EQ(walk("/abs/file", w), 0);
    EXPECT_EQ(w.path, "/a/b/file");
    ASSERT_EQ(walk("/a/up/a/b/file", w), 0);   // "../../.." from /a is the root
    EXPECT_EQ(w.path, "/a/b/file");
    ASSERT_EQ(walk("/a/rel", w), 0);
    EXPECT_EQ(w.path, "/a/b/file");
    // A host path in a symlink is just a path inside the root, where nothing is.
    EXPECT_EQ(walk("/host", w), -ENOENT);
    // Not following the last component gives the link itself.
    ASSERT_EQ(walk("/host", w, Follow::No), 0);
    ASSERT_TRUE(w.object.valid());
    struct stat st {};
    ASSERT_EQ(::fstat(w.object.get(), &st), 0);
    EXPECT_TRUE(S_ISLNK(st.st_mode));
    EXPECT_EQ(walk("/loop1", w), -ELOOP);
}

TEST_F(Vfs, ErrorsLikeLinux)
{
    Walk w;
    EXPECT_EQ(walk("/missing/x", w), -ENOENT);
    EXPECT_EQ(walk("/a/b/file/x", w), -ENOTDIR);
    EXPECT_EQ(walk("/a/b/file/", w), -ENOTDIR);
    EXPECT_EQ(walk("", w), -ENOENT);
    EXPECT_EQ(walk("/" + std::string(300, 'x'), w), -ENAMETOOLONG);
    ASSERT_EQ(walk("/a/new", w), 0);   // a missing last component: the caller may create it
    EXPECT_FALSE(w.exists());
    EXPECT_TRUE(w.parent.valid());
    EXPECT_EQ(w.name, "new");
}

TEST_F(Vfs, VirtualDevicesAndTheLibMount)
{
    Walk w;
    ASSERT_EQ(walk("/dev/null", w), 0);
    EXPECT_EQ(w.device, VirtualDevice::Null);
    EXPECT_EQ(walk("/dev/sda", w), -ENOENT);
    ASSERT_TRUE(vfs->mount_lib((top.path() / "outside").string()).ok());
    ASSERT_EQ(walk("/lib/secret", w), 0);
    EXPECT_TRUE(w.object.valid());
    EXPECT_TRUE(w.read_only);
    ASSERT_EQ(walk("/lib/../a", w), 0);
    EXPECT_EQ(w.path, "/a");
    EXPECT_FALSE(w.read_only);
}

TEST(NormalizePath, Lexical)
{
    EXPECT_EQ(normalize_path("/", "/a/./b/../c"), "/a/c");
    EXPECT_EQ(normalize_path("/x/y", "../z"), "/x/z");
    EXPECT_EQ(normalize_path("/", "../../.."), "/");
    EXPECT_EQ(normalize_path("/", "./prog"), "/prog");
}

}  // namespace
}  // namespace vireo::sandbox
