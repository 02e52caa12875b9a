// virtio-blk (virtio 1.2 §5.2) on a temporary raw image, through virtio-mmio and the mock driver.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "base/assert.hpp"
#include "base/bytes.hpp"
#include "device_kit.hpp"
#include "mock_driver.hpp"

using namespace vireo;
using namespace vireo::virtio;
using namespace vireo::virtio::test;

namespace {

constexpr uint64_t kSectors = 64;

struct Completion {
    uint8_t status = 0xff;
    uint32_t used_len = 0;
    std::vector<uint8_t> data;  // what the device wrote into the data buffers
};

class BlockTest : public ::testing::Test {
protected:
    void open(Block::Options options = {})
    {
        auto opened = Block::open(image.path(), options);
        ASSERT_TRUE(opened.ok()) << opened.error().text();
        block = opened.release_value();
        machine = std::make_unique<TestMachine>(*block);
        ASSERT_TRUE(machine->driver.init(~uint64_t{0}));
    }
    MockDriver& driver() { return machine->driver; }

    // §5.2.6: header (type, reserved, sector), data, status. `in_splits` divides the device-writable
    // data into buffers of those sizes.
    Completion request(uint32_t type, uint64_t sector, std::vector<uint8_t> out_data, std::vector<uint32_t> in_splits,
                       Layout layout = Layout::Direct, bool with_status = true)
    {
        uint8_t header[16] = {};
        store_le<uint32_t>(header, type);
        store_le<uint64_t>(header + 8, sector);
        std::vector<Buffer> buffers{driver().readable(header)};
        if (!out_data.empty())
            buffers.push_back(driver().readable(out_data));
        std::vector<Buffer> in;
        for (uint32_t len : in_splits)
            in.push_back(driver().writable(len));
        buffers.insert(buffers.end(), in.begin(), in.end());
        Buffer status = driver().writable(1, 0xee);
        if (with_status)
            buffers.push_back(status);
        uint16_t head = driver().ring(0).add_chain(buffers, layout);
        driver().notify(0);

        Completion c;
        auto used = driver().ring(0).next_used();
        EXPECT_TRUE(used.has_value()) << "the request was not completed";
        if (!used)
            return c;
        EXPECT_EQ(used->id, head);
        c.used_len = used->len;
        c.status = driver().read_guest(status.addr, 1)[0];
        for (const Buffer& b : in) {
            auto bytes = driver().read_guest(b.addr, b.len);
            c.data.insert(c.data.end(), bytes.begin(), bytes.end());
        }
        EXPECT_NE(driver().take_interrupt() & VIRTIO_MMIO_INT_VRING, 0u);
        return c;
    }
    std::vector<uint8_t> image_bytes(uint64_t offset, size_t len)
    {
        std::vector<uint8_t> out(len);
        for (size_t i = 0; i < len; ++i)
            out[i] = TempImage::pattern(offset + i);
        return out;
    }

    TempImage image{kSectors * 512};
    std::unique_ptr<Block> block;
    std::unique_ptr<TestMachine> machine;
};

TEST_F(BlockTest, ConfigReportsCapacityAndSegMax_5_2_4)
{
    open();
    EXPECT_EQ(driver().read32(VIRTIO_MMIO_DEVICE_ID), 2u);
    // A 64-bit field is read as two 32-bit halves (§4.2.2.2).
    uint64_t capacity = driver().read_config(0, 4) | (driver().read_config(4, 4) << 32);
    EXPECT_EQ(capacity, kSectors);
    EXPECT_EQ(driver().read_config(12, 4), Block::kQueueSize - 2u);
}

TEST_F(BlockTest, OffersFlushAndNotReadOnly_5_2_3)
{
    open();
    uint64_t features = driver().device_features();
    EXPECT_NE(features & feature_bit(Block::VIRTIO_BLK_F_FLUSH), 0u);
    EXPECT_EQ(features & feature_bit(Block::VIRTIO_BLK_F_RO), 0u);
    EXPECT_NE(features & feature_bit(VIRTIO_F_VERSION_1), 0u);
}

TEST_F(BlockTest, ReadReturnsTheImageSectors_5_2_6)
{
    open();
    Completion c = request(Block::VIRTIO_BLK_T_IN, 3, {}, {1024});
    EXPECT_EQ(c.status, Block::VIRTIO_BLK_S_OK);
    EXPECT_EQ(c.used_len, 1025u);  // data and status (§2.7.8.2)
    EXPECT_EQ(c.data, image_bytes(3 * 512, 1024));
}

TEST_F(BlockTest, ReadIntoOddlySplitBuffers_2_7_4_1)
{
    open();
    Completion c = request(Block::VIRTIO_BLK_T_IN, 10, {}, {100, 412, 1, 511});
    EXPECT_EQ(c.status, Block::VIRTIO_BLK_S_OK);
    EXPECT_EQ(c.data, image_bytes(10 * 512, 1024));
}

TEST_F(BlockTest, ReadThroughAnIndirectTable_2_7_5_3)
{
    open();
    Completion c = request(Block::VIRTIO_BLK_T_IN, 63, {}, {256, 256}, Layout::Indirect);
    EXPECT_EQ(c.status, Block::VIRTIO_BLK_S_OK);
    EXPECT_EQ(c.data, image_bytes(63 * 512, 512));
}

TEST_F(BlockTest, WriteReachesTheImage_5_2_6)
{
    open();
    std::vector<uint8_t> data(1024);
    for (size_t i = 0; i < data.size(); ++i)
        data[i] = static_cast<uint8_t>(i * 3 + 1);
    Completion c = request(Block::VIRTIO_BLK_T_OUT, 5, data, {});
    EXPECT_EQ(c.status, Block::VIRTIO_BLK_S_OK);
    EXPECT_EQ(c.used_len, 1u);
    EXPECT_EQ(image.read(5 * 512, 1024), data);
    EXPECT_EQ(image.read(7 * 512, 16), image_bytes(7 * 512, 16));  // neighbours untouched
    // And reads see it.
    Completion back = request(Block::VIRTIO_BLK_T_IN, 5, {}, {1024});
    EXPECT_EQ(back.data, data);
}

TEST_F(BlockTest, FlushSucceeds_5_2_6)
{
    open();
    Completion c = request(Block::VIRTIO_BLK_T_FLUSH, 0, {}, {});
    EXPECT_EQ(c.status, Block::VIRTIO_BLK_S_OK);
    EXPECT_EQ(c.used_len, 1u);
}

TEST_F(BlockTest, GetIdReturnsTheSerialNulPadded_5_2_6)
{
    open(Block::Options{Block::Access::ReadWrite, "vireo-disk-1"});
    Completion c = request(Block::VIRTIO_BLK_T_GET_ID, 0, {}, {20});
    EXPECT_EQ(c.status, Block::VIRTIO_BLK_S_OK);
    ASSERT_EQ(c.data.size(), 20u);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(c.data.data())), "vireo-disk-1");
    EXPECT_EQ(c.data[19], 0);
}

