// System test (label `system`): the default guest on a qcow2 overlay over an ext4 base image
// (issue 7, "an ext4 qcow2 overlay on a base image boots, is written, passes qemu-img check, and
// the base is unchanged"). The host checks the result with QEMU's tools: qemu-img check, and
// debugfs on QEMU's own reading of the overlay.
#include <gtest/gtest.h>

#include "disk_test_util.hpp"
#include "guest_session.hpp"

using namespace vireo::test;
using namespace vireo::disk::test;

namespace {

TEST(Qcow2Boot, Ext4OverlayOnABaseImageIsWrittenAndTheBaseIsUnchanged)
{
    REQUIRE_GUEST(guest);
    if (!have_program("qemu-img") || !have_program("mkfs.ext4") || !have_program("debugfs"))
        GTEST_SKIP() << "needs qemu-img (qemu-utils) and mkfs.ext4/debugfs (e2fsprogs)";
    ScratchDir dir;
    ASSERT_FALSE(dir.path().empty());
    // The base: ext4 with one file, converted to qcow2; the overlay names it relatively.
    ASSERT_TRUE(sh("cd '" + dir.path() + "' && mkdir content && echo from-the-base-$((40+2)) > content/base.txt && "
                   "truncate -s 48M base.raw && mkfs.ext4 -q -F -d content base.raw && "
                   "qemu-img convert -f raw -O qcow2 base.raw base.qcow2 && rm base.raw && "
                   "qemu-img create -q -f qcow2 -b base.qcow2 -F qcow2 overlay.qcow2"));
    const auto base_before = read_whole(dir.file("base.qcow2"));
    ASSERT_FALSE(base_before.empty());

    {
        ConsoleSession vm(boot_args(*guest, {"--disk", dir.file("overlay.qcow2") + ",format=qcow2"}));
        ASSERT_TRUE(boot_to_shell(vm));
        ASSERT_TRUE(guest_ok(vm, "mount -t ext4 /dev/vda /mnt"));
        vm.send("cat /mnt/base.txt\n");
        EXPECT_TRUE(vm.expect("from-the-base-42", 30s)) << vm.recent_output();
        // A small file, and 3 MiB of random data whose checksum the host recomputes.
        ASSERT_TRUE(guest_ok(vm, "echo written-in-the-overlay > /mnt/new.txt && "
                                 "dd if=/dev/urandom of=/mnt/big bs=64k count=48 2>/dev/null && "
                                 "sha256sum /mnt/big > /mnt/big.sha256 && rm /mnt/base.txt && sync && umount /mnt"));
        // A second mount in the same boot reads back through the caches and the image.
        ASSERT_TRUE(guest_ok(vm, "echo 3 > /proc/sys/vm/drop_caches; mount -t ext4 /dev/vda /mnt && cd /mnt && "
                                 "sha256sum -c big.sha256 && cd / && umount /mnt"));
        ASSERT_TRUE(power_off(vm));
    }

    // The base is byte for byte what it was; QEMU finds the overlay consistent.
    EXPECT_TRUE(read_whole(dir.file("base.qcow2")) == base_before) << "the base image changed";
    EXPECT_TRUE(qemu_img_check(dir.file("overlay.qcow2")));
    // What QEMU reads from the overlay is the ext4 file system the guest wrote.
    ASSERT_TRUE(sh("cd '" + dir.path() + "' && qemu-img convert -f qcow2 -O raw overlay.qcow2 flat.raw"));
    auto listing = run_command("debugfs -R 'ls -l /' '" + dir.file("flat.raw") + "'");
    EXPECT_NE(listing.output.find("new.txt"), std::string::npos) << listing.output;
    EXPECT_EQ(listing.output.find("base.txt"), std::string::npos) << listing.output;
    auto text = run_command("debugfs -R 'cat /new.txt' '" + dir.file("flat.raw") + "'");
    EXPECT_NE(text.output.find("written-in-the-overlay"), std::string::npos) << text.output;
    auto sums = run_command("cd '" + dir.path() + "' && debugfs -R 'dump /big big' flat.raw && "
                            "debugfs -R 'cat /big.sha256' flat.raw | sed 's#/mnt/big#big#' | sha256sum -c -");
    EXPECT_EQ(sums.status, 0) << sums.output;
    // And the guest sees the same on a second boot.
    ConsoleSession vm(boot_args(*guest, {"--disk", dir.file("overlay.qcow2") + ",format=qcow2"}));
    ASSERT_TRUE(boot_to_shell(vm));
    ASSERT_TRUE(guest_ok(vm, "mount -t ext4 /dev/vda /mnt && grep -q written-in-the-overlay /mnt/new.txt && "
                             "cd /mnt && sha256sum -c big.sha256"));
    EXPECT_TRUE(power_off(vm));
}

// format=qcow2 is never guessed: the same file as a raw disk shows the guest its qcow2 header.
TEST(Qcow2Boot, WithoutFormatQcow2TheFileIsARawDisk)
{
    REQUIRE_GUEST(guest);
    if (!have_program("qemu-img"))
        GTEST_SKIP() << "needs qemu-img (qemu-utils)";
    ScratchDir dir;
    ASSERT_TRUE(sh("qemu-img create -q -f qcow2 '" + dir.file("d.qcow2") + "' 16M"));
    ConsoleSession vm(boot_args(*guest, {"--disk", dir.file("d.qcow2")}));
    ASSERT_TRUE(boot_to_shell(vm));
    // "QFI\xfb" read from the raw disk; the capacity is the file's size, not 16 MiB.
    vm.send("echo MAGIC-$(head -c 3 /dev/vda)-SIZE-$(( $(cat /sys/block/vda/size) < 32768 ))\n");
    EXPECT_TRUE(vm.expect("MAGIC-QFI-SIZE-1", 30s)) << vm.recent_output();
    EXPECT_TRUE(power_off(vm));
}

}  // namespace
