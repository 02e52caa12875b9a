// System tests (label `system`): a host folder shared with the default guest over virtio-9p
// (issue 7: "a file written on the host appears in the guest's 9p mount and the other way round";
// "two VMs sharing one folder see each other's files").
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <iterator>

#include "guest_session.hpp"

using namespace vireo::test;

namespace {

class TempFolder {
public:
    TempFolder()
    {
        std::string tmpl = "/tmp/vireo-9p-XXXXXX";
        if (::mkdtemp(tmpl.data()))
            m_path = tmpl;
    }
    ~TempFolder()
    {
        if (!m_path.empty())
            std::system(("rm -rf '" + m_path + "'").c_str());
    }
    const std::string& path() const { return m_path; }
    std::string file(const std::string& name) const { return m_path + "/" + name; }

private:
    std::string m_path;
};

void write_file(const std::string& path, const std::string& text) { std::ofstream(path) << text; }
std::string read_file(const std::string& path)
{
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

constexpr const char* kMount = "mount -t 9p -o trans=virtio,version=9p2000.L hostshare /mnt";

TEST(P9Boot, FilesCrossBetweenHostAndGuestBothWays)
{
    REQUIRE_GUEST(guest);
    TempFolder base;
    ASSERT_FALSE(base.path().empty());
    const std::string share = base.file("share");
    ASSERT_EQ(::mkdir(share.c_str(), 0755), 0);
    ASSERT_EQ(::mkdir(base.file("outside").c_str(), 0755), 0);
    write_file(base.file("outside/secret"), "host-secret-material");
    write_file(share + "/from-host.txt", "written-on-the-host\n");
    // 1 MiB of data with a known checksum.
    ASSERT_EQ(std::system(("head -c 1048576 /dev/urandom > '" + share + "/blob' && cd '" + share +
                           "' && sha256sum blob > blob.sha256").c_str()),
              0);
    // A link the host planted, pointing out of the share.
    ASSERT_EQ(::symlink(base.file("outside").c_str(), (share + "/escape").c_str()), 0);

    ConsoleSession vm(boot_args(*guest, {"--share", share + ":hostshare"}));
    ASSERT_TRUE(boot_to_shell(vm));
    ASSERT_TRUE(guest_ok(vm, kMount));
    vm.send("cat /mnt/from-host.txt | tr a-z A-Z\n");
    EXPECT_TRUE(vm.expect("WRITTEN-ON-THE-HOST", 30s)) << vm.recent_output();
    EXPECT_TRUE(guest_ok(vm, "cd /mnt && sha256sum -c blob.sha256 && cd /"));

    // Guest to host: a file, a directory, a rename, a symlink, a mode, a big file.
    EXPECT_TRUE(guest_ok(vm, "echo written-in-the-guest > /mnt/from-guest.txt && mkdir -p /mnt/gdir/sub && "
                             "echo moved > /mnt/gdir/a && mv /mnt/gdir/a /mnt/gdir/sub/b && "
                             "ln -s sub/b /mnt/gdir/link && chmod 600 /mnt/from-guest.txt && "
                             "dd if=/dev/urandom of=/mnt/gblob bs=4k count=300 2>/dev/null && "
                             "cd /mnt && sha256sum gblob > gblob.sha256 && cd / && sync"));
    // The guest cannot read through the planted link: it points at a path of the guest's own.
    vm.send("cat /mnt/escape/secret 2>/dev/null | wc -c | sed 's/^/ESCAPED-BYTES-/'\n");
    EXPECT_TRUE(vm.expect("ESCAPED-BYTES-0", 30s)) << vm.recent_output();
    // And the host deletes a file the guest then no longer sees.
    ::unlink((share + "/from-host.txt").c_str());
    vm.send("ls /mnt/from-host.txt 2>/dev/null || echo GONE-$((2*21))\n");
    EXPECT_TRUE(vm.expect("GONE-42", 30s)) << vm.recent_output();
    EXPECT_TRUE(guest_ok(vm, "umount /mnt"));
    EXPECT_TRUE(power_off(vm));
    EXPECT_EQ(vm.output().find("host-secret-material"), std::string::npos);

    EXPECT_EQ(read_file(share + "/from-guest.txt"), "written-in-the-guest\n");
    EXPECT_EQ(read_file(share + "/gdir/sub/b"), "moved\n");
    char target[64] = {};
    ASSERT_GT(::readlink((share + "/gdir/link").c_str(), target, sizeof target - 1), 0);
    EXPECT_STREQ(target, "sub/b");
    struct stat st {};
    ASSERT_EQ(::stat((share + "/from-guest.txt").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    EXPECT_EQ(std::system(("cd '" + share + "' && sha256sum -c --quiet gblob.sha256").c_str()), 0);
    EXPECT_EQ(read_file(base.file("outside/secret")), "host-secret-material");
}

TEST(P9Boot, TwoVmsSharingAFolderSeeEachOthersFiles)
{
    REQUIRE_GUEST(guest);
    TempFolder share;
    ASSERT_FALSE(share.path().empty());
    ConsoleSession a(boot_args(*guest, {"--share", share.path() + ":hostshare"}));
    ConsoleSession b(boot_args(*guest, {"--share", share.path() + ":hostshare"}));
    ASSERT_TRUE(boot_to_shell(a));
    ASSERT_TRUE(boot_to_shell(b));
    ASSERT_TRUE(guest_ok(a, kMount));
    ASSERT_TRUE(guest_ok(b, kMount));
    ASSERT_TRUE(guest_ok(a, "echo note-from-vm-a > /mnt/a.txt"));
    b.send("cat /mnt/a.txt | tr a-z A-Z\n");
    EXPECT_TRUE(b.expect("NOTE-FROM-VM-A", 30s)) << b.recent_output();
    ASSERT_TRUE(guest_ok(b, "mkdir /mnt/fromb && echo reply-from-vm-b > /mnt/fromb/b.txt && rm /mnt/a.txt"));
    a.send("cat /mnt/fromb/b.txt | tr a-z A-Z; ls /mnt/a.txt 2>/dev/null || echo A-GONE-$((40+2))\n");
    EXPECT_TRUE(a.expect("REPLY-FROM-VM-B", 30s)) << a.recent_output();
    EXPECT_TRUE(a.expect("A-GONE-42", 30s)) << a.recent_output();
    // Appends from both land in one file.
    ASSERT_TRUE(guest_ok(a, "echo line-a >> /mnt/log"));
    ASSERT_TRUE(guest_ok(b, "echo line-b >> /mnt/log"));
    a.send("echo LINES-$(wc -l < /mnt/log)-\n");
    EXPECT_TRUE(a.expect("LINES-2-", 30s)) << a.recent_output();
    EXPECT_TRUE(power_off(a));
    EXPECT_TRUE(power_off(b));
    EXPECT_EQ(read_file(share.file("fromb/b.txt")), "reply-from-vm-b\n");
    EXPECT_EQ(read_file(share.file("log")), "line-a\nline-b\n");
}

TEST(P9Boot, AMissingFolderIsAOneLineError)
{
    REQUIRE_GUEST(guest);
    ConsoleSession vm(boot_args(*guest, {"--share", "/nonexistent/vireo-share:tag"}));
    EXPECT_EQ(vm.wait_exit(30s), 125);
    EXPECT_NE(vm.output().find("shared folder /nonexistent/vireo-share: No such file or directory"), std::string::npos)
        << vm.output();
}

}  // namespace