TEST_F(BlockTest, GetIdDefaultsToTheFileNameCutTo20Bytes_5_2_6)
{
    open();
    Completion c = request(Block::VIRTIO_BLK_T_GET_ID, 0, {}, {20});
    std::string name = image.path().substr(image.path().rfind('/') + 1);
    EXPECT_EQ(std::string(c.data.begin(), c.data.begin() + static_cast<ptrdiff_t>(std::min<size_t>(name.size(), 20))),
              name.substr(0, 20));
}

TEST_F(BlockTest, ReadOnlyDiskFailsWritesAndKeepsTheImage_5_2_6_2)
{
    open(Block::Options{Block::Access::ReadOnly, ""});
    EXPECT_NE(driver().device_features() & feature_bit(Block::VIRTIO_BLK_F_RO), 0u);
    std::vector<uint8_t> data(512, 0x55);
    Completion c = request(Block::VIRTIO_BLK_T_OUT, 0, data, {});
    EXPECT_EQ(c.status, Block::VIRTIO_BLK_S_IOERR);
    EXPECT_EQ(image.read(0, 512), image_bytes(0, 512));
    EXPECT_EQ(request(Block::VIRTIO_BLK_T_IN, 0, {}, {512}).status, Block::VIRTIO_BLK_S_OK);
}

TEST_F(BlockTest, SectorsBeyondTheEndGiveIoErr_5_2_6)
{
    open();
    EXPECT_EQ(request(Block::VIRTIO_BLK_T_IN, kSectors, {}, {512}).status, Block::VIRTIO_BLK_S_IOERR);
    EXPECT_EQ(request(Block::VIRTIO_BLK_T_IN, kSectors - 1, {}, {1024}).status, Block::VIRTIO_BLK_S_IOERR);
    EXPECT_EQ(request(Block::VIRTIO_BLK_T_IN, ~uint64_t{0}, {}, {512}).status, Block::VIRTIO_BLK_S_IOERR);
    EXPECT_EQ(request(Block::VIRTIO_BLK_T_IN, uint64_t{1} << 55, {}, {512}).status, Block::VIRTIO_BLK_S_IOERR);
    std::vector<uint8_t> data(1024, 0x77);
    EXPECT_EQ(request(Block::VIRTIO_BLK_T_OUT, kSectors - 1, data, {}).status, Block::VIRTIO_BLK_S_IOERR);
    EXPECT_EQ(image.read((kSectors - 1) * 512, 512), image_bytes((kSectors - 1) * 512, 512));
    // The last sector itself is fine.
    EXPECT_EQ(request(Block::VIRTIO_BLK_T_IN, kSectors - 1, {}, {512}).status, Block::VIRTIO_BLK_S_OK);
}

TEST_F(BlockTest, FailedReadZeroFillsSoTheUsedLengthIsExact_2_7_8_2)
{
    open();
    Completion c = request(Block::VIRTIO_BLK_T_IN, kSectors, {}, {512});
    EXPECT_EQ(c.status, Block::VIRTIO_BLK_S_IOERR);
    EXPECT_EQ(c.used_len, 513u);
    EXPECT_EQ(c.data, std::vector<uint8_t>(512, 0));
}

