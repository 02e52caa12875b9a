// A hostile driver against every device: each malformed ring below must end in DEVICE_NEEDS_RESET
// with a configuration change interrupt (virtio 1.2 §2.1.2), never in a crash, a hang or a used
// buffer built from garbage; and after the driver resets the device, it works again.
#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <tuple>

#include "base/log.hpp"
#include "device_kit.hpp"

using namespace vireo;
using namespace vireo::virtio;
using namespace vireo::virtio::test;

namespace {

enum class Attack {
    DescriptorLoop,            // §2.7.5.3.1: no chain longer than the queue size
    SelfLoop,
    NextOutOfRange,            // §2.7.5: next indexes the table
    HeadOutOfRange,
    BufferOutsideRam,
    HugeLength,
    IndirectPointsToItself,    // §2.7.5.3.1: no nested tables
    ZeroLengthIndirect,        // §2.7.5.3
    IndirectWithNext,          // §2.7.5.3.1
    AvailIdxJump,              // §2.7.13.3: at most queue-size entries ahead
    LoopInsideIndirect,        // §2.7.5.3.1: the bound holds inside a table too
    ReadableAfterWritable,     // §2.7.4.2: device-writable descriptors come last
    LongerThanTheQueue,        // §2.7.5.3.1: no loop, just more buffers than the queue size
};

const char* attack_name(Attack a)
{
    switch (a) {
    case Attack::DescriptorLoop: return "DescriptorLoop";
    case Attack::SelfLoop: return "SelfLoop";
    case Attack::NextOutOfRange: return "NextOutOfRange";
    case Attack::HeadOutOfRange: return "HeadOutOfRange";
    case Attack::BufferOutsideRam: return "BufferOutsideRam";
    case Attack::HugeLength: return "HugeLength";
    case Attack::IndirectPointsToItself: return "IndirectPointsToItself";
    case Attack::ZeroLengthIndirect: return "ZeroLengthIndirect";
    case Attack::IndirectWithNext: return "IndirectWithNext";
    case Attack::AvailIdxJump: return "AvailIdxJump";
    case Attack::LoopInsideIndirect: return "LoopInsideIndirect";
    case Attack::ReadableAfterWritable: return "ReadableAfterWritable";
    case Attack::LongerThanTheQueue: return "LongerThanTheQueue";
    }
    return "?";
}

void PrintTo(Attack attack, std::ostream* os)
{
    *os << attack_name(attack);
}

// Plants the attack in `ring`; the chain, if any, is published.
void plant(Attack attack, MockDriver& d, DriverRing& ring)
{
    Buffer ok = d.writable(64);
    uint16_t size = ring.size();
    switch (attack) {
    case Attack::DescriptorLoop:
        ring.write_desc(0, ok.addr, 16, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 1);
        ring.write_desc(1, ok.addr, 16, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 2);
        ring.write_desc(2, ok.addr, 16, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 0);
        ring.publish(0);
        break;
    case Attack::SelfLoop:
        ring.write_desc(3, ok.addr, 16, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 3);
        ring.publish(3);
        break;
    case Attack::NextOutOfRange:
        ring.write_desc(0, ok.addr, 16, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, size);
        ring.publish(0);
        break;
    case Attack::HeadOutOfRange:
        ring.publish(size);
        break;
    case Attack::BufferOutsideRam:
        ring.write_desc(0, kRamBase + kRamSize - 8, 64, VIRTQ_DESC_F_WRITE, 0);
        ring.publish(0);
        break;
    case Attack::HugeLength:
        ring.write_desc(0, kRamBase, 0xffffffff, VIRTQ_DESC_F_WRITE, 0);
        ring.publish(0);
        break;
    case Attack::IndirectPointsToItself: {
        GuestAddr table = d.allocator().alloc(16, 16);
        DriverRing::write_desc_at(d.memory(), table, 0, table, 16, VIRTQ_DESC_F_INDIRECT, 0);
        ring.write_desc(0, table, 16, VIRTQ_DESC_F_INDIRECT, 0);
        ring.publish(0);
        break;
    }
    case Attack::ZeroLengthIndirect:
        ring.write_desc(0, d.allocator().alloc(16, 16), 0, VIRTQ_DESC_F_INDIRECT, 0);
        ring.publish(0);
        break;
    case Attack::IndirectWithNext: {
        GuestAddr table = d.allocator().alloc(16, 16);
        DriverRing::write_desc_at(d.memory(), table, 0, ok.addr, 16, VIRTQ_DESC_F_WRITE, 0);
        ring.write_desc(0, table, 16, VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_NEXT, 0);
        ring.publish(0);
        break;
    }
    case Attack::AvailIdxJump:
        ring.set_avail_idx(static_cast<uint16_t>(size + 1));
        break;
    case Attack::LoopInsideIndirect: {
        // A loop hidden inside an indirect table.
        GuestAddr table = d.allocator().alloc(32, 16);
        DriverRing::write_desc_at(d.memory(), table, 0, ok.addr, 8, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 1);
        DriverRing::write_desc_at(d.memory(), table, 1, ok.addr, 8, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 0);
        ring.write_desc(0, table, 32, VIRTQ_DESC_F_INDIRECT, 0);
        ring.publish(0);
        break;
    }
    case Attack::ReadableAfterWritable:
        ring.write_desc(0, ok.addr, 16, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 1);
        ring.write_desc(1, ok.addr + 16, 16, 0, 0);
        ring.publish(0);
        break;
    case Attack::LongerThanTheQueue: {
        // An indirect table may hold more entries than the ring; the chain still may not.
        const uint32_t entries = size + 1u;
        GuestAddr table = d.allocator().alloc(16 * entries, 16);
        for (uint32_t i = 0; i < entries; ++i) {
            const uint16_t next = i + 1 < entries ? VIRTQ_DESC_F_NEXT : 0;
            DriverRing::write_desc_at(d.memory(), table, i, ok.addr, 1, static_cast<uint16_t>(VIRTQ_DESC_F_WRITE | next),
                                      static_cast<uint16_t>(i + 1));
        }
        ring.write_desc(0, table, 16 * entries, VIRTQ_DESC_F_INDIRECT, 0);
        ring.publish(0);
        break;
    }
    }
}

// Devices that take from a queue only when they have something for it (input, a frame) get it.
void give_work(Kit& kit, uint16_t queue)
{
    if (kit.console() && queue == Console::kReceiveQueue) {
        uint8_t byte = 'x';
        kit.console()->push_input({&byte, 1});
    }
    if (kit.backend() && queue == Net::kReceiveQueue) {
        const uint8_t frame[60] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
        kit.backend()->inject(frame);
    }
}

class Hostile : public ::testing::TestWithParam<std::tuple<Kind, Attack>> {
protected:
    void SetUp() override
    {
        m_level = log::level();
        log::set_level(log::Level::Off);  // each attack logs a warning by design
    }
    void TearDown() override { log::set_level(m_level); }

private:
    log::Level m_level = log::Level::Info;
};

TEST_P(Hostile, MalformedRingGivesNeedsResetAndTheDeviceRecovers_2_1_2)
{
    auto [kind, attack] = GetParam();
    Kit kit(kind);
    MockDriver& d = kit.driver();
    uint16_t queue_count = kit.device().queue_count();
    for (uint16_t q = 0; q < queue_count; ++q) {
        SCOPED_TRACE(std::string("queue ") + std::to_string(q));
        ASSERT_TRUE(d.init(~uint64_t{0}, 16));
        plant(attack, d, d.ring(q));
        d.notify(q);
        give_work(kit, q);
        EXPECT_TRUE(d.needs_reset());
        EXPECT_NE(d.read32(VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_MMIO_INT_CONFIG, 0u);
        EXPECT_TRUE(kit.machine().irq.level());
        EXPECT_FALSE(d.ring(q).next_used().has_value());
        // Further notifications are ignored until the reset.
        d.notify(q);
        kit.device().poll();
        EXPECT_TRUE(kit.healthy());
    }
}

INSTANTIATE_TEST_SUITE_P(
    EveryDevice, Hostile,
    ::testing::Combine(::testing::Values(Kind::Block, Kind::Console, Kind::Rng, Kind::Net, Kind::P9),
                       ::testing::Values(Attack::DescriptorLoop, Attack::SelfLoop, Attack::NextOutOfRange,
                                         Attack::HeadOutOfRange, Attack::BufferOutsideRam, Attack::HugeLength,
                                         Attack::IndirectPointsToItself, Attack::ZeroLengthIndirect,
                                         Attack::IndirectWithNext, Attack::AvailIdxJump,
                                         Attack::LoopInsideIndirect, Attack::ReadableAfterWritable,
                                         Attack::LongerThanTheQueue)),
    [](const ::testing::TestParamInfo<Hostile::ParamType>& p) {
        return std::string(kind_name(std::get<0>(p.param))) + "_" + attack_name(std::get<1>(p.param));
    });

// §2.1.2: a device that set DEVICE_NEEDS_RESET is in an error state as a whole: a malformed chain
// on one queue stops the other queues too (a well-formed chain waiting there stays unused), by
// notification and by the machine's poll() alike, until the driver resets the device.
class HostileOtherQueue : public ::testing::TestWithParam<Kind> {
protected:
    void SetUp() override
    {
        m_level = log::level();
        log::set_level(log::Level::Off);
    }
    void TearDown() override { log::set_level(m_level); }

private:
    log::Level m_level = log::Level::Info;
};

TEST_P(HostileOtherQueue, AfterNeedsResetNoQueueIsServed_2_1_2)
{
    Kit kit(GetParam());
    MockDriver& d = kit.driver();
    const uint16_t queues = kit.device().queue_count();
    ASSERT_GE(queues, 2u);
    for (uint16_t broken = 0; broken < queues; ++broken) {
        const uint16_t other = static_cast<uint16_t>((broken + 1) % queues);
        SCOPED_TRACE("broken queue " + std::to_string(broken) + ", other queue " + std::to_string(other));
        ASSERT_TRUE(d.init(~uint64_t{0}, 16));
        plant(Attack::DescriptorLoop, d, d.ring(broken));
        d.notify(broken);
        give_work(kit, broken);
        ASSERT_TRUE(d.needs_reset());

        // A well-formed chain on the other queue: big enough for anything the device could put
        // there, and shaped like what it reads (a console or network transmit) otherwise.
        std::vector<uint8_t> packet(Net::kHeaderSize + 60, 0x11);
        Buffer buffer = other == Console::kTransmitQueue ? d.readable(packet) : d.writable(2048);
        d.ring(other).add_chain({&buffer, 1});
        const uint64_t sent = kit.backend() ? kit.backend()->sent : 0;
        const size_t output = kit.output().size();
        d.notify(other);
        give_work(kit, other);
        kit.device().poll();
        EXPECT_FALSE(d.ring(other).next_used().has_value());
        EXPECT_EQ(kit.output().size(), output);
        if (kit.backend()) {
            EXPECT_EQ(kit.backend()->sent, sent);
        }
        EXPECT_TRUE(kit.healthy());
    }
}

INSTANTIATE_TEST_SUITE_P(MultiQueueDevices, HostileOtherQueue, ::testing::Values(Kind::Console, Kind::Net),
                         [](const ::testing::TestParamInfo<Kind>& p) { return std::string(kind_name(p.param)); });

}  // namespace

namespace {

// The console's receive buffer is the available ring's idx field itself, and the pushed input is
// 1, 2, 3, ...: every delivery makes one more entry "available". One pass stops after queue-size
// chains, and poll() continues, so no single call runs for as long as the guest likes.
TEST(HostileRefill, DeviceWritesIntoTheAvailableRingCannotKeepOnePassGoing)
{
    std::string output;
    Console console([&](std::span<const uint8_t> b) { output.append(b.begin(), b.end()); });
    TestMachine m(console);
    MockDriver& d = m.driver;
    ASSERT_TRUE(d.init(~uint64_t{0}, 16));
    DriverRing& ring = d.ring(Console::kReceiveQueue);
    for (uint16_t slot = 0; slot < 16; ++slot)
        ring.publish(0);  // every ring entry names descriptor 0
    ring.set_avail_idx(1);
    ring.write_desc(0, ring.avail() + 2, 2, VIRTQ_DESC_F_WRITE, 0);  // 2 bytes: avail->idx

    std::vector<uint8_t> input;
    for (uint16_t i = 2; i < 102; ++i) {
        input.push_back(static_cast<uint8_t>(i));
        input.push_back(static_cast<uint8_t>(i >> 8));
    }
    console.push_input(input);
    EXPECT_EQ(console.pending_input(), 200u - 2 * 16);  // one pass: 16 chains
    console.poll();
    EXPECT_EQ(console.pending_input(), 200u - 2 * 32);
    while (console.pending_input() > 0 && !d.needs_reset())
        console.poll();
    EXPECT_EQ(console.pending_input(), 0u);
    EXPECT_FALSE(d.needs_reset());
}

}  // namespace
