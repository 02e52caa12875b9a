// virtio-9p and its 9P2000.L server: the protocol as Linux's v9fs client speaks it, containment in
// the shared folder, and the device behind virtio-mmio with the mock driver.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>

#include "base/assert.hpp"
#include "base/bytes.hpp"
#include "mock_driver.hpp"
#include "virtio/devices/p9/p9.hpp"

using namespace vireo;
using namespace vireo::virtio;
using namespace vireo::virtio::p9;
using namespace vireo::virtio::test;

namespace {

// A scratch folder to share, and one beside it that the guest must never reach.
class Folders {
public:
    Folders()
    {
        std::string tmpl = ::testing::TempDir() + "vireo-9p-XXXXXX";
        VERIFY(::mkdtemp(tmpl.data()));
        m_base = tmpl;
        VERIFY(::mkdir(share().c_str(), 0755) == 0);
        VERIFY(::mkdir(outside().c_str(), 0755) == 0);
        write(outside() + "/secret", "top-secret");
    }
    ~Folders() { std::system(("rm -rf '" + m_base + "'").c_str()); }
    std::string share() const { return m_base + "/share"; }
    std::string outside() const { return m_base + "/outside"; }
    std::string in_share(const std::string& rel) const { return share() + "/" + rel; }
    static void write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }
    static std::string read(const std::string& path)
    {
        std::ifstream in(path);
        return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    static bool exists(const std::string& path)
    {
        struct stat st {};
        return ::lstat(path.c_str(), &st) == 0;
    }

private:
    std::string m_base;
};

// A reader over a reply's body that keeps the reply alive (so `client.getattr(f).body()` is safe).
class Body : public WireReader {
public:
    explicit Body(std::shared_ptr<const std::vector<uint8_t>> bytes)
        : WireReader(std::span(*bytes).subspan(std::min<size_t>(7, bytes->size()))), m_keep(std::move(bytes))
    {
    }

private:
    std::shared_ptr<const std::vector<uint8_t>> m_keep;
};

// A decoded reply: its type, and a reader over its body.
struct Reply {
    uint8_t type = 0;
    uint16_t tag = 0;
    std::shared_ptr<const std::vector<uint8_t>> bytes = std::make_shared<std::vector<uint8_t>>();
    uint32_t error() const
    {
        return type == P9_RLERROR && bytes->size() >= 11 ? load_le<uint32_t>(bytes->data() + 7) : 0;
    }
    Body body() const { return Body(bytes); }
    // Rwalk: how many names were walked (a partial walk is not an error in 9P).
    uint16_t walked() const { return type == P9_TWALK + 1 ? body().u16() : 0; }
};

// A 9P client in the style of Linux's net/9p/client.c, over any transport.
class Client {
public:
    using Transport = std::function<std::vector<uint8_t>(const std::vector<uint8_t>&)>;
    explicit Client(Transport transport) : m_transport(std::move(transport)) {}

    Reply call(uint8_t type, const std::function<void(WireWriter&)>& fields)
    {
        WireWriter w;
        w.begin(type, ++m_tag);
        fields(w);
        auto raw = m_transport(w.finish());
        Reply r;
        r.bytes = std::make_shared<const std::vector<uint8_t>>(raw);
        if (raw.size() >= 7) {
            r.type = raw[4];
            r.tag = load_le<uint16_t>(raw.data() + 5);
            EXPECT_EQ(load_le<uint32_t>(raw.data()), raw.size()) << "size field";
            EXPECT_EQ(r.tag, m_tag);
        }
        return r;
    }