TEST_F(BlockTest, DataNotAMultipleOf512GivesIoErr_5_2_6_1)
{
    open();
    EXPECT_EQ(request(Block::VIRTIO_BLK_T_IN, 0, {}, {100}).status, Block::VIRTIO_BLK_S_IOERR);
    std::vector<uint8_t> data(700, 1);
    EXPECT_EQ(request(Block::VIRTIO_BLK_T_OUT, 0, data, {}).status, Block::VIRTIO_BLK_S_IOERR);
    EXPECT_EQ(image.read(0, 700), image_bytes(0, 700));
}

TEST_F(BlockTest, UnknownRequestTypeIsUnsupported_5_2_6)
{
    open();
    EXPECT_EQ(request(11 /* DISCARD, not offered */, 0, {}, {}).status, Block::VIRTIO_BLK_S_UNSUPP);
    EXPECT_EQ(request(0x7777, 0, {}, {}).status, Block::VIRTIO_BLK_S_UNSUPP);
}

TEST_F(BlockTest, ShortHeaderGivesIoErr)
{
    open();
    uint8_t half_header[8] = {};
    Buffer buffers[] = {driver().readable(half_header), driver().writable(1)};
    driver().ring(0).add_chain(buffers);
    driver().notify(0);
    auto used = driver().ring(0).next_used();
    ASSERT_TRUE(used.has_value());
    EXPECT_EQ(driver().read_guest(buffers[1].addr, 1)[0], Block::VIRTIO_BLK_S_IOERR);
}

TEST_F(BlockTest, RequestWithoutRoomForStatusIsReturnedEmptyAndTheDeviceCarriesOn)
{
    open();
    Completion c = request(Block::VIRTIO_BLK_T_FLUSH, 0, {}, {}, Layout::Direct, /*with_status=*/false);
    EXPECT_EQ(c.used_len, 0u);
    EXPECT_FALSE(driver().needs_reset());
    EXPECT_EQ(request(Block::VIRTIO_BLK_T_IN, 0, {}, {512}).status, Block::VIRTIO_BLK_S_OK);
}

TEST_F(BlockTest, OneNotificationServesEveryPendingRequest_2_7_13_4)
{
    open();
    uint8_t header[16] = {};
    std::vector<Buffer> statuses;
    for (int i = 0; i < 3; ++i) {
        Buffer status = driver().writable(1);
        Buffer chain[] = {driver().readable(header), driver().writable(512), status};
        statuses.push_back(status);
        driver().ring(0).add_chain(chain);
    }
    driver().notify(0);
    for (int i = 0; i < 3; ++i)
        EXPECT_TRUE(driver().ring(0).next_used().has_value());
    EXPECT_EQ(driver().read_guest(statuses[2].addr, 1)[0], Block::VIRTIO_BLK_S_OK);
}

TEST_F(BlockTest, WritesWorkWhenTheDriverDeclinesFlush_5_2_6_2)
{
    auto opened = Block::open(image.path());
    ASSERT_TRUE(opened.ok());
    block = opened.release_value();
    machine = std::make_unique<TestMachine>(*block);
    ASSERT_TRUE(driver().init(~feature_bit(Block::VIRTIO_BLK_F_FLUSH)));
    std::vector<uint8_t> data(512, 0x42);
    EXPECT_EQ(request(Block::VIRTIO_BLK_T_OUT, 1, data, {}).status, Block::VIRTIO_BLK_S_OK);
    EXPECT_EQ(image.read(512, 512), data);
}

TEST(BlockOpen, MissingFileIsAnErrorNamingIt)
{
    auto r = Block::open("/nonexistent/vireo-disk.img");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().text(), "disk image /nonexistent/vireo-disk.img: No such file or directory");
}

TEST(BlockOpen, DirectoryIsRejected)
{
    auto r = Block::open(::testing::TempDir(), Block::Options{Block::Access::ReadOnly, ""});
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().text().find("not a regular file"), std::string::npos) << r.error().text();
}

TEST(BlockOpen, UnreadableFileIsAnErrorNamingIt)
{
    if (::geteuid() == 0)
        GTEST_SKIP() << "root reads everything";
    TempImage image(512);
    ::chmod(image.path().c_str(), 0);
    auto r = Block::open(image.path());
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().text(), "disk image " + image.path() + ": Permission denied");
}

TEST(BlockOpen, SecondWriterIsRefused)
{
    TempImage image(512);
    auto first = Block::open(image.path());
    ASSERT_TRUE(first.ok());
    auto second = Block::open(image.path());
    ASSERT_FALSE(second.ok());
    EXPECT_NE(second.error().text().find("in use"), std::string::npos);
}

TEST(BlockOpen, CapacityRoundsDownToWholeSectors)
{
    TempImage image(512 * 3 + 100);
    auto block = Block::open(image.path());
    ASSERT_TRUE(block.ok());
    EXPECT_EQ(block.value()->capacity_sectors(), 3u);
}

}  // namespace
