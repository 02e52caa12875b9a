// qcow2 images (QEMU docs/interop/qcow2.txt) made by Debian's qemu-img and qemu-io: Vireo reads
// what QEMU wrote, QEMU reads what Vireo wrote, and `qemu-img check` finds no error and no leak in
// any image Vireo has written. Section names in test names refer to qcow2.txt.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <cstring>
#include <functional>
#include <random>

#include "disk/disk.hpp"
#include "disk/qcow2.hpp"
#include "disk_test_util.hpp"

using namespace vireo;
using namespace vireo::disk;
using namespace vireo::disk::test;

namespace {

constexpr uint64_t kMiB = 1 << 20;

std::vector<uint8_t> pattern(size_t n, uint32_t seed)
{
    std::vector<uint8_t> bytes(n);
    std::mt19937 rng(seed);
    for (auto& b : bytes)
        b = static_cast<uint8_t>(rng());
    return bytes;
}

std::unique_ptr<Image> open_ok(const std::string& path, Access access = Access::ReadWrite, Format format = Format::Qcow2)
{
    auto image = open_image(path, format, access);
    EXPECT_TRUE(image.ok()) << image.error().text();
    return image.ok() ? image.release_value() : nullptr;
}

std::vector<uint8_t> read_all(Image& image)
{
    std::vector<uint8_t> bytes(image.size());
    auto r = image.read(0, bytes);
    EXPECT_TRUE(r.ok()) << r.error().text();
    return bytes;
}

// The error from opening `path`, which must fail: one line that names the file.
std::string open_error(const std::string& path, Access access = Access::ReadWrite)
{
    auto image = open_image(path, Format::Qcow2, access);
    if (image.ok())
        return "(opened)";
    const std::string& text = image.error().text();
    EXPECT_EQ(text.find('\n'), std::string::npos) << text;
    EXPECT_NE(text.find(path), std::string::npos) << text;
    return text;
}

class Qcow2Test : public ::testing::Test {
protected:
    void SetUp() override { ASSERT_FALSE(dir.path().empty()); }
    std::string create(const std::string& name, const std::string& options, uint64_t size = 8 * kMiB)
    {
        const std::string path = dir.file(name);
        EXPECT_TRUE(sh("qemu-img create -q -f qcow2 " + options + " '" + path + "' " + std::to_string(size)));
        return path;
    }
    ScratchDir dir;
};

TEST_F(Qcow2Test, OpensAnEmptyVersion3ImageFromQemuImg_Header)
{
    REQUIRE_QEMU_IMG();
    auto path = create("v3.qcow2", "");
    auto image = open_ok(path);
    ASSERT_TRUE(image);
    auto* q = dynamic_cast<Qcow2Image*>(image.get());
    ASSERT_TRUE(q);
    EXPECT_EQ(q->version(), 3u);
    EXPECT_EQ(q->cluster_size(), 65536u);
    EXPECT_EQ(q->refcount_bits(), 16u);
    EXPECT_EQ(image->size(), 8 * kMiB);
    EXPECT_EQ(read_all(*image), std::vector<uint8_t>(8 * kMiB, 0));
}

TEST_F(Qcow2Test, OpensAVersion2Image_Header)
{
    REQUIRE_QEMU_IMG();
    auto path = create("v2.qcow2", "-o compat=0.10");
    auto image = open_ok(path);
    ASSERT_TRUE(image);
    EXPECT_EQ(dynamic_cast<Qcow2Image&>(*image).version(), 2u);
    auto data = pattern(100000, 1);
    ASSERT_TRUE(image->write(12345, data).ok());
    image.reset();
    EXPECT_TRUE(qemu_img_check(path));
    auto contents = qemu_contents(path, "qcow2", path);
    ASSERT_EQ(contents.size(), 8 * kMiB);
    EXPECT_TRUE(std::equal(data.begin(), data.end(), contents.begin() + 12345));
}

TEST_F(Qcow2Test, ReadsDataQemuWrote_ClusterMapping)
{
    REQUIRE_QEMU_IMG();
    auto path = create("q.qcow2", "");
    ASSERT_TRUE(sh("qemu-io -f qcow2 -c 'write -P 0xab 0 64k' -c 'write -P 0x5c 100k 3k' -c 'write -P 0x11 7M 1M' '" +
                   path + "'"));
    auto image = open_ok(path, Access::ReadOnly);
    ASSERT_TRUE(image);
    auto bytes = read_all(*image);
    EXPECT_EQ(bytes, qemu_contents(path, "qcow2", path));
    EXPECT_EQ(bytes[0], 0xab);
    EXPECT_EQ(bytes[100 * 1024 + 3 * 1024 - 1], 0x5c);
    EXPECT_EQ(bytes[100 * 1024 + 3 * 1024], 0);
    EXPECT_EQ(bytes[8 * kMiB - 1], 0x11);
}

TEST_F(Qcow2Test, WritesAreReadBackByQemuAndPassQemuImgCheck_HostClusterManagement)
{
    REQUIRE_QEMU_IMG();
    auto path = create("w.qcow2", "");
    std::vector<uint8_t> model(8 * kMiB, 0);
    {
        auto image = open_ok(path);
        ASSERT_TRUE(image);
        // Inside one cluster, across cluster boundaries, whole clusters, and the last byte.
        const std::pair<uint64_t, size_t> writes[] = {{0, 512}, {65536 - 100, 300}, {3 * 65536, 65536},
                                                      {5 * kMiB + 7, 200000}, {8 * kMiB - 1, 1}, {4096, 4096}};
        uint32_t seed = 10;
        for (auto [offset, len] : writes) {
            auto data = pattern(len, seed++);
            ASSERT_TRUE(image->write(offset, data).ok());
            std::copy(data.begin(), data.end(), model.begin() + static_cast<ptrdiff_t>(offset));
        }
        EXPECT_EQ(read_all(*image), model);
        ASSERT_TRUE(image->flush().ok());
    }
    EXPECT_TRUE(qemu_img_check(path));
    EXPECT_EQ(qemu_contents(path, "qcow2", path), model);
    // And a second open sees the same.
    auto again = open_ok(path, Access::ReadOnly);
    ASSERT_TRUE(again);
    EXPECT_EQ(read_all(*again), model);
}

// Small clusters make the refcount table outgrow its first cluster, so Vireo must move it.
TEST_F(Qcow2Test, SmallClustersGrowTheRefcountTable_HostClusterManagement)
{
    REQUIRE_QEMU_IMG();
    auto path = create("small.qcow2", "-o cluster_size=512", 16 * kMiB);
    std::vector<uint8_t> model(16 * kMiB, 0);
    {
        auto image = open_ok(path);
        ASSERT_TRUE(image);
        // Write every other 4 KiB over the whole disk: ~16k data clusters plus their tables.
        for (uint64_t offset = 0; offset < 16 * kMiB; offset += 8192) {
            auto data = pattern(4096, static_cast<uint32_t>(offset));
            ASSERT_TRUE(image->write(offset, data).ok()) << offset;
            std::copy(data.begin(), data.end(), model.begin() + static_cast<ptrdiff_t>(offset));
        }
        EXPECT_EQ(read_all(*image), model);
    }
    EXPECT_TRUE(qemu_img_check(path));
    EXPECT_EQ(qemu_contents(path, "qcow2", path), model);
}

class Qcow2RefcountWidth : public Qcow2Test, public ::testing::WithParamInterface<int> {};

TEST_P(Qcow2RefcountWidth, AllocatesWithEveryRefcountWidth_RefcountBlockEntry)
{
    REQUIRE_QEMU_IMG();
    const int bits = GetParam();
    auto path = create("r.qcow2", "-o cluster_size=4096,refcount_bits=" + std::to_string(bits), 4 * kMiB);
    std::vector<uint8_t> model(4 * kMiB, 0);
    {
        auto image = open_ok(path);
        ASSERT_TRUE(image);
        EXPECT_EQ(dynamic_cast<Qcow2Image&>(*image).refcount_bits(), static_cast<unsigned>(bits));
        std::mt19937 rng(static_cast<uint32_t>(bits));
        for (int i = 0; i < 200; ++i) {
            const uint64_t offset = rng() % (4 * kMiB - 20000);
            auto data = pattern(1 + rng() % 20000, static_cast<uint32_t>(rng()));
            ASSERT_TRUE(image->write(offset, data).ok());
            std::copy(data.begin(), data.end(), model.begin() + static_cast<ptrdiff_t>(offset));
        }
        EXPECT_EQ(read_all(*image), model);
    }
    EXPECT_TRUE(qemu_img_check(path));
    EXPECT_EQ(qemu_contents(path, "qcow2", path), model);
}

INSTANTIATE_TEST_SUITE_P(Widths, Qcow2RefcountWidth, ::testing::Values(1, 2, 4, 8, 16, 32, 64));

TEST_F(Qcow2Test, RawBackingFileShowsThroughAndStaysUnchanged_BackingFile)
{
    REQUIRE_QEMU_IMG();
    const std::string base = dir.file("base.raw");
    auto base_bytes = pattern(4 * kMiB, 77);
    write_whole(base, base_bytes);
    ASSERT_TRUE(sh("cd '" + dir.path() + "' && qemu-img create -q -f qcow2 -b base.raw -F raw overlay.qcow2"));
    const std::string overlay = dir.file("overlay.qcow2");
    std::vector<uint8_t> model = base_bytes;
    {
        auto image = open_ok(overlay);
        ASSERT_TRUE(image);
        ASSERT_NE(dynamic_cast<Qcow2Image&>(*image).backing(), nullptr);
        EXPECT_EQ(read_all(*image), base_bytes);
        // A partial-cluster write: the rest of the cluster must come from the backing file.
        auto data = pattern(1000, 5);
        ASSERT_TRUE(image->write(70000, data).ok());
        std::copy(data.begin(), data.end(), model.begin() + 70000);
        EXPECT_EQ(read_all(*image), model);
    }
    EXPECT_EQ(read_whole(base), base_bytes);
    EXPECT_TRUE(qemu_img_check(overlay));
    EXPECT_EQ(qemu_contents(overlay, "qcow2", overlay), model);
}

TEST_F(Qcow2Test, Qcow2BackingChainWithRelativeNamesAndASmallerBase_BackingFile)
{
    REQUIRE_QEMU_IMG();
    ASSERT_TRUE(sh("mkdir -p '" + dir.file("sub") + "'"));
    auto base = create("sub/base.qcow2", "-o cluster_size=4096", 2 * kMiB);
    ASSERT_TRUE(sh("qemu-io -f qcow2 -c 'write -P 0x42 0 2M' '" + base + "'"));
    // mid names its backing file relative to itself; top names mid relative to itself.
    ASSERT_TRUE(sh("cd '" + dir.file("sub") + "' && qemu-img create -q -f qcow2 -b base.qcow2 -F qcow2 mid.qcow2 6M"));
    ASSERT_TRUE(sh("qemu-io -f qcow2 -c 'write -P 0x43 1M 2M' '" + dir.file("sub/mid.qcow2") + "'"));
    ASSERT_TRUE(sh("cd '" + dir.path() + "' && qemu-img create -q -f qcow2 -b sub/mid.qcow2 -F qcow2 top.qcow2 8M"));
    const std::string top = dir.file("top.qcow2");
    auto expected = qemu_contents(top, "qcow2", top);
    ASSERT_EQ(expected.size(), 8 * kMiB);
    EXPECT_EQ(expected[0], 0x42);
    EXPECT_EQ(expected[kMiB], 0x43);
    EXPECT_EQ(expected[7 * kMiB], 0);  // beyond every backing file: zeros
    {
        auto image = open_ok(top);
        ASSERT_TRUE(image);
        EXPECT_EQ(read_all(*image), expected);
        auto data = pattern(3000, 9);
        ASSERT_TRUE(image->write(2 * kMiB - 1500, data).ok());  // straddles base's end
        std::copy(data.begin(), data.end(), expected.begin() + static_cast<ptrdiff_t>(2 * kMiB - 1500));
        EXPECT_EQ(read_all(*image), expected);
    }
    EXPECT_TRUE(qemu_img_check(top));
    EXPECT_EQ(qemu_contents(top, "qcow2", top), expected);
}

TEST_F(Qcow2Test, ZeroClustersReadAsZerosNotTheBackingFile_StandardClusterDescriptor)
{
    REQUIRE_QEMU_IMG();
    const std::string base = dir.file("base.raw");
    write_whole(base, std::vector<uint8_t>(2 * kMiB, 0xee));
    ASSERT_TRUE(sh("cd '" + dir.path() + "' && qemu-img create -q -f qcow2 -b base.raw -F raw z.qcow2"));
    const std::string path = dir.file("z.qcow2");
    // An unallocated zero cluster, and an allocated one turned into a zero cluster.
    ASSERT_TRUE(sh("qemu-io -f qcow2 -c 'write -z 0 64k' -c 'write -P 1 128k 64k' -c 'write -z 128k 64k' '" + path + "'"));
    auto expected = qemu_contents(path, "qcow2", path);
    EXPECT_EQ(expected[0], 0);
    EXPECT_EQ(expected[128 * 1024], 0);
    EXPECT_EQ(expected[64 * 1024], 0xee);
    {
        auto image = open_ok(path);
        ASSERT_TRUE(image);
        EXPECT_EQ(read_all(*image), expected);
        // Partial writes into zero clusters keep the rest of the cluster zero.
        auto data = pattern(100, 3);
        ASSERT_TRUE(image->write(1000, data).ok());
        ASSERT_TRUE(image->write(128 * 1024 + 1000, data).ok());
        std::copy(data.begin(), data.end(), expected.begin() + 1000);
        std::copy(data.begin(), data.end(), expected.begin() + 128 * 1024 + 1000);
        EXPECT_EQ(read_all(*image), expected);
    }
    EXPECT_TRUE(qemu_img_check(path));
    EXPECT_EQ(qemu_contents(path, "qcow2", path), expected);
}

TEST_F(Qcow2Test, PreallocatedImagesWork)
{
    REQUIRE_QEMU_IMG();
    for (const char* mode : {"metadata", "falloc"}) {
        auto path = create(std::string("p-") + mode + ".qcow2", std::string("-o preallocation=") + mode, 2 * kMiB);
        std::vector<uint8_t> model(2 * kMiB, 0);
        {
            auto image = open_ok(path);
            ASSERT_TRUE(image) << mode;
            auto data = pattern(70000, 8);
            ASSERT_TRUE(image->write(30000, data).ok());
            std::copy(data.begin(), data.end(), model.begin() + 30000);
            EXPECT_EQ(read_all(*image), model) << mode;
        }
        EXPECT_TRUE(qemu_img_check(path)) << mode;
        EXPECT_EQ(qemu_contents(path, "qcow2", path), model) << mode;
    }
}

// A differential test: random writes of random sizes, with and without a backing file and at
// several cluster sizes, against a plain byte array; QEMU must agree and find no error.
TEST_F(Qcow2Test, RandomWritesMatchAModelAndQemu)
{
    REQUIRE_QEMU_IMG();
    const std::string base = dir.file("base.raw");
    auto base_bytes = pattern(3 * kMiB, 1234);
    write_whole(base, base_bytes);
    int round = 0;
    for (const char* cluster : {"512", "4096", "65536", "2097152"}) {
        for (bool backed : {false, true}) {
            const std::string name = "rand" + std::to_string(round++) + ".qcow2";
            const std::string path = dir.file(name);
            ASSERT_TRUE(sh("cd '" + dir.path() + "' && qemu-img create -q -f qcow2 -o cluster_size=" + cluster +
                           (backed ? " -b base.raw -F raw " : " ") + name + " 4M"));
            std::vector<uint8_t> model(4 * kMiB, 0);
            if (backed)
                std::copy(base_bytes.begin(), base_bytes.end(), model.begin());
            {
                auto image = open_ok(path);
                ASSERT_TRUE(image);
                std::mt19937 rng(static_cast<uint32_t>(round));
                for (int i = 0; i < 150; ++i) {
                    const size_t len = 1 + rng() % (i % 10 == 0 ? 300000 : 9000);
                    const uint64_t offset = rng() % (4 * kMiB - len + 1);
                    auto data = pattern(len, static_cast<uint32_t>(rng()));
                    ASSERT_TRUE(image->write(offset, data).ok());
                    std::copy(data.begin(), data.end(), model.begin() + static_cast<ptrdiff_t>(offset));
                    if (i % 50 == 49) {
                        std::vector<uint8_t> check(len);
                        ASSERT_TRUE(image->read(offset, check).ok());
                        EXPECT_EQ(check, data);
                    }
                }
                EXPECT_EQ(read_all(*image), model) << name;
            }
            EXPECT_TRUE(qemu_img_check(path)) << name;
            EXPECT_EQ(qemu_contents(path, "qcow2", path), model) << name;
        }
    }
}

TEST_F(Qcow2Test, CompressedImagesAreRefusedWithAClearError_CompressedClusters)
{
    REQUIRE_QEMU_IMG();
    auto src = create("src.qcow2", "");
    ASSERT_TRUE(sh("qemu-io -f qcow2 -c 'write -P 0x33 0 1M' '" + src + "'"));
    const std::string packed = dir.file("packed.qcow2");
    ASSERT_TRUE(sh("qemu-img convert -c -O qcow2 '" + src + "' '" + packed + "'"));
    EXPECT_NE(open_error(packed).find("compressed clusters are not supported"), std::string::npos);
    EXPECT_NE(open_error(packed, Access::ReadOnly).find("compressed"), std::string::npos);
}

TEST_F(Qcow2Test, EncryptedImagesAreRefused_Header)
{
    REQUIRE_QEMU_IMG();
    const std::string path = dir.file("enc.qcow2");
    // LUKS key setup times the host's CPU and can fail on a busy machine ("Unable to get accurate
    // CPU usage"): retry, then fall back to an image whose header says LUKS.
    bool made = false;
    for (int attempt = 0; attempt < 3 && !made; ++attempt)
        made = run_command("qemu-img create -q -f qcow2 --object secret,id=s0,data=hunter2 -o "
                           "encrypt.format=luks,encrypt.key-secret=s0,encrypt.iter-time=10 '" + path + "' 1M")
                   .status == 0;
    if (!made) {
        ASSERT_TRUE(sh("qemu-img create -q -f qcow2 '" + path + "' 1M"));
        auto b = read_whole(path);
        b[35] = 2;  // crypt_method = LUKS
        write_whole(path, b);
    }
    EXPECT_NE(open_error(path).find("encrypted images (LUKS) are not supported"), std::string::npos);
}

TEST_F(Qcow2Test, SnapshotsOpenReadOnlyOnly_Snapshots)
{
    REQUIRE_QEMU_IMG();
    auto path = create("snap.qcow2", "");
    ASSERT_TRUE(sh("qemu-io -f qcow2 -c 'write -P 7 0 64k' '" + path + "'"));
    ASSERT_TRUE(sh("qemu-img snapshot -c first '" + path + "'"));
    ASSERT_TRUE(sh("qemu-io -f qcow2 -c 'write -P 8 0 4k' '" + path + "'"));
    EXPECT_NE(open_error(path).find("internal snapshots"), std::string::npos);
    auto image = open_ok(path, Access::ReadOnly);
    ASSERT_TRUE(image);
    EXPECT_EQ(read_all(*image), qemu_contents(path, "qcow2", path));
}

// Writing would make the bitmaps stale, and the spec's remedy (clearing the auto-clear bit) leaves
// their clusters leaked as far as `qemu-img check` is concerned; so such images open read-only.
TEST_F(Qcow2Test, ImagesWithBitmapsOpenReadOnlyOnly_AutoclearFeatures)
{
    REQUIRE_QEMU_IMG();
    auto path = create("bm.qcow2", "");
    ASSERT_TRUE(sh("qemu-img bitmap --add '" + path + "' b0"));
    EXPECT_NE(open_error(path).find("bitmaps"), std::string::npos);
    EXPECT_TRUE(open_ok(path, Access::ReadOnly));
    EXPECT_TRUE(qemu_img_check(path));
}

TEST_F(Qcow2Test, UnknownAutoclearBitsAreClearedBeforeWriting_AutoclearFeatures)
{
    REQUIRE_QEMU_IMG();
    auto path = create("ac.qcow2", "");
    auto b = read_whole(path);
    b[88] = 0x80;  // bit 63: unknown to everyone
    write_whole(path, b);
    {
        auto image = open_ok(path);
        ASSERT_TRUE(image);
        auto data = pattern(4096, 1);
        ASSERT_TRUE(image->write(0, data).ok());
    }
    EXPECT_EQ(read_whole(path)[88], 0);
    EXPECT_TRUE(qemu_img_check(path));
}

TEST_F(Qcow2Test, BackingFileProblemsNameTheFiles_BackingFile)
{
    REQUIRE_QEMU_IMG();
    const std::string base = dir.file("gone.raw");
    write_whole(base, std::vector<uint8_t>(65536, 1));
    ASSERT_TRUE(sh("cd '" + dir.path() + "' && qemu-img create -q -f qcow2 -b gone.raw -F raw o.qcow2"));
    ::unlink(base.c_str());
    const std::string overlay = dir.file("o.qcow2");
    std::string error = open_error(overlay);
    EXPECT_NE(error.find("backing file " + base + ": No such file or directory"), std::string::npos) << error;

    // No recorded format (an image from before QEMU 6.1): refused rather than guessed. qemu-img
    // no longer makes such images, so rename the format extension to an unknown (ignored) one.
    write_whole(base, std::vector<uint8_t>(65536, 1));
    ASSERT_TRUE(sh("cd '" + dir.path() + "' && qemu-img create -q -f qcow2 -b gone.raw -F raw nofmt.qcow2"));
    auto b = read_whole(dir.file("nofmt.qcow2"));
    const uint8_t format_ext[] = {0xe2, 0x79, 0x2a, 0xca};
    auto at = std::search(b.begin(), b.end(), std::begin(format_ext), std::end(format_ext));
    ASSERT_NE(at, b.end());
    *at = 0x12;
    write_whole(dir.file("nofmt.qcow2"), b);
    error = open_error(dir.file("nofmt.qcow2"));
    EXPECT_NE(error.find("no recorded format"), std::string::npos) << error;

    // A loop: an image that is its own backing file.
    ASSERT_TRUE(sh("cd '" + dir.path() + "' && qemu-img create -q -f qcow2 loop.qcow2 1M && qemu-img rebase -u -b loop.qcow2 -F qcow2 loop.qcow2"));
    error = open_error(dir.file("loop.qcow2"), Access::ReadOnly);
    EXPECT_NE(error.find("loop"), std::string::npos) << error;
}

// A hostile image names a device or a FIFO as its backing file: refused, and the open does not
// block on the FIFO.
TEST_F(Qcow2Test, BackingFilesMustBeRegularFiles_BackingFile)
{
    REQUIRE_QEMU_IMG();
    ASSERT_EQ(::mkfifo(dir.file("fifo").c_str(), 0600), 0);
    for (const std::string& backing : {std::string("/dev/zero"), dir.file("fifo")}) {
        const std::string path = dir.file("dev.qcow2");
        ::unlink(path.c_str());
        ASSERT_TRUE(sh("qemu-img create -q -f qcow2 -u -b '" + backing + "' -F raw '" + path + "' 1M"));
        const std::string error = open_error(path, Access::ReadOnly);
        EXPECT_NE(error.find("not a regular file or block device"), std::string::npos) << error;
    }
}

// Refcounts that are too low (a cluster in use counted as free) must not make Vireo hand that
// cluster out again: what the guest wrote before survives new allocations.
TEST_F(Qcow2Test, ClustersInUseAreNotReallocatedWhenRefcountsSayFree)
{
    REQUIRE_QEMU_IMG();
    auto path = create("low.qcow2", "-o cluster_size=4096", 1 * kMiB);
    ASSERT_TRUE(sh("qemu-io -f qcow2 -c 'write -P 0x77 0 64k' '" + path + "'"));
    auto b = read_whole(path);
    // Zero the whole first refcount block: every cluster, in use or not, now reads as free.
    uint64_t rt = 0, block = 0;
    for (int i = 0; i < 8; ++i)
        rt = rt << 8 | b[48 + static_cast<size_t>(i)];
    for (int i = 0; i < 8; ++i)
        block = block << 8 | b[rt + static_cast<size_t>(i)];
    ASSERT_NE(block, 0u);
    std::fill(b.begin() + static_cast<ptrdiff_t>(block), b.begin() + static_cast<ptrdiff_t>(block + 4096), uint8_t{0});
    write_whole(path, b);
    auto image = open_ok(path);
    ASSERT_TRUE(image);
    auto data = pattern(200000, 4);
    ASSERT_TRUE(image->write(512 * 1024, data).ok());
    std::vector<uint8_t> first(64 * 1024);
    ASSERT_TRUE(image->read(0, first).ok());
    EXPECT_EQ(first, std::vector<uint8_t>(64 * 1024, 0x77));
    std::vector<uint8_t> back(data.size());
    ASSERT_TRUE(image->read(512 * 1024, back).ok());
    EXPECT_EQ(back, data);
}

TEST_F(Qcow2Test, LocksKeepWritersApart)
{
    REQUIRE_QEMU_IMG();
    const std::string base = dir.file("base.raw");
    write_whole(base, std::vector<uint8_t>(65536, 1));
    ASSERT_TRUE(sh("cd '" + dir.path() + "' && qemu-img create -q -f qcow2 -b base.raw -F raw a.qcow2 && "
                   "qemu-img create -q -f qcow2 -b base.raw -F raw b.qcow2"));
    auto a = open_ok(dir.file("a.qcow2"));
    ASSERT_TRUE(a);
    EXPECT_NE(open_error(dir.file("a.qcow2")).find("in use"), std::string::npos);
    // Two overlays may share a base; nobody may write the base meanwhile.
    auto b = open_ok(dir.file("b.qcow2"));
    EXPECT_TRUE(b);
    auto base_rw = open_image(base, Format::Raw, Access::ReadWrite);
    ASSERT_FALSE(base_rw.ok());
    EXPECT_NE(base_rw.error().text().find("in use"), std::string::npos);
}

TEST_F(Qcow2Test, ReadOnlyImagesRefuseWrites)
{
    REQUIRE_QEMU_IMG();
    auto path = create("ro.qcow2", "");
    auto image = open_ok(path, Access::ReadOnly);
    ASSERT_TRUE(image);
    uint8_t byte = 1;
    EXPECT_FALSE(image->write(0, {&byte, 1}).ok());
    EXPECT_FALSE(image->read(8 * kMiB, {&byte, 1}).ok());  // beyond the end
}

// ---- Corrupt and truncated files: one-line errors, never a crash. ----

class Qcow2CorruptTest : public Qcow2Test {
protected:
    // A small image with data in a few clusters, as bytes to damage.
    void SetUp() override
    {
        Qcow2Test::SetUp();
        if (!have_program("qemu-img"))
            return;
        good = create("good.qcow2", "-o cluster_size=4096", 1 * kMiB);
        ASSERT_TRUE(sh("qemu-io -f qcow2 -c 'write -P 9 0 8k' -c 'write -P 10 512k 4k' '" + good + "'"));
        bytes = read_whole(good);
        ASSERT_GT(bytes.size(), 4096u * 5);
    }
    std::string damaged(const std::vector<uint8_t>& b)
    {
        const std::string path = dir.file("bad" + std::to_string(counter++) + ".qcow2");
        write_whole(path, b);
        return path;
    }
    static void put32(std::vector<uint8_t>& b, size_t at, uint32_t v)
    {
        for (int i = 0; i < 4; ++i)
            b[at + static_cast<size_t>(i)] = static_cast<uint8_t>(v >> (24 - 8 * i));
    }
    static void put64(std::vector<uint8_t>& b, size_t at, uint64_t v)
    {
        for (int i = 0; i < 8; ++i)
            b[at + static_cast<size_t>(i)] = static_cast<uint8_t>(v >> (56 - 8 * i));
    }
    static uint64_t get64(const std::vector<uint8_t>& b, size_t at)
    {
        uint64_t v = 0;
        for (int i = 0; i < 8; ++i)
            v = v << 8 | b[at + static_cast<size_t>(i)];
        return v;
    }
    std::string good;
    std::vector<uint8_t> bytes;
    int counter = 0;
};

TEST_F(Qcow2CorruptTest, DamagedHeaderFieldsGiveOneLineErrors_Header)
{
    REQUIRE_QEMU_IMG();
    struct Case {
        const char* expect;
        std::function<void(std::vector<uint8_t>&)> damage;
    };
    const Case cases[] = {
        {"no QFI", [](auto& b) { b[0] = 'X'; }},
        {"version 4", [](auto& b) { put32(b, 4, 4); }},
        {"cluster_bits 8", [](auto& b) { put32(b, 20, 8); }},
        {"cluster_bits 22", [](auto& b) { put32(b, 20, 22); }},
        {"cluster_bits 4294967295", [](auto& b) { put32(b, 20, 0xffffffff); }},
        {"header_length", [](auto& b) { put32(b, 100, 7); }},
        {"header_length", [](auto& b) { put32(b, 100, 1 << 20); }},
        {"refcount_order 7", [](auto& b) { put32(b, 96, 7); }},
        {"unknown incompatible features 0x20", [](auto& b) { b[79] |= 0x20; }},
        {"dirty", [](auto& b) { b[79] |= 1; }},
        {"marked corrupt", [](auto& b) { b[79] |= 2; }},
        {"external data files", [](auto& b) { b[79] |= 4; }},
        {"extended L2", [](auto& b) { b[79] |= 16; }},
        {"encrypted images (AES)", [](auto& b) { put32(b, 32, 1); }},
        {"virtual size", [](auto& b) { put64(b, 24, ~uint64_t{0}); }},
        {"L1 table (0 entries) is too small", [](auto& b) { put32(b, 36, 0); }},
        {"larger than 32 MiB", [](auto& b) { put32(b, 36, 0xffffffff); put64(b, 24, uint64_t{1} << 52); }},
        {"L1 table offset", [](auto& b) { put64(b, 40, 4097); }},
        {"L1 table at", [](auto& b) { put64(b, 40, uint64_t{1} << 50); }},
        {"refcount table offset", [](auto& b) { put64(b, 48, 0); }},
        {"refcount table size", [](auto& b) { put32(b, 56, 0); }},
        {"refcount table size", [](auto& b) { put32(b, 56, 0x10000000); }},
        {"refcount table at", [](auto& b) { put64(b, 48, uint64_t{1} << 40); }},
        {"overlaps other metadata", [](auto& b) { put64(b, 48, get64(b, 40)); }},
        {"header extension 0x12345678 of", [](auto& b) { put32(b, 112, 0x12345678); put32(b, 112 + 4, 0xffffff00); }},
        {"header extensions run past", [](auto& b) {
             for (size_t at = 112; at < 4096; at += 8) {
                 put32(b, at, 0x11111111);  // an unknown extension of no bytes, again and again
                 put32(b, at + 4, 0);
             }
         }},
        {"backing file name", [](auto& b) { put64(b, 8, 4000); put32(b, 16, 500); }},
        {"backing file name", [](auto& b) { put64(b, 8, 200); put32(b, 16, 1024); }},
        {"internal snapshots", [](auto& b) { put32(b, 60, 1); }},
    };
    for (const Case& c : cases) {
        auto b = bytes;
        c.damage(b);
        const std::string path = damaged(b);
        const std::string error = open_error(path);
        EXPECT_NE(error.find(c.expect), std::string::npos) << "expected '" << c.expect << "' in: " << error;
    }
}

TEST_F(Qcow2CorruptTest, DamagedTableEntriesGiveOneLineErrors_ClusterMapping)
{
    REQUIRE_QEMU_IMG();
    const uint64_t l1_offset = get64(bytes, 40);
    const uint64_t rt_offset = get64(bytes, 48);
    const uint64_t l2_offset = get64(bytes, l1_offset) & 0x00fffffffffffe00ull;
    ASSERT_NE(l2_offset, 0u);
    struct Case {
        const char* expect;
        std::function<void(std::vector<uint8_t>&)> damage;
    };
    const Case cases[] = {
        {"L1 entry 0", [&](auto& b) { put64(b, l1_offset, get64(b, l1_offset) | 1); }},
        {"L1 entry 0", [&](auto& b) { put64(b, l1_offset, (get64(b, l1_offset) | 0x200)); }},
        {"points past the end", [&](auto& b) { put64(b, l1_offset, uint64_t{1} << 40 | (uint64_t{1} << 63)); }},
        {"overlaps other metadata", [&](auto& b) { put64(b, l1_offset, rt_offset | (uint64_t{1} << 63)); }},
        {"refcount table entry 0", [&](auto& b) { put64(b, rt_offset, get64(b, rt_offset) | 3); }},
        {"refcount block 0 is past the end", [&](auto& b) { put64(b, rt_offset, uint64_t{1} << 40); }},
        {"reserved bits", [&](auto& b) { put64(b, l2_offset, get64(b, l2_offset) | 0x100); }},
        {"compressed clusters", [&](auto& b) { put64(b, l2_offset, get64(b, l2_offset) | (uint64_t{1} << 62)); }},
        {"past the end of the file", [&](auto& b) { put64(b, l2_offset, (uint64_t{1} << 40) | (uint64_t{1} << 63)); }},
        {"overlaps metadata", [&](auto& b) { put64(b, l2_offset, l1_offset | (uint64_t{1} << 63)); }},
        {"referenced twice", [&](auto& b) { put64(b, l2_offset + 16, get64(b, l2_offset)); }},
    };
    for (const Case& c : cases) {
        auto b = bytes;
        c.damage(b);
        const std::string path = damaged(b);
        const std::string error = open_error(path);
        EXPECT_NE(error.find(c.expect), std::string::npos) << "expected '" << c.expect << "' in: " << error;
    }
}

TEST_F(Qcow2CorruptTest, EveryTruncationIsAnErrorOrReadsCleanly)
{
    REQUIRE_QEMU_IMG();
    // Cut the file at every 512 bytes up to its size (and a few odd places): opening either fails
    // with one line or gives an image every byte of which can be read.
    for (size_t size = 0; size < bytes.size(); size += (size < 200 ? 13 : 512)) {
        std::vector<uint8_t> b(bytes.begin(), bytes.begin() + static_cast<ptrdiff_t>(size));
        const std::string path = damaged(b);
        auto image = open_image(path, Format::Qcow2, Access::ReadWrite);
        if (!image.ok()) {
            EXPECT_EQ(image.error().text().find('\n'), std::string::npos);
            EXPECT_NE(image.error().text().find(path), std::string::npos) << image.error().text();
            continue;
        }
        std::vector<uint8_t> all(image.value()->size());
        EXPECT_TRUE(image.value()->read(0, all).ok());
        ::unlink(path.c_str());
    }
}

TEST_F(Qcow2CorruptTest, ShortFilesAreNotQcow2)
{
    REQUIRE_QEMU_IMG();
    const std::string path = damaged({'Q', 'F', 'I', 0xfb});
    EXPECT_NE(open_error(path).find("only 4 bytes long"), std::string::npos);
}

}  // namespace