    Reply version(uint32_t msize, const std::string& v = "9P2000.L")
    {
        return call(P9_TVERSION, [&](WireWriter& w) { w.u32(msize); w.str(v); });
    }
    Reply attach(uint32_t fid)
    {
        return call(P9_TATTACH, [&](WireWriter& w) { w.u32(fid); w.u32(~0u); w.str("root"); w.str(""); w.u32(0); });
    }
    Reply walk(uint32_t fid, uint32_t newfid, std::vector<std::string> names)
    {
        return call(P9_TWALK, [&](WireWriter& w) {
            w.u32(fid);
            w.u32(newfid);
            w.u16(static_cast<uint16_t>(names.size()));
            for (auto& n : names)
                w.str(n);
        });
    }
    Reply lopen(uint32_t fid, uint32_t flags)
    {
        return call(P9_TLOPEN, [&](WireWriter& w) { w.u32(fid); w.u32(flags); });
    }
    Reply lcreate(uint32_t fid, const std::string& name, uint32_t flags, uint32_t mode = 0644)
    {
        return call(P9_TLCREATE, [&](WireWriter& w) { w.u32(fid); w.str(name); w.u32(flags); w.u32(mode); w.u32(0); });
    }
    Reply read(uint32_t fid, uint64_t offset, uint32_t count)
    {
        return call(P9_TREAD, [&](WireWriter& w) { w.u32(fid); w.u64(offset); w.u32(count); });
    }
    Reply write(uint32_t fid, uint64_t offset, const std::string& data)
    {
        return call(P9_TWRITE, [&](WireWriter& w) {
            w.u32(fid);
            w.u64(offset);
            w.u32(static_cast<uint32_t>(data.size()));
            w.bytes(std::span(reinterpret_cast<const uint8_t*>(data.data()), data.size()));
        });
    }
    Reply clunk(uint32_t fid) { return call(P9_TCLUNK, [&](WireWriter& w) { w.u32(fid); }); }
    Reply getattr(uint32_t fid) { return call(P9_TGETATTR, [&](WireWriter& w) { w.u32(fid); w.u64(0x7ff); }); }
    Reply readdir(uint32_t fid, uint64_t offset, uint32_t count)
    {
        return call(P9_TREADDIR, [&](WireWriter& w) { w.u32(fid); w.u64(offset); w.u32(count); });
    }

    // Reads a whole file through a fresh fid; "" and a failure if it cannot.
    std::string cat(uint32_t root, const std::vector<std::string>& path)
    {
        const uint32_t fid = 900;
        if (walk(root, fid, path).error() || lopen(fid, 0).error()) {
            clunk(fid);
            ADD_FAILURE() << "cannot open the file";
            return "";
        }
        std::string text;
        for (;;) {
            Reply r = read(fid, text.size(), 4096);
            Body body = r.body();
            const uint32_t n = body.u32();
            if (r.error() || n == 0)
                break;
            auto bytes = body.bytes(n);
            text.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
        }
        clunk(fid);
        return text;
    }
    // The names a directory fid lists, reading in chunks of `count` bytes.
    std::vector<std::string> list(uint32_t dir_fid, uint32_t count = 8192)
    {
        std::vector<std::string> names;
        uint64_t offset = 0;
        for (int round = 0; round < 1000; ++round) {
            Reply r = readdir(dir_fid, offset, count);
            EXPECT_EQ(r.error(), 0u);
            Body body = r.body();
            const uint32_t n = body.u32();
            if (n == 0)
                break;
            WireReader entries(body.bytes(n));
            while (entries.remaining() > 0) {
                entries.u8();
                entries.u32();
                entries.u64();  // qid
                offset = entries.u64();
                entries.u8();
                names.emplace_back(entries.str());
            }
            EXPECT_TRUE(entries.ok());
        }
        std::sort(names.begin(), names.end());
        return names;
    }

private:
    Transport m_transport;
    uint16_t m_tag = 0;
};

// The server driven directly, as its transport would.
class P9ServerTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        auto created = Server::create(folders.share());
        ASSERT_TRUE(created.ok()) << created.error().text();
        server = created.release_value();
        ASSERT_EQ(client.version(65536).error(), 0u);
        ASSERT_EQ(client.attach(kRoot).error(), 0u);
    }
    static constexpr uint32_t kRoot = 1;
    Folders folders;
    std::unique_ptr<Server> server;
    Client client{[this](const std::vector<uint8_t>& m) { return server->handle(m, 65536); }};
};

constexpr uint32_t O_RDONLY_9P = 0, O_WRONLY_9P = 1, O_RDWR_9P = 2, O_TRUNC_9P = 01000, O_DIRECTORY_9P = 0200000;

TEST_F(P9ServerTest, VersionNegotiatesMsizeAndStartsANewSession)
{
    Reply r = client.version(1 << 30);
    Body body = r.body();
    EXPECT_EQ(body.u32(), Server::kMaxMsize);
    EXPECT_EQ(body.str(), "9P2000.L");
    EXPECT_EQ(server->fid_count(), 0u) << "Tversion clunks every fid";
    body = client.version(8192).body();
    EXPECT_EQ(body.u32(), 8192u);
    body = client.version(8192, "9P2000.u").body();
    body.u32();
    EXPECT_EQ(body.str(), "unknown");
}

