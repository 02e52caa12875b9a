// virtio-mmio version 2 (virtio 1.2 §4.2), driven register by register as a Linux driver would.
#include <gtest/gtest.h>

#include <cstring>

#include "mock_driver.hpp"

using namespace vireo;
using namespace vireo::virtio;
using namespace vireo::virtio::test;

namespace {

constexpr uint64_t kVersion1 = feature_bit(VIRTIO_F_VERSION_1);

// A device that records what the transport does to it.
class FakeDevice final : public Device {
public:
    static constexpr unsigned kFeatureBit = 3;

    DeviceId id() const override { return DeviceId::Balloon; }
    uint64_t device_features() const override { return kCommonFeatures | feature_bit(kFeatureBit); }
    uint16_t queue_count() const override { return 2; }
    uint16_t queue_max_size(uint16_t) const override { return 8; }
    void read_config(uint32_t offset, std::span<uint8_t> out) override { read_config_bytes(config, offset, out); }
    void write_config(uint32_t offset, std::span<const uint8_t> in) override
    {
        for (size_t i = 0; i < in.size(); ++i)
            if (offset + i < sizeof config)
                config[offset + i] = in[i];
    }
    Result<void> activate(const ActiveContext& context) override
    {
        ++activations;
        if (fail_activation)
            return Error::message("no backend");
        features = context.features;
        ctx.emplace(context);
        return {};
    }
    void queue_notify(uint16_t queue) override { notified.push_back(queue); }
    void reset() override
    {
        ++resets;
        ctx.reset();
    }

