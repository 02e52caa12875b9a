// The split virtqueue, device side (virtio 1.2 §2.7), driven by a DriverRing in test RAM.
#include <gtest/gtest.h>

#include <string>

#include "base/assert.hpp"
#include "mock_driver.hpp"

using namespace vireo;
using namespace vireo::virtio;
using namespace vireo::virtio::test;

namespace {

constexpr uint64_t kAllFeatures = feature_bit(VIRTIO_F_INDIRECT_DESC) | feature_bit(VIRTIO_F_EVENT_IDX);

class Virtqueue : public ::testing::Test {
protected:
    explicit Virtqueue(uint16_t size = 16) : ring(ram, allocator, size), queue(size) {}

    void SetUp() override { configure(kAllFeatures); }
    void configure(uint64_t features)
    {
        queue.reset();
        queue.set_size(ring.size());
        queue.set_desc_table(ring.desc());
        queue.set_avail_ring(ring.avail());
        queue.set_used_ring(ring.used());
        queue.set_features(features);
        queue.set_ready(true);
        ASSERT_TRUE(queue.validate(ram).ok());
    }
    Buffer buffer(uint32_t len, bool writable)
    {
        return Buffer{allocator.alloc(len, 8), len, writable};
    }
    DescriptorChain pop_ok()
    {
        auto r = queue.pop(ram);
        EXPECT_TRUE(r.ok()) << r.error().text();
        EXPECT_TRUE(r.ok() && r.value().has_value());
        VERIFY(r.ok() && r.value().has_value());
        return std::move(*r.value());
    }
    // The malformed chain is an error value, and the queue stops (the caller sets NEEDS_RESET).
    void expect_pop_error(const std::string& words)
    {
        auto r = queue.pop(ram);
        ASSERT_FALSE(r.ok()) << "the malformed chain was accepted";
        EXPECT_NE(r.error().text().find(words), std::string::npos) << r.error().text();
        EXPECT_TRUE(queue.broken());
        auto again = queue.pop(ram);
        ASSERT_TRUE(again.ok());
        EXPECT_FALSE(again.value().has_value());
    }

    memory::GuestMemory ram = make_ram();
    GuestAllocator allocator{kRamBase + 0x1000, kRamSize - 0x1000};
    DriverRing ring;
    Queue queue;
};

TEST_F(Virtqueue, EmptyRingPopsNothing_2_7_6)
{
    auto r = queue.pop(ram);
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r.value().has_value());
}

TEST_F(Virtqueue, QueueThatIsNotReadyPopsNothing_4_2_2_1)
{
    Buffer b = buffer(8, false);
    ring.add_chain({&b, 1});
    queue.set_ready(false);
    auto r = queue.pop(ram);
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r.value().has_value());
}

TEST_F(Virtqueue, ChainRoundTripThroughAvailableAndUsedRings_2_7_13_and_2_7_14)
{
    uint8_t hello[] = {'h', 'e', 'l', 'l', 'o'};
    Buffer in{allocator.alloc(5, 8), 5, false};
    ASSERT_TRUE(ram.write(in.addr, hello).ok());
    Buffer out = buffer(8, true);
    Buffer chain_buffers[] = {in, out};
    uint16_t head = ring.add_chain(chain_buffers);

    DescriptorChain chain = pop_ok();
    EXPECT_EQ(chain.head(), head);
    EXPECT_EQ(chain.readable_len(), 5u);
    EXPECT_EQ(chain.writable_len(), 8u);

    ChainReader reader(ram, chain);
    uint8_t got[5];
    EXPECT_EQ(reader.read(got), 5u);
    EXPECT_EQ(std::string(got, got + 5), "hello");
    ChainWriter writer(ram, chain);
    uint8_t reply[] = {1, 2, 3};
    EXPECT_EQ(writer.write(reply), 3u);
    ASSERT_TRUE(queue.add_used(ram, chain.head(), static_cast<uint32_t>(writer.written())).ok());

    auto used = ring.next_used();
    ASSERT_TRUE(used.has_value());
    EXPECT_EQ(used->id, head);
    EXPECT_EQ(used->len, 3u);
    uint8_t back[3];
    ASSERT_TRUE(ram.read(out.addr, back).ok());
    EXPECT_EQ(back[0], 1);
    EXPECT_EQ(back[2], 3);
}