TEST_F(P9ServerTest, ReadsAHostFile)
{
    Folders::write(folders.in_share("hello.txt"), "hello from the host");
    EXPECT_EQ(client.cat(kRoot, {"hello.txt"}), "hello from the host");
}

TEST_F(P9ServerTest, CreatesAndWritesAFileTheHostSees)
{
    ASSERT_EQ(client.walk(kRoot, 2, {}).error(), 0u);
    Reply created = client.lcreate(2, "new.txt", O_RDWR_9P, 0640);
    ASSERT_EQ(created.error(), 0u);
    ASSERT_EQ(client.write(2, 0, "written by the guest").error(), 0u);
    ASSERT_EQ(client.write(2, 8, "BY").error(), 0u);
    client.clunk(2);
    EXPECT_EQ(Folders::read(folders.in_share("new.txt")), "written BY the guest");
    struct stat st {};
    ASSERT_EQ(::stat(folders.in_share("new.txt").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0640u & ~0022u & 0777u) << "mode, under the host's umask";
}

TEST_F(P9ServerTest, GetattrReportsTheHostStat)
{
    Folders::write(folders.in_share("f"), "12345");
    ASSERT_EQ(client.walk(kRoot, 2, {"f"}).error(), 0u);
    Body body = client.getattr(2).body();
    EXPECT_EQ(body.u64(), 0x7ffu);
    const uint8_t qid_type = body.u8();
    body.u32();
    const uint64_t qid_path = body.u64();
    const uint32_t mode = body.u32();
    body.u32();
    body.u32();
    body.u64();
    body.u64();
    const uint64_t size = body.u64();
    struct stat st {};
    ASSERT_EQ(::stat(folders.in_share("f").c_str(), &st), 0);
    EXPECT_EQ(qid_type, P9_QTFILE);
    EXPECT_EQ(qid_path, st.st_ino);
    EXPECT_EQ(mode, st.st_mode);
    EXPECT_EQ(size, 5u);
}

TEST_F(P9ServerTest, ReaddirListsEverythingAcrossSmallReplies)
{
    std::vector<std::string> expected = {".", ".."};
    for (int i = 0; i < 60; ++i) {
        expected.push_back("file-with-a-longish-name-" + std::to_string(i));
        Folders::write(folders.in_share(expected.back()), "x");
    }
    std::sort(expected.begin(), expected.end());
    ASSERT_EQ(client.walk(kRoot, 2, {}).error(), 0u);
    ASSERT_EQ(client.lopen(2, O_RDONLY_9P | O_DIRECTORY_9P).error(), 0u);
    EXPECT_EQ(client.list(2, 200), expected);  // a few entries per reply
    EXPECT_EQ(client.list(2), expected);       // and all at once, from offset 0 again
}

TEST_F(P9ServerTest, DirectoriesSymlinksRenameAndUnlink)
{
    auto call_ok = [&](const Reply& r) { EXPECT_EQ(r.error(), 0u); return r; };
    call_ok(client.call(P9_TMKDIR, [](WireWriter& w) { w.u32(kRoot); w.str("dir"); w.u32(0755); w.u32(0); }));
    EXPECT_TRUE(Folders::exists(folders.in_share("dir")));
    call_ok(client.walk(kRoot, 2, {"dir"}));
    call_ok(client.lcreate(2, "a.txt", O_WRONLY_9P));
    call_ok(client.write(2, 0, "AAA"));
    // A symlink stores its target as text; readlink returns it.
    call_ok(client.call(P9_TSYMLINK, [](WireWriter& w) { w.u32(kRoot); w.str("link"); w.str("dir/a.txt"); w.u32(0); }));
    call_ok(client.walk(kRoot, 3, {"link"}));
    Body target = call_ok(client.call(P9_TREADLINK, [](WireWriter& w) { w.u32(3); })).body();
    EXPECT_EQ(target.str(), "dir/a.txt");
    // Rename the directory: fids below it follow (fid 2 names dir/a.txt).
    call_ok(client.call(P9_TRENAMEAT, [](WireWriter& w) { w.u32(kRoot); w.str("dir"); w.u32(kRoot); w.str("moved"); }));
    EXPECT_TRUE(Folders::exists(folders.in_share("moved/a.txt")));
    call_ok(client.walk(2, 4, {}));  // a clone of the renamed fid still resolves
    call_ok(client.getattr(4));
    call_ok(client.lopen(4, O_RDONLY_9P));
    EXPECT_EQ(client.cat(kRoot, {"moved", "a.txt"}), "AAA");
    // A hard link, then unlink both names and the directory.
    call_ok(client.walk(kRoot, 5, {"moved"}));
    call_ok(client.call(P9_TLINK, [](WireWriter& w) { w.u32(kRoot); w.u32(4); w.str("hard"); }));
    EXPECT_EQ(Folders::read(folders.in_share("hard")), "AAA");
    call_ok(client.call(P9_TUNLINKAT, [](WireWriter& w) { w.u32(5); w.str("a.txt"); w.u32(0); }));
    call_ok(client.call(P9_TUNLINKAT, [](WireWriter& w) { w.u32(kRoot); w.str("moved"); w.u32(0x200); }));
    EXPECT_FALSE(Folders::exists(folders.in_share("moved")));
    // The open fid still reads the unlinked file's data... and stats it.
    call_ok(client.getattr(4));
    Body data = call_ok(client.read(4, 0, 100)).body();
    EXPECT_EQ(data.u32(), 3u);
    // Trename (the older form) moves a file by fid.
    call_ok(client.walk(kRoot, 6, {"hard"}));
    call_ok(client.call(P9_TRENAME, [](WireWriter& w) { w.u32(6); w.u32(kRoot); w.str("hard2"); }));
    EXPECT_TRUE(Folders::exists(folders.in_share("hard2")));
    call_ok(client.call(P9_TREMOVE, [](WireWriter& w) { w.u32(6); }));
    EXPECT_FALSE(Folders::exists(folders.in_share("hard2")));
}

TEST_F(P9ServerTest, SetattrTruncatesChmodsAndSetsTimes)
{
    Folders::write(folders.in_share("f"), "0123456789");
    ASSERT_EQ(client.walk(kRoot, 2, {"f"}).error(), 0u);
    Reply r = client.call(P9_TSETATTR, [](WireWriter& w) {
        w.u32(2);
        w.u32(1 | 8 | 32 | 256);  // MODE | SIZE | MTIME | MTIME_SET
        w.u32(0600);
        w.u32(0);
        w.u32(0);
        w.u64(4);
        w.u64(0);
        w.u64(0);
        w.u64(1000000000);
        w.u64(5);
    });
    ASSERT_EQ(r.error(), 0u);
    struct stat st {};
    ASSERT_EQ(::stat(folders.in_share("f").c_str(), &st), 0);
    EXPECT_EQ(st.st_size, 4);
    EXPECT_EQ(st.st_mode & 07777, 0600u);
    EXPECT_EQ(st.st_mtim.tv_sec, 1000000000);
    EXPECT_EQ(st.st_mtim.tv_nsec, 5);
}

TEST_F(P9ServerTest, StatfsFsyncLocksAndUnsupportedOperations)
{
    EXPECT_EQ(client.call(P9_TSTATFS, [](WireWriter& w) { w.u32(kRoot); }).error(), 0u);
    ASSERT_EQ(client.walk(kRoot, 2, {}).error(), 0u);
    ASSERT_EQ(client.lcreate(2, "f", O_RDWR_9P).error(), 0u);
    EXPECT_EQ(client.call(P9_TFSYNC, [](WireWriter& w) { w.u32(2); w.u32(0); }).error(), 0u);
    Reply lock = client.call(P9_TLOCK, [](WireWriter& w) {
        w.u32(2); w.u8(1); w.u32(0); w.u64(0); w.u64(0); w.u32(42); w.str("vm");
    });
    EXPECT_EQ(lock.type, P9_TLOCK + 1);
    EXPECT_EQ(lock.body().u8(), 0u);
    EXPECT_EQ(client.call(P9_TXATTRWALK, [](WireWriter& w) { w.u32(kRoot); w.u32(3); w.str("user.x"); }).error(),
              static_cast<uint32_t>(EOPNOTSUPP));
    EXPECT_EQ(client.call(P9_TMKNOD, [](WireWriter& w) { w.u32(kRoot); w.str("dev"); w.u32(S_IFCHR | 0666); w.u32(1); w.u32(1); w.u32(0); })
                  .error(),
              static_cast<uint32_t>(EPERM));
    EXPECT_FALSE(Folders::exists(folders.in_share("dev")));
    EXPECT_EQ(client.call(200, [](WireWriter&) {}).error(), static_cast<uint32_t>(EOPNOTSUPP));
}

// ---- Containment: nothing outside the shared folder is ever touched. ----

TEST_F(P9ServerTest, DotDotStopsAtTheRoot)
{
    Body root = client.attach(7).body();
    root.u8();
    root.u32();
    const uint64_t root_path = root.u64();
    Reply r = client.walk(kRoot, 2, {"..", "..", ".."});
    Body body = r.body();
    ASSERT_EQ(body.u16(), 3u);
    body.u8();
    body.u32();
    EXPECT_EQ(body.u64(), root_path);
    // And from there, "outside" is not a name the share has.
    EXPECT_EQ(client.walk(2, 3, {"outside"}).error(), static_cast<uint32_t>(ENOENT));
}

TEST_F(P9ServerTest, NamesWithSlashesOrDotsAreRefused)
{
    for (const char* name : {"../outside", "a/b", "", ".", "x\0y"}) {
        Reply r = client.walk(kRoot, 2, {std::string(name, name[0] == 'x' ? 3 : std::strlen(name))});
        EXPECT_NE(r.error(), 0u) << name;
    }
    // A bad name after a good one: a partial walk, and no new fid.
    ASSERT_EQ(::mkdir(folders.in_share("d").c_str(), 0755), 0);
    EXPECT_EQ(client.walk(kRoot, 2, {"d", "../outside"}).walked(), 1u);
    EXPECT_EQ(client.getattr(2).error(), static_cast<uint32_t>(EBADF));
    EXPECT_EQ(client.lcreate(kRoot, "../escape", O_WRONLY_9P).error(), static_cast<uint32_t>(EINVAL));
    EXPECT_FALSE(Folders::exists(folders.outside() + "/../escape"));
}

TEST_F(P9ServerTest, ASymlinkPointingOutsideIsNeverFollowedByTheHost)
{
    ASSERT_EQ(::symlink(folders.outside().c_str(), folders.in_share("out-dir").c_str()), 0);
    ASSERT_EQ(::symlink((folders.outside() + "/secret").c_str(), folders.in_share("out-file").c_str()), 0);
    // Walking through the link to a directory stops at the link: it is not a directory here.
    EXPECT_EQ(client.walk(kRoot, 2, {"out-dir", "secret"}).walked(), 1u);
    EXPECT_EQ(client.getattr(2).error(), static_cast<uint32_t>(EBADF));
    // The link itself can be walked to and read as a link...
    ASSERT_EQ(client.walk(kRoot, 3, {"out-file"}).error(), 0u);
    Body attr = client.getattr(3).body();
    attr.u64();
    EXPECT_EQ(attr.u8(), P9_QTSYMLINK);
    EXPECT_EQ(client.call(P9_TREADLINK, [](WireWriter& w) { w.u32(3); }).body().str(), folders.outside() + "/secret");
    // ...but never opened, written, truncated or chmod'ed through.
    EXPECT_EQ(client.lopen(3, O_RDONLY_9P).error(), static_cast<uint32_t>(ELOOP));
    EXPECT_NE(client.lcreate(kRoot, "out-file", O_WRONLY_9P | O_TRUNC_9P).error(), 0u);
    Reply truncate = client.call(P9_TSETATTR, [](WireWriter& w) {
        w.u32(3); w.u32(1 | 8); w.u32(0777); w.u32(0); w.u32(0); w.u64(0); w.u64(0); w.u64(0); w.u64(0); w.u64(0);
    });
    EXPECT_NE(truncate.error(), 0u);
    EXPECT_EQ(Folders::read(folders.outside() + "/secret"), "top-secret");
    struct stat st {};
    ASSERT_EQ(::stat((folders.outside() + "/secret").c_str(), &st), 0);
    EXPECT_NE(st.st_mode & 0777, 0777u);
}

TEST_F(P9ServerTest, AGuestMadeSymlinkIsOnlyText)
{
    ASSERT_EQ(client.call(P9_TSYMLINK, [](WireWriter& w) { w.u32(kRoot); w.str("etc"); w.str("/etc"); w.u32(0); }).error(), 0u);
    EXPECT_EQ(client.walk(kRoot, 2, {"etc", "passwd"}).walked(), 1u);
    ASSERT_EQ(client.call(P9_TSYMLINK, [&](WireWriter& w) {
        w.u32(kRoot); w.str("up"); w.str(folders.outside()); w.u32(0);
    }).error(), 0u);
    EXPECT_NE(client.lcreate(kRoot, "up", O_WRONLY_9P).error(), 0u);
    EXPECT_EQ(client.walk(kRoot, 3, {"up", "secret"}).walked(), 1u);
    EXPECT_EQ(client.call(P9_TMKDIR, [](WireWriter& w) { w.u32(kRoot); w.str("up"); w.u32(0755); w.u32(0); }).error(),
              static_cast<uint32_t>(EEXIST));
}

// The host (or another VM) swaps a directory for a symlink after the guest walked into it: the
// fid's next use fails instead of following the link out.
TEST_F(P9ServerTest, ADirectorySwappedForASymlinkIsNotFollowed)
{
    ASSERT_EQ(::mkdir(folders.in_share("d").c_str(), 0755), 0);
    Folders::write(folders.in_share("d/secret"), "inside");
    ASSERT_EQ(client.walk(kRoot, 2, {"d", "secret"}).error(), 0u);
    ASSERT_EQ(std::system(("rm -rf '" + folders.in_share("d") + "'").c_str()), 0);
    ASSERT_EQ(::symlink(folders.outside().c_str(), folders.in_share("d").c_str()), 0);
    EXPECT_NE(client.getattr(2).error(), 0u);
    EXPECT_NE(client.lopen(2, O_RDONLY_9P).error(), 0u);
    EXPECT_NE(client.lcreate(2, "x", O_WRONLY_9P).error(), 0u);
    EXPECT_FALSE(Folders::exists(folders.outside() + "/x"));
}

TEST_F(P9ServerTest, FifosAndDeviceNodesAreNotOpened)
{
    ASSERT_EQ(::mkfifo(folders.in_share("fifo").c_str(), 0666), 0);
    ASSERT_EQ(client.walk(kRoot, 2, {"fifo"}).error(), 0u);
    // Opening a FIFO on the host would block the machine until a writer came.
    EXPECT_EQ(client.lopen(2, O_RDONLY_9P).error(), static_cast<uint32_t>(EPERM));
    EXPECT_NE(client.lcreate(kRoot, "fifo", O_RDONLY_9P).error(), 0u);
    if (::mknod(folders.in_share("null").c_str(), S_IFCHR | 0666, makedev(1, 3)) == 0) {
        ASSERT_EQ(client.walk(kRoot, 3, {"null"}).error(), 0u);
        EXPECT_EQ(client.lopen(3, O_RDWR_9P).error(), static_cast<uint32_t>(EPERM));
    }
}

// ---- Malformed messages: an error reply, and the server carries on. ----

TEST_F(P9ServerTest, MalformedMessagesGetRlerror)
{
    auto raw = [&](std::vector<uint8_t> bytes) { return server->handle(bytes, 65536); };
    auto error_of = [](const std::vector<uint8_t>& reply) {
        return reply.size() == 11 && reply[4] == P9_RLERROR ? load_le<uint32_t>(reply.data() + 7) : 0u;
    };
    EXPECT_EQ(error_of(raw({})), static_cast<uint32_t>(EPROTO));
    EXPECT_EQ(error_of(raw({1, 2, 3})), static_cast<uint32_t>(EPROTO));
    // A size field larger than the message.
    EXPECT_EQ(error_of(raw({100, 0, 0, 0, P9_TCLUNK, 1, 0, 1, 0, 0, 0})), static_cast<uint32_t>(EPROTO));
    // A size field smaller than the header.
    EXPECT_EQ(error_of(raw({3, 0, 0, 0, P9_TCLUNK, 1, 0})), static_cast<uint32_t>(EPROTO));
    // Fields missing: Twalk that promises names it does not carry.
    EXPECT_EQ(error_of(raw({15, 0, 0, 0, P9_TWALK, 1, 0, 1, 0, 0, 0, 2, 0, 0, 0})), static_cast<uint32_t>(EPROTO));
    EXPECT_EQ(error_of(raw({17, 0, 0, 0, P9_TWALK, 1, 0, 1, 0, 0, 0, 2, 0, 0, 0, 5, 0})), static_cast<uint32_t>(EPROTO));
    // A string longer than the message.
    EXPECT_EQ(error_of(raw({13, 0, 0, 0, P9_TVERSION, 1, 0, 0, 0x20, 0, 0, 0xff, 0xff})), static_cast<uint32_t>(EPROTO));
    // Too many walk names, unknown fids, reads on unopened fids.
    EXPECT_EQ(client.walk(kRoot, 2, std::vector<std::string>(17, "a")).error(), static_cast<uint32_t>(EINVAL));
    EXPECT_EQ(client.getattr(12345).error(), static_cast<uint32_t>(EBADF));
    EXPECT_EQ(client.read(kRoot, 0, 10).error(), static_cast<uint32_t>(EBADF));
    EXPECT_EQ(client.attach(kRoot).error(), static_cast<uint32_t>(EBADF)) << "a fid in use";
    // Still serving.
    EXPECT_EQ(client.getattr(kRoot).error(), 0u);
}

TEST_F(P9ServerTest, RepliesFitTheRoomGiven)
{
    Folders::write(folders.in_share("big"), std::string(10000, 'b'));
    ASSERT_EQ(client.walk(kRoot, 2, {"big"}).error(), 0u);
    ASSERT_EQ(client.lopen(2, O_RDONLY_9P).error(), 0u);
    WireWriter w;
    w.begin(P9_TREAD, 9);
    w.u32(2);
    w.u64(0);
    w.u32(10000);
    auto request = w.finish();
    auto reply = server->handle(request, 111);
    ASSERT_EQ(reply.size(), 111u);
    EXPECT_EQ(load_le<uint32_t>(reply.data() + 7), 100u);
    EXPECT_TRUE(server->handle(request, 10).empty()) << "not even an Rlerror fits";
}

// Two servers on one folder (two VMs sharing it) see each other's changes at once.
TEST(P9TwoServers, SeeEachOthersFiles)
{
    Folders folders;
    auto a = Server::create(folders.share()).release_value();
    auto b = Server::create(folders.share()).release_value();
    Client ca([&](const std::vector<uint8_t>& m) { return a->handle(m, 65536); });
    Client cb([&](const std::vector<uint8_t>& m) { return b->handle(m, 65536); });
    ca.version(65536);
    cb.version(65536);
    ca.attach(1);
    cb.attach(1);
    ca.walk(1, 2, {});
    ASSERT_EQ(ca.lcreate(2, "from-a", O_WRONLY_9P).error(), 0u);
    ca.write(2, 0, "A wrote this");
    EXPECT_EQ(cb.cat(1, {"from-a"}), "A wrote this");
    cb.walk(1, 2, {});
    ASSERT_EQ(cb.lcreate(2, "from-b", O_WRONLY_9P).error(), 0u);
    cb.write(2, 0, "B answers");
    EXPECT_EQ(ca.cat(1, {"from-b"}), "B answers");
}

TEST(P9Create, ErrorsNameTheFolder)
{
    auto missing = Server::create("/nonexistent/vireo-share");
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().text(), "shared folder /nonexistent/vireo-share: No such file or directory");
    auto file = P9::create("/etc/hostname", "tag");
    ASSERT_FALSE(file.ok());
    EXPECT_NE(file.error().text().find("/etc/hostname"), std::string::npos);
    Folders folders;
    EXPECT_FALSE(P9::create(folders.share(), "").ok());
    EXPECT_FALSE(P9::create(folders.share(), std::string(256, 't')).ok());
}

