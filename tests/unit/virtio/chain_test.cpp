// The reader and writer over a popped chain: one byte stream across the chain's buffers, never
// beyond them (virtio 1.2 §2.7.4: the device makes no assumption about how buffers are split).
#include <gtest/gtest.h>

#include <numeric>

#include "base/assert.hpp"
#include "mock_driver.hpp"

using namespace vireo;
using namespace vireo::virtio;
using namespace vireo::virtio::test;

namespace {

class Chain : public ::testing::Test {
protected:
    Chain() : ring(ram, allocator, 8), queue(8)
    {
        queue.set_desc_table(ring.desc());
        queue.set_avail_ring(ring.avail());
        queue.set_used_ring(ring.used());
        queue.set_ready(true);
    }
    DescriptorChain make(std::vector<Buffer> buffers)
    {
        ring.add_chain(buffers);
        auto r = queue.pop(ram);
        VERIFY(r.ok() && r.value().has_value());
        return std::move(*r.value());
    }
    Buffer readable_bytes(uint8_t first, uint32_t len)
    {
        std::vector<uint8_t> bytes(len);
        std::iota(bytes.begin(), bytes.end(), first);
        Buffer b{allocator.alloc(len, 8), len, false};
        EXPECT_TRUE(ram.write(b.addr, bytes).ok());
        return b;
    }
    Buffer writable(uint32_t len) { return Buffer{allocator.alloc(len, 8), len, true}; }

    memory::GuestMemory ram = make_ram();
    GuestAllocator allocator{kRamBase + 0x1000, kRamSize - 0x1000};
    DriverRing ring;
    Queue queue;
};

TEST_F(Chain, ReaderCrossesBufferBoundaries)
{
    DescriptorChain chain = make({readable_bytes(0, 3), readable_bytes(3, 5), writable(4)});
    ChainReader reader(ram, chain);
    EXPECT_EQ(reader.remaining(), 8u);
    uint8_t got[6];
    EXPECT_EQ(reader.read(got), 6u);
    for (uint8_t i = 0; i < 6; ++i)
        EXPECT_EQ(got[i], i);
    EXPECT_EQ(reader.remaining(), 2u);
    EXPECT_EQ(reader.read(got), 2u);  // short: only what the chain holds
    EXPECT_EQ(got[1], 7);
    EXPECT_EQ(reader.read(got), 0u);
    EXPECT_EQ(reader.bytes_read(), 8u);
}

TEST_F(Chain, ReadExactConsumesNothingWhenTooShort)
{
    DescriptorChain chain = make({readable_bytes(10, 4)});
    ChainReader reader(ram, chain);
    uint8_t big[5];
    EXPECT_FALSE(reader.read_exact(big));
    EXPECT_EQ(reader.remaining(), 4u);
    uint8_t small[4];
    EXPECT_TRUE(reader.read_exact(small));
    EXPECT_EQ(small[3], 13);
}

TEST_F(Chain, ReaderNeverSeesWritableBuffers_2_7_5_1)
{
    DescriptorChain chain = make({writable(16)});
    ChainReader reader(ram, chain);
    EXPECT_EQ(reader.remaining(), 0u);
    EXPECT_TRUE(reader.peek(100).empty());
}

TEST_F(Chain, WriterNeverTouchesReadableBuffers_2_7_5_1)
{
    Buffer r = readable_bytes(0, 4);
    Buffer w1 = writable(2), w2 = writable(3);
    DescriptorChain chain = make({r, w1, w2});
    ChainWriter writer(ram, chain);
    EXPECT_EQ(writer.remaining(), 5u);
    uint8_t data[] = {9, 9, 9, 9, 9, 9, 9};
    EXPECT_EQ(writer.write(data), 5u);
    EXPECT_EQ(writer.written(), 5u);
    uint8_t check[4];
    ASSERT_TRUE(ram.read(r.addr, check).ok());
    EXPECT_EQ(check[0], 0);
    EXPECT_EQ(check[3], 3);
    uint8_t tail[3];
    ASSERT_TRUE(ram.read(w2.addr, tail).ok());
    EXPECT_EQ(tail[2], 9);
}

TEST_F(Chain, WriterSplitPutsATrailerAfterTheData)
{
    Buffer w1 = writable(4), w2 = writable(4);
    DescriptorChain chain = make({w1, w2});
    ChainWriter data(ram, chain);
    ChainWriter status = data.split_at(data.remaining() - 1);
    EXPECT_EQ(data.remaining(), 7u);
    EXPECT_EQ(status.remaining(), 1u);
    uint8_t s = 0x5a;
    EXPECT_TRUE(status.write_exact({&s, 1}));
    uint8_t eight[8] = {1, 1, 1, 1, 1, 1, 1, 1};
    EXPECT_EQ(data.write(eight), 7u);  // the data part stops before the status byte
    uint8_t back[4];
    ASSERT_TRUE(ram.read(w2.addr, back).ok());
    EXPECT_EQ(back[2], 1);
    EXPECT_EQ(back[3], 0x5a);
}

TEST_F(Chain, FillZeroCoversTheRest)
{
    Buffer w = writable(6);
    uint8_t ones[6] = {1, 1, 1, 1, 1, 1};
    ASSERT_TRUE(ram.write(w.addr, ones).ok());
    DescriptorChain chain = make({w});
    ChainWriter writer(ram, chain);
    uint8_t two = 2;
    writer.write({&two, 1});
    EXPECT_EQ(writer.fill_zero(), 5u);
    EXPECT_EQ(writer.written(), 6u);
    uint8_t back[6];
    ASSERT_TRUE(ram.read(w.addr, back).ok());
    EXPECT_EQ(back[0], 2);
    EXPECT_EQ(back[5], 0);
}

TEST_F(Chain, PeekGivesContiguousPiecesNoLargerThanAsked)
{
    DescriptorChain chain = make({readable_bytes(0, 10), readable_bytes(10, 10)});
    ChainReader reader(ram, chain);
    EXPECT_EQ(reader.peek(4).size(), 4u);
    EXPECT_EQ(reader.peek(100).size(), 10u);  // stops at the buffer boundary
    reader.consume(10);
    auto piece = reader.peek(100);
    ASSERT_EQ(piece.size(), 10u);
    EXPECT_EQ(piece[0], 10);
}

}  // namespace