TEST_F(Virtqueue, IndirectTableIsFollowed_2_7_5_3)
{
    Buffer buffers[] = {buffer(16, false), buffer(100, false), buffer(1, true)};
    uint16_t head = ring.add_chain(buffers, Layout::Indirect);
    DescriptorChain chain = pop_ok();
    EXPECT_EQ(chain.head(), head);
    EXPECT_EQ(chain.readable().size(), 2u);
    EXPECT_EQ(chain.readable_len(), 116u);
    EXPECT_EQ(chain.writable_len(), 1u);
}

TEST_F(Virtqueue, DirectDescriptorsFollowedByOneIndirect_2_7_5_3_2)
{
    // "The device MUST handle the case of zero or more normal chained descriptors followed by a
    // single descriptor with flags&VIRTQ_DESC_F_INDIRECT."
    Buffer a = buffer(4, false), b = buffer(8, false), c = buffer(2, true);
    GuestAddr table = allocator.alloc(32, 16);
    DriverRing::write_desc_at(ram, table, 0, b.addr, b.len, VIRTQ_DESC_F_NEXT, 1);
    DriverRing::write_desc_at(ram, table, 1, c.addr, c.len, VIRTQ_DESC_F_WRITE, 0);
    ring.write_desc(3, a.addr, a.len, VIRTQ_DESC_F_NEXT, 7);
    // The device ignores WRITE on the descriptor that refers to the table (§2.7.5.3.2).
    ring.write_desc(7, table, 32, VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_WRITE, 0);
    ring.publish(3);
    DescriptorChain chain = pop_ok();
    EXPECT_EQ(chain.head(), 3);
    EXPECT_EQ(chain.readable_len(), 12u);
    EXPECT_EQ(chain.writable_len(), 2u);
}

TEST_F(Virtqueue, IndirectWithoutTheFeatureIsAnError_2_7_5_3_1)
{
    configure(feature_bit(VIRTIO_F_EVENT_IDX));
    Buffer b = buffer(8, false);
    ring.add_chain({&b, 1}, Layout::Indirect);
    expect_pop_error("VIRTIO_F_INDIRECT_DESC");
}

TEST_F(Virtqueue, DescriptorLoopIsAnError_2_7_5_3_1)
{
    Buffer b = buffer(8, false);
    ring.write_desc(0, b.addr, b.len, VIRTQ_DESC_F_NEXT, 1);
    ring.write_desc(1, b.addr, b.len, VIRTQ_DESC_F_NEXT, 0);
    ring.publish(0);
    expect_pop_error("longer than the queue size");
}

TEST_F(Virtqueue, DescriptorPointingToItselfIsAnError_2_7_5_3_1)
{
    Buffer b = buffer(8, true);
    ring.write_desc(5, b.addr, b.len, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 5);
    ring.publish(5);
    expect_pop_error("longer than the queue size");
}

TEST_F(Virtqueue, ChainOfExactlyQueueSizeIsAccepted_2_7_5_3_1)
{
    std::vector<Buffer> buffers(16, buffer(4, false));
    ring.add_chain(buffers);
    DescriptorChain chain = pop_ok();
    EXPECT_EQ(chain.readable_len(), 64u);
}

TEST_F(Virtqueue, NextIndexOutOfRangeIsAnError_2_7_5)
{
    Buffer b = buffer(8, false);
    ring.write_desc(0, b.addr, b.len, VIRTQ_DESC_F_NEXT, 16);
    ring.publish(0);
    expect_pop_error("out of range");
}

TEST_F(Virtqueue, HeadIndexOutOfRangeIsAnError_2_7_6)
{
    ring.publish(0xffff);
    expect_pop_error("head index");
}