// ---- The virtio device, through virtio-mmio and the mock driver. ----

class P9DeviceTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        auto created = P9::create(folders.share(), "hostshare");
        ASSERT_TRUE(created.ok()) << created.error().text();
        device = created.release_value();
        machine = std::make_unique<TestMachine>(*device);
        ASSERT_TRUE(driver().init(~uint64_t{0}));
    }
    MockDriver& driver() { return machine->driver; }
    // As Linux's p9_virtio_request: the T-message readable, then room for the reply.
    std::vector<uint8_t> exchange(const std::vector<uint8_t>& request, uint32_t room = 8192)
    {
        Buffer buffers[] = {driver().readable(request), driver().writable(room)};
        driver().ring(0).add_chain(buffers);
        driver().notify(0);
        auto used = driver().ring(0).next_used();
        EXPECT_TRUE(used.has_value());
        if (!used)
            return {};
        return driver().read_guest(buffers[1].addr, used->len);
    }

    Folders folders;
    std::unique_ptr<P9> device;
    std::unique_ptr<TestMachine> machine;
    Client client{[this](const std::vector<uint8_t>& m) { return exchange(m); }};
};

TEST_F(P9DeviceTest, ConfigHoldsTheMountTag)
{
    EXPECT_EQ(driver().read32(VIRTIO_MMIO_DEVICE_ID), 9u);
    EXPECT_NE(driver().device_features() & feature_bit(P9::VIRTIO_9P_MOUNT_TAG), 0u);
    EXPECT_EQ(driver().read_config(0, 2), 9u);
    std::string tag;
    for (uint32_t i = 0; i < 9; ++i)
        tag.push_back(static_cast<char>(driver().read_config(2 + i, 1)));
    EXPECT_EQ(tag, "hostshare");
    EXPECT_EQ(driver().read_config(11, 1), 0u);
}