    uint8_t config[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    bool fail_activation = false;
    int activations = 0;
    int resets = 0;
    uint64_t features = 0;
    std::vector<uint16_t> notified;
    std::optional<ActiveContext> ctx;
};

class MmioTransportTest : public ::testing::Test {
protected:
    FakeDevice device;
    TestMachine m{device};
    MockDriver& driver = m.driver;
};

TEST_F(MmioTransportTest, IdentifiesItself_4_2_2_1)
{
    EXPECT_EQ(driver.read32(VIRTIO_MMIO_MAGIC_VALUE), 0x74726976u);
    EXPECT_EQ(driver.read32(VIRTIO_MMIO_VERSION), 2u);
    EXPECT_EQ(driver.read32(VIRTIO_MMIO_DEVICE_ID), static_cast<uint32_t>(DeviceId::Balloon));
    EXPECT_EQ(driver.read32(VIRTIO_MMIO_VENDOR_ID), MmioTransport::kVendorId);
    EXPECT_EQ(driver.device_features(), device.device_features());
}

TEST_F(MmioTransportTest, FullInitializationActivatesTheDevice_3_1_1)
{
    ASSERT_TRUE(driver.init(kVersion1 | feature_bit(FakeDevice::kFeatureBit)));
    EXPECT_EQ(device.activations, 1);
    EXPECT_EQ(device.features, kVersion1 | feature_bit(FakeDevice::kFeatureBit));
    EXPECT_TRUE(m.transport.active());
    EXPECT_EQ(driver.status(), VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK |
                                   VIRTIO_CONFIG_S_DRIVER_OK);
}

TEST_F(MmioTransportTest, FeaturesWithoutVersion1AreRefused_6_1)
{
    EXPECT_FALSE(driver.negotiate(feature_bit(FakeDevice::kFeatureBit)));
    driver.driver_ok();  // DRIVER_OK without FEATURES_OK is ignored
    EXPECT_EQ(device.activations, 0);
    EXPECT_EQ(driver.status() & VIRTIO_CONFIG_S_DRIVER_OK, 0u);
}

TEST_F(MmioTransportTest, FeaturesTheDeviceDidNotOfferAreRefused_2_2_2)
{
    driver.add_status(VIRTIO_CONFIG_S_ACKNOWLEDGE);
    driver.add_status(VIRTIO_CONFIG_S_DRIVER);
    driver.write_driver_features(kVersion1 | feature_bit(0));
    driver.add_status(VIRTIO_CONFIG_S_FEATURES_OK);
    EXPECT_EQ(driver.status() & VIRTIO_CONFIG_S_FEATURES_OK, 0u);  // §3.1.1 step 6: re-read
}

TEST_F(MmioTransportTest, FeatureBitsBeyond63AreRefused_2_2_2)
{
    driver.add_status(VIRTIO_CONFIG_S_ACKNOWLEDGE);
    driver.add_status(VIRTIO_CONFIG_S_DRIVER);
    driver.write_driver_features(kVersion1);
    driver.write32(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 2);
    driver.write32(VIRTIO_MMIO_DRIVER_FEATURES, 1);
    driver.add_status(VIRTIO_CONFIG_S_FEATURES_OK);
    EXPECT_EQ(driver.status() & VIRTIO_CONFIG_S_FEATURES_OK, 0u);
}

TEST_F(MmioTransportTest, DeviceFeaturesBeyondTheSecondWordReadZero_4_2_2)
{
    driver.write32(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 7);
    EXPECT_EQ(driver.read32(VIRTIO_MMIO_DEVICE_FEATURES), 0u);
}

TEST_F(MmioTransportTest, DriverFeaturesAreFixedOnceFeaturesOk_3_1_1)
{
    ASSERT_TRUE(driver.negotiate(kVersion1));
    driver.write_driver_features(kVersion1 | feature_bit(FakeDevice::kFeatureBit));
    for (uint16_t q = 0; q < 2; ++q)
        ASSERT_NE(driver.setup_queue(q), nullptr);
    driver.driver_ok();
    EXPECT_EQ(device.features, kVersion1);
}

TEST_F(MmioTransportTest, StatusBitsOutOfOrderAreIgnored_3_1_1)
{
    driver.write32(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_DRIVER);  // without ACKNOWLEDGE
    EXPECT_EQ(driver.status(), 0u);
    driver.write32(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_FEATURES_OK);
    EXPECT_EQ(driver.status(), VIRTIO_CONFIG_S_ACKNOWLEDGE);  // FEATURES_OK needs DRIVER first
    driver.write32(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER_OK);
    EXPECT_EQ(driver.status(), VIRTIO_CONFIG_S_ACKNOWLEDGE);
    EXPECT_EQ(device.activations, 0);
}

TEST_F(MmioTransportTest, ClearingStatusBitsIsIgnored_2_1_1)
{
    ASSERT_TRUE(driver.init(kVersion1));
    driver.write32(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE);
    EXPECT_NE(driver.status() & VIRTIO_CONFIG_S_DRIVER_OK, 0u);
    EXPECT_EQ(device.activations, 1);
}

TEST_F(MmioTransportTest, FailedBitIsAccepted_2_1)
{
    driver.add_status(VIRTIO_CONFIG_S_ACKNOWLEDGE);
    driver.add_status(VIRTIO_CONFIG_S_FAILED);
    EXPECT_EQ(driver.status(), VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_FAILED);
}

TEST_F(MmioTransportTest, WritingZeroToStatusResets_4_2_2_1)
{
    ASSERT_TRUE(driver.init(kVersion1));
    device.ctx->interrupt.signal_used_buffer(0);
    EXPECT_TRUE(m.irq.level());
    driver.write32(VIRTIO_MMIO_STATUS, 0);
    EXPECT_EQ(driver.status(), 0u);
    EXPECT_EQ(device.resets, 2);  // the reset before init, and this one
    EXPECT_FALSE(device.ctx.has_value());
    EXPECT_FALSE(m.transport.active());
    // "Upon reset, the device MUST clear all bits in InterruptStatus and ready bits in the
    // QueueReady register for all queues in the device."
    EXPECT_EQ(driver.read32(VIRTIO_MMIO_INTERRUPT_STATUS), 0u);
    EXPECT_FALSE(m.irq.level());
    for (uint32_t q = 0; q < 2; ++q) {
        driver.write32(VIRTIO_MMIO_QUEUE_SEL, q);
        EXPECT_EQ(driver.read32(VIRTIO_MMIO_QUEUE_READY), 0u);
    }
    // And the device can be brought up again.
    ASSERT_TRUE(driver.init(kVersion1));
    EXPECT_EQ(device.activations, 2);
}

TEST_F(MmioTransportTest, QueueNumMaxIsZeroForQueuesThatDoNotExist_4_2_3_2)
{
    driver.write32(VIRTIO_MMIO_QUEUE_SEL, 1);
    EXPECT_EQ(driver.read32(VIRTIO_MMIO_QUEUE_NUM_MAX), 8u);
    driver.write32(VIRTIO_MMIO_QUEUE_SEL, 2);
    EXPECT_EQ(driver.read32(VIRTIO_MMIO_QUEUE_NUM_MAX), 0u);
    driver.write32(VIRTIO_MMIO_QUEUE_READY, 1);  // ignored, harmlessly
    EXPECT_EQ(driver.read32(VIRTIO_MMIO_QUEUE_READY), 0u);
    driver.write32(VIRTIO_MMIO_QUEUE_SEL, 0xffffffff);
    EXPECT_EQ(driver.read32(VIRTIO_MMIO_QUEUE_NUM_MAX), 0u);
}

// Sets up queue 0 and 1 with the given size for queue 0, then DRIVER_OK.
void bring_up_with_queue0_size(MockDriver& driver, uint16_t size)
{
    ASSERT_TRUE(driver.negotiate(kVersion1));
    ASSERT_NE(driver.setup_queue(0, size), nullptr);
    ASSERT_NE(driver.setup_queue(1), nullptr);
    driver.driver_ok();
}

void expect_needs_reset_with_config_interrupt(MockDriver& driver, FakeDevice& device)
{
    // §2.1.2: DEVICE_NEEDS_RESET, and with DRIVER_OK a configuration change notification.
    EXPECT_NE(driver.status() & VIRTIO_CONFIG_S_NEEDS_RESET, 0u);
    EXPECT_NE(driver.read32(VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_MMIO_INT_CONFIG, 0u);
    EXPECT_FALSE(device.ctx.has_value());
}

TEST_F(MmioTransportTest, QueueNumLargerThanMaxGivesNeedsReset_4_2_2_2)
{
    bring_up_with_queue0_size(driver, 16);
    expect_needs_reset_with_config_interrupt(driver, device);
    EXPECT_TRUE(m.irq.level());
}

TEST_F(MmioTransportTest, QueueNumNotAPowerOf2GivesNeedsReset_2_7)
{
    bring_up_with_queue0_size(driver, 6);
    expect_needs_reset_with_config_interrupt(driver, device);
}

TEST_F(MmioTransportTest, QueueNumBeyond16BitsGivesNeedsReset_4_2_2_2)
{
    ASSERT_TRUE(driver.negotiate(kVersion1));
    ASSERT_NE(driver.setup_queue(0), nullptr);
    driver.write32(VIRTIO_MMIO_QUEUE_SEL, 1);
    driver.write32(VIRTIO_MMIO_QUEUE_NUM, 0x10008);
    driver.write32(VIRTIO_MMIO_QUEUE_READY, 1);
    driver.driver_ok();
    expect_needs_reset_with_config_interrupt(driver, device);
}

TEST_F(MmioTransportTest, MisalignedDescriptorAreaGivesNeedsReset_2_7_1)
{
    ASSERT_TRUE(driver.negotiate(kVersion1));
    DriverRing* ring = driver.setup_queue(0);
    ASSERT_NE(driver.setup_queue(1), nullptr);
    driver.write32(VIRTIO_MMIO_QUEUE_SEL, 0);
    driver.write32(VIRTIO_MMIO_QUEUE_READY, 0);
    driver.write32(VIRTIO_MMIO_QUEUE_DESC_LOW, static_cast<uint32_t>(ring->desc() + 4));
    driver.write32(VIRTIO_MMIO_QUEUE_READY, 1);
    driver.driver_ok();
    expect_needs_reset_with_config_interrupt(driver, device);
}

TEST_F(MmioTransportTest, RingsOutsideRamGiveNeedsReset)
{
    ASSERT_TRUE(driver.negotiate(kVersion1));
    ASSERT_NE(driver.setup_queue(0), nullptr);
    ASSERT_NE(driver.setup_queue(1), nullptr);
    driver.write32(VIRTIO_MMIO_QUEUE_SEL, 1);
    driver.write32(VIRTIO_MMIO_QUEUE_READY, 0);
    driver.write32(VIRTIO_MMIO_QUEUE_DEVICE_HIGH, 0x1234);  // far above RAM
    driver.write32(VIRTIO_MMIO_QUEUE_READY, 1);
    driver.driver_ok();
    expect_needs_reset_with_config_interrupt(driver, device);
}

TEST_F(MmioTransportTest, BadQueueEnabledAfterDriverOkGivesNeedsReset)
{
    ASSERT_TRUE(driver.negotiate(kVersion1));
    ASSERT_NE(driver.setup_queue(0), nullptr);
    driver.driver_ok();
    EXPECT_EQ(device.activations, 1);
    ASSERT_NE(driver.setup_queue(1, 3), nullptr);
    EXPECT_NE(driver.status() & VIRTIO_CONFIG_S_NEEDS_RESET, 0u);
    driver.write32(VIRTIO_MMIO_QUEUE_SEL, 1);
    EXPECT_EQ(driver.read32(VIRTIO_MMIO_QUEUE_READY), 0u);
}

TEST_F(MmioTransportTest, ActivationFailureGivesNeedsReset_2_1_2)
{
    device.fail_activation = true;
    EXPECT_FALSE(driver.init(kVersion1));
    EXPECT_EQ(device.activations, 1);
    expect_needs_reset_with_config_interrupt(driver, device);
    driver.notify(0);
    EXPECT_TRUE(device.notified.empty());
}

TEST_F(MmioTransportTest, QueueRegistersAreIgnoredWhileReady_4_2_2_2)
{
    ASSERT_TRUE(driver.negotiate(kVersion1));
    DriverRing* ring = driver.setup_queue(0);
    driver.write32(VIRTIO_MMIO_QUEUE_NUM, 3);
    driver.write32(VIRTIO_MMIO_QUEUE_DESC_LOW, 1);
    driver.write32(VIRTIO_MMIO_QUEUE_DRIVER_HIGH, 1);
    driver.write32(VIRTIO_MMIO_QUEUE_DEVICE_LOW, 3);
    ASSERT_NE(driver.setup_queue(1), nullptr);
    driver.driver_ok();
    ASSERT_TRUE(device.ctx.has_value());
    const Queue& q = device.ctx->queues[0];
    EXPECT_EQ(q.size(), 8);
    EXPECT_EQ(q.desc_table(), ring->desc());
    EXPECT_EQ(q.avail_ring(), ring->avail());
    EXPECT_EQ(q.used_ring(), ring->used());
}

TEST_F(MmioTransportTest, NotifyReachesTheDeviceOnlyWhenActive_2_1_2)
{
    driver.notify(0);  // before anything
    ASSERT_TRUE(driver.negotiate(kVersion1));
    ASSERT_NE(driver.setup_queue(0), nullptr);
    ASSERT_NE(driver.setup_queue(1), nullptr);
    driver.notify(1);  // before DRIVER_OK
    EXPECT_TRUE(device.notified.empty());
    driver.driver_ok();
    driver.notify(1);
    driver.notify(2);       // no such queue
    driver.write32(VIRTIO_MMIO_QUEUE_NOTIFY, 0x10001);  // not a queue index either
    ASSERT_EQ(device.notified.size(), 1u);
    EXPECT_EQ(device.notified[0], 1);
}

TEST_F(MmioTransportTest, InterruptLineIsALevelUntilAcknowledged_4_2_3_4)
{
    ASSERT_TRUE(driver.init(kVersion1));
    EXPECT_FALSE(m.irq.level());
    device.ctx->interrupt.signal_used_buffer(0);
    device.ctx->interrupt.signal_config_change();
    EXPECT_TRUE(m.irq.level());
    EXPECT_EQ(driver.read32(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_VRING | VIRTIO_MMIO_INT_CONFIG);
    driver.write32(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
    EXPECT_TRUE(m.irq.level());  // the config bit is still pending
    driver.write32(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_CONFIG);
    EXPECT_FALSE(m.irq.level());
    EXPECT_EQ(m.irq.raised(), 1);
}

TEST_F(MmioTransportTest, ConfigChangeBumpsTheGeneration_4_2_2_1)
{
    ASSERT_TRUE(driver.init(kVersion1));
    uint32_t before = driver.read32(VIRTIO_MMIO_CONFIG_GENERATION);
    device.ctx->interrupt.signal_config_change();
    EXPECT_NE(driver.read32(VIRTIO_MMIO_CONFIG_GENERATION), before);
}

TEST_F(MmioTransportTest, ConfigSpaceTakesByteWordAndDwordAccesses_4_2_2_2)
{
    EXPECT_EQ(driver.read_config(0, 1), 1u);
    EXPECT_EQ(driver.read_config(2, 2), 0x0403u);
    EXPECT_EQ(driver.read_config(4, 4), 0x08070605u);
    EXPECT_EQ(driver.read_config(0, 8), 0x0807060504030201u);
    EXPECT_EQ(driver.read_config(6, 4), 0x0807u);  // runs off the end: zeros
    EXPECT_EQ(driver.read_config(0xf0, 4), 0u);
    driver.write_config(1, 2, 0xbbaa);
    EXPECT_EQ(device.config[1], 0xaa);
    EXPECT_EQ(device.config[2], 0xbb);
    uint64_t v = 0;
    EXPECT_TRUE(m.bus.read(kMmioBase + VIRTIO_MMIO_CONFIG, 3, v));  // odd sizes are ignored
    EXPECT_EQ(v, 0u);
}

TEST_F(MmioTransportTest, NonWordAccessesToControlRegistersAreIgnored_4_2_2_2)
{
    uint64_t v = 1;
    EXPECT_TRUE(m.bus.read(kMmioBase + VIRTIO_MMIO_MAGIC_VALUE, 1, v));
    EXPECT_EQ(v, 0u);
    EXPECT_TRUE(m.bus.read(kMmioBase + VIRTIO_MMIO_MAGIC_VALUE, 8, v));
    EXPECT_EQ(v, 0u);
    EXPECT_TRUE(m.bus.read(kMmioBase + VIRTIO_MMIO_MAGIC_VALUE + 2, 4, v));
    EXPECT_EQ(v, 0u);
    EXPECT_TRUE(m.bus.write(kMmioBase + VIRTIO_MMIO_STATUS, 1, VIRTIO_CONFIG_S_ACKNOWLEDGE));
    EXPECT_TRUE(m.bus.write(kMmioBase + VIRTIO_MMIO_STATUS, 2, VIRTIO_CONFIG_S_ACKNOWLEDGE));
    EXPECT_EQ(driver.status(), 0u);
}

TEST_F(MmioTransportTest, WritesToReadOnlyRegistersAreIgnored_4_2_2_2)
{
    for (uint64_t reg : {VIRTIO_MMIO_MAGIC_VALUE, VIRTIO_MMIO_VERSION, VIRTIO_MMIO_DEVICE_ID, VIRTIO_MMIO_VENDOR_ID,
                         VIRTIO_MMIO_DEVICE_FEATURES, VIRTIO_MMIO_QUEUE_NUM_MAX, VIRTIO_MMIO_INTERRUPT_STATUS,
                         VIRTIO_MMIO_CONFIG_GENERATION, VIRTIO_MMIO_SHM_LEN_LOW, uint64_t{0x0f0}})
        driver.write32(reg, 0xdeadbeef);
    EXPECT_EQ(driver.read32(VIRTIO_MMIO_MAGIC_VALUE), VIRTIO_MMIO_MAGIC);
    EXPECT_EQ(driver.read32(VIRTIO_MMIO_VERSION), 2u);
    EXPECT_EQ(driver.read32(VIRTIO_MMIO_DEVICE_ID), static_cast<uint32_t>(DeviceId::Balloon));
    EXPECT_EQ(driver.read32(VIRTIO_MMIO_INTERRUPT_STATUS), 0u);
    EXPECT_FALSE(m.irq.level());
    driver.write32(VIRTIO_MMIO_QUEUE_SEL, 0);
    EXPECT_EQ(driver.read32(VIRTIO_MMIO_QUEUE_NUM_MAX), 8u);
}

TEST_F(MmioTransportTest, WriteOnlyRegistersAndHolesReadZero_4_2_2_2)
{
    for (uint64_t reg : {VIRTIO_MMIO_DEVICE_FEATURES_SEL, VIRTIO_MMIO_DRIVER_FEATURES, VIRTIO_MMIO_QUEUE_SEL,
                         VIRTIO_MMIO_QUEUE_NUM, VIRTIO_MMIO_QUEUE_NOTIFY, VIRTIO_MMIO_INTERRUPT_ACK,
                         VIRTIO_MMIO_QUEUE_DESC_LOW, VIRTIO_MMIO_QUEUE_RESET, uint64_t{0x018}, uint64_t{0x0f8}})
        EXPECT_EQ(driver.read32(reg), 0u) << "register 0x" << std::hex << reg;
}

TEST_F(MmioTransportTest, NoSharedMemoryRegions_4_2_2)
{
    driver.write32(VIRTIO_MMIO_SHM_SEL, 0);
    EXPECT_EQ(driver.read32(VIRTIO_MMIO_SHM_LEN_LOW), 0xffffffffu);
    EXPECT_EQ(driver.read32(VIRTIO_MMIO_SHM_LEN_HIGH), 0xffffffffu);
    EXPECT_EQ(driver.read32(VIRTIO_MMIO_SHM_BASE_LOW), 0xffffffffu);
}

TEST_F(MmioTransportTest, NeedsResetStopsNotificationsUntilReset_2_1_2)
{
    ASSERT_TRUE(driver.init(kVersion1));
    device.ctx->interrupt.set_needs_reset();
    EXPECT_NE(driver.take_interrupt() & VIRTIO_MMIO_INT_CONFIG, 0u);
    driver.notify(0);
    EXPECT_TRUE(device.notified.empty());
    ASSERT_TRUE(driver.init(kVersion1));
    driver.notify(0);
    EXPECT_EQ(device.notified.size(), 1u);
}

TEST_F(MmioTransportTest, DestroyingAnActiveTransportResetsTheDevice)
{
    FakeDevice other;
    {
        TestMachine machine(other);
        ASSERT_TRUE(machine.driver.init(kVersion1));
        EXPECT_TRUE(other.ctx.has_value());
    }
    EXPECT_FALSE(other.ctx.has_value());
}

}  // namespace