TEST_F(Virtqueue, BufferOutsideRamIsAnError)
{
    ring.write_desc(0, kRamBase + kRamSize - 4, 8, 0, 0);  // straddles the end of RAM
    ring.publish(0);
    expect_pop_error("not in RAM");
}

TEST_F(Virtqueue, BufferBelowRamIsAnError)
{
    ring.write_desc(0, 0x1000, 16, VIRTQ_DESC_F_WRITE, 0);
    ring.publish(0);
    expect_pop_error("not in RAM");
}

TEST_F(Virtqueue, BufferWhoseEndWrapsTheAddressSpaceIsAnError)
{
    ring.write_desc(0, ~uint64_t{0} - 3, 16, 0, 0);
    ring.publish(0);
    expect_pop_error("not in RAM");
}

TEST_F(Virtqueue, HugeLengthIsAnError)
{
    ring.write_desc(0, kRamBase, 0xffffffff, VIRTQ_DESC_F_WRITE, 0);
    ring.publish(0);
    expect_pop_error("not in RAM");
}

TEST_F(Virtqueue, ReadableAfterWritableIsAnError_2_7_4_2)
{
    Buffer w = buffer(8, true), r = buffer(8, false);
    Buffer buffers[] = {w, r};
    ring.add_chain(buffers);
    expect_pop_error("follows a device-writable");
}

TEST_F(Virtqueue, IndirectTablePointingToItselfIsAnError_2_7_5_3_1)
{
    GuestAddr table = allocator.alloc(16, 16);
    DriverRing::write_desc_at(ram, table, 0, table, 16, VIRTQ_DESC_F_INDIRECT, 0);
    ring.write_desc(0, table, 16, VIRTQ_DESC_F_INDIRECT, 0);
    ring.publish(0);
    expect_pop_error("nested indirect");
}

TEST_F(Virtqueue, LoopInsideIndirectTableIsAnError_2_7_5_3_1)
{
    Buffer b = buffer(8, false);
    GuestAddr table = allocator.alloc(32, 16);
    DriverRing::write_desc_at(ram, table, 0, b.addr, b.len, VIRTQ_DESC_F_NEXT, 1);
    DriverRing::write_desc_at(ram, table, 1, b.addr, b.len, VIRTQ_DESC_F_NEXT, 0);
    ring.write_desc(0, table, 32, VIRTQ_DESC_F_INDIRECT, 0);
    ring.publish(0);
    expect_pop_error("longer than the queue size");
}

TEST_F(Virtqueue, IndirectNextBeyondTheTableIsAnError_2_7_5_3)
{
    Buffer b = buffer(8, false);
    GuestAddr table = allocator.alloc(32, 16);
    DriverRing::write_desc_at(ram, table, 0, b.addr, b.len, VIRTQ_DESC_F_NEXT, 2);  // the table has 2
    ring.write_desc(0, table, 32, VIRTQ_DESC_F_INDIRECT, 0);
    ring.publish(0);
    expect_pop_error("out of range");
}

TEST_F(Virtqueue, ZeroLengthIndirectTableIsAnError_2_7_5_3)
{
    ring.write_desc(0, allocator.alloc(16, 16), 0, VIRTQ_DESC_F_INDIRECT, 0);
    ring.publish(0);
    expect_pop_error("indirect table length 0");
}

TEST_F(Virtqueue, IndirectTableLengthNotAMultipleOf16IsAnError_2_7_5_3)
{
    ring.write_desc(0, allocator.alloc(32, 16), 17, VIRTQ_DESC_F_INDIRECT, 0);
    ring.publish(0);
    expect_pop_error("multiple of 16");
}

TEST_F(Virtqueue, IndirectTableOutsideRamIsAnError)
{
    ring.write_desc(0, kRamBase + kRamSize - 16, 32, VIRTQ_DESC_F_INDIRECT, 0);
    ring.publish(0);
    expect_pop_error("not in RAM");
}