TEST_F(P9DeviceTest, ServesASessionOverTheQueue)
{
    EXPECT_EQ(client.version(8192).body().u32(), 8192u);
    ASSERT_EQ(client.attach(1).error(), 0u);
    Folders::write(folders.in_share("f"), "over virtio");
    EXPECT_EQ(client.cat(1, {"f"}), "over virtio");
    EXPECT_NE(driver().take_interrupt() & VIRTIO_MMIO_INT_VRING, 0u);
}

// Linux's zero-copy path splits a Twrite's header and data, and an Rread's header and data,
// across descriptors (net/9p/trans_virtio.c p9_virtio_zc_request).
TEST_F(P9DeviceTest, MessagesSplitAcrossDescriptors)
{
    client.version(8192);
    client.attach(1);
    client.walk(1, 2, {});
    ASSERT_EQ(client.lcreate(2, "zc", O_RDWR_9P).error(), 0u);
    WireWriter w;
    w.begin(P9_TWRITE, 50);
    w.u32(2);
    w.u64(0);
    w.u32(6);
    std::vector<uint8_t> header = w.finish();
    store_le<uint32_t>(header.data(), static_cast<uint32_t>(header.size() + 6));
    const uint8_t data[] = {'s', 'p', 'l', 'i', 't', '!'};
    Buffer out[] = {driver().readable(header), driver().readable(data), driver().writable(4096)};
    driver().ring(0).add_chain(out);
    driver().notify(0);
    ASSERT_TRUE(driver().ring(0).next_used().has_value());
    EXPECT_EQ(Folders::read(folders.in_share("zc")), "split!");

    WireWriter r;
    r.begin(P9_TREAD, 51);
    r.u32(2);
    r.u64(0);
    r.u32(6);
    auto read_request = r.finish();
    Buffer in[] = {driver().readable(read_request), driver().writable(11), driver().writable(6)};
    driver().ring(0).add_chain(in, Layout::Indirect);
    driver().notify(0);
    auto used = driver().ring(0).next_used();
    ASSERT_TRUE(used.has_value());
    EXPECT_EQ(used->len, 17u);
    auto payload = driver().read_guest(in[2].addr, 6);
    EXPECT_EQ(std::string(payload.begin(), payload.end()), "split!");
}

TEST_F(P9DeviceTest, ResetEndsTheSession)
{
    client.version(8192);
    client.attach(1);
    EXPECT_EQ(device->server().fid_count(), 1u);
    driver().reset();
    EXPECT_EQ(device->server().fid_count(), 0u);
}

TEST_F(P9DeviceTest, ChainsWithoutRoomAreReturnedEmpty)
{
    uint8_t junk[16] = {};
    Buffer only_readable[] = {driver().readable(junk)};
    driver().ring(0).add_chain(only_readable);
    driver().notify(0);
    auto used = driver().ring(0).next_used();
    ASSERT_TRUE(used.has_value());
    EXPECT_EQ(used->len, 0u);
    EXPECT_FALSE(driver().needs_reset());
    EXPECT_EQ(client.version(8192).type, P9_TVERSION + 1);
}

}  // namespace