TEST_F(Virtqueue, IndirectWithNextIsAnError_2_7_5_3_1)
{
    GuestAddr table = allocator.alloc(16, 16);
    Buffer b = buffer(4, false);
    DriverRing::write_desc_at(ram, table, 0, b.addr, b.len, 0, 0);
    ring.write_desc(0, table, 16, VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_NEXT, 1);
    ring.publish(0);
    expect_pop_error("both INDIRECT and NEXT");
}

TEST_F(Virtqueue, AvailableIdxAheadByMoreThanQueueSizeIsAnError_2_7_13_3)
{
    ring.set_avail_idx(17);
    expect_pop_error("more than the queue size");
}

TEST_F(Virtqueue, AvailableIdxGoingBackwardsIsAnError_2_7_6_1)
{
    // "A driver MUST NOT decrement the available idx": from the device's side that is a jump of
    // almost 65536 entries.
    Buffer b = buffer(4, false);
    ring.add_chain({&b, 1});
    pop_ok();
    ring.set_avail_idx(0);
    expect_pop_error("more than the queue size");
}

TEST_F(Virtqueue, ZeroLengthDescriptorsAreSkipped)
{
    Buffer buffers[] = {buffer(0, false), buffer(4, false), buffer(0, true)};
    ring.add_chain(buffers);
    DescriptorChain chain = pop_ok();
    EXPECT_EQ(chain.readable().size(), 1u);
    EXPECT_EQ(chain.writable().size(), 0u);
}

TEST_F(Virtqueue, BrokenQueueStaysStoppedUntilReset_2_1_2)
{
    ring.publish(99);
    expect_pop_error("head index");
    Buffer b = buffer(4, false);
    ring.add_chain({&b, 1});
    auto r = queue.pop(ram);
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r.value().has_value());
    configure(kAllFeatures);  // reset and set up again, as the driver would after NEEDS_RESET
    EXPECT_FALSE(queue.broken());
}

TEST_F(Virtqueue, IndicesWrapAt65536_2_7_13_3)
{
    Buffer b = buffer(4, true);
    for (uint32_t i = 0; i < 70000; ++i) {
        ring.add_chain({&b, 1});
        DescriptorChain chain = pop_ok();
        ASSERT_TRUE(queue.add_used(ram, chain.head(), 4).ok());
        auto used = ring.next_used();
        ASSERT_TRUE(used.has_value());
        ASSERT_EQ(used->id, chain.head());
    }
    EXPECT_EQ(queue.next_avail(), static_cast<uint16_t>(70000));
    EXPECT_EQ(ring.used_idx(), static_cast<uint16_t>(70000));
}

TEST_F(Virtqueue, EventIdxPublishesAvailEvent_2_7_10)
{
    Buffer b = buffer(4, false);
    ring.add_chain({&b, 1});
    ring.add_chain({&b, 1});
    pop_ok();
    EXPECT_EQ(ring.avail_event(), 1);
    pop_ok();
    EXPECT_EQ(ring.avail_event(), 2);  // "notify me when you make entry 2 available"
}

TEST_F(Virtqueue, EventIdxUsedEventDecidesNotifications_2_7_7_2)
{
    Buffer b = buffer(4, true);
    auto use_one = [&] {
        ring.add_chain({&b, 1});
        DescriptorChain chain = pop_ok();
        ASSERT_TRUE(queue.add_used(ram, chain.head(), 0).ok());
    };
    // used_event 0: the driver wants to hear when the entry at index 0 is used (idx reaches 1).
    ring.set_used_event(0);
    use_one();
    EXPECT_TRUE(queue.needs_notification(ram).value());
    use_one();  // idx 2: already past used_event, no second notification
    EXPECT_FALSE(queue.needs_notification(ram).value());
    ring.set_used_event(2);
    use_one();  // idx 3: entry 2 was used
    EXPECT_TRUE(queue.needs_notification(ram).value());
    // A batch that crosses used_event notifies once.
    ring.set_used_event(4);
    use_one();
    use_one();
    use_one();
    EXPECT_TRUE(queue.needs_notification(ram).value());
    // A batch that stays short of used_event does not.
    ring.set_used_event(100);
    use_one();
    use_one();
    EXPECT_FALSE(queue.needs_notification(ram).value());
}

TEST_F(Virtqueue, EventIdxIgnoresTheNoInterruptFlag_2_7_7_2)
{
    Buffer b = buffer(4, true);
    ring.set_avail_flags(VIRTQ_AVAIL_F_NO_INTERRUPT);
    ring.set_used_event(0);
    ring.add_chain({&b, 1});
    DescriptorChain chain = pop_ok();
    ASSERT_TRUE(queue.add_used(ram, chain.head(), 0).ok());
    EXPECT_TRUE(queue.needs_notification(ram).value());
}

TEST_F(Virtqueue, NoInterruptFlagWithoutEventIdx_2_7_7_2)
{
    configure(0);
    Buffer b = buffer(4, true);
    ring.add_chain({&b, 1});
    DescriptorChain chain = pop_ok();
    ASSERT_TRUE(queue.add_used(ram, chain.head(), 0).ok());
    ring.set_avail_flags(VIRTQ_AVAIL_F_NO_INTERRUPT);
    EXPECT_FALSE(queue.needs_notification(ram).value());
    ring.set_avail_flags(0);
    EXPECT_TRUE(queue.needs_notification(ram).value());
}

TEST_F(Virtqueue, AddUsedRejectsAHeadOutsideTheQueue)
{
    EXPECT_FALSE(queue.add_used(ram, 16, 0).ok());
}

TEST_F(Virtqueue, ValidateRejectsBadSizes_2_7)
{
    queue.set_size(12);
    EXPECT_FALSE(queue.validate(ram).ok());  // not a power of 2
    queue.set_size(0);
    EXPECT_FALSE(queue.validate(ram).ok());
    queue.set_size(32);
    EXPECT_FALSE(queue.validate(ram).ok());  // larger than the maximum (16)
    queue.set_size(8);
    EXPECT_TRUE(queue.validate(ram).ok());
}

TEST_F(Virtqueue, ValidateRejectsMisalignedRings_2_7_1)
{
    queue.set_desc_table(ring.desc() + 8);
    EXPECT_FALSE(queue.validate(ram).ok());
    configure(kAllFeatures);
    queue.set_avail_ring(ring.avail() + 1);
    EXPECT_FALSE(queue.validate(ram).ok());
    configure(kAllFeatures);
    queue.set_used_ring(ring.used() + 2);
    EXPECT_FALSE(queue.validate(ram).ok());
}

TEST_F(Virtqueue, ValidateRejectsRingsOutsideRam)
{
    queue.set_used_ring(kRamBase + kRamSize - 64);  // 6 + 8 * 16 bytes do not fit
    EXPECT_FALSE(queue.validate(ram).ok());
    configure(kAllFeatures);
    queue.set_desc_table(0);
    EXPECT_FALSE(queue.validate(ram).ok());
}

// A queue of 1024 lets a chain of in-RAM buffers add up to more than 2^32 bytes: each descriptor
// covers all 8 MiB of RAM, and 513 of them exceed 4 GiB.
class LargeVirtqueue : public Virtqueue {
protected:
    LargeVirtqueue() : Virtqueue(1024) {}
};

TEST_F(LargeVirtqueue, ChainLongerThan4GiBIsAnError_2_7_5_2)
{
    for (uint16_t i = 0; i < 600; ++i)
        ring.write_desc(i, kRamBase, static_cast<uint32_t>(kRamSize), VIRTQ_DESC_F_NEXT, static_cast<uint16_t>(i + 1));
    ring.write_desc(600, kRamBase, 16, 0, 0);
    ring.publish(0);
    expect_pop_error("longer than 2^32 bytes");
}

}  // namespace
