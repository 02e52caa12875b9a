// The numbers the virtio 1.2 specification defines, spelled as in the spec, in one place.
// Only the "modern" (non-legacy) interface: every field is little-endian.
#pragma once

#include <cstdint>

namespace vireo::virtio {

// virtio 1.2 §5: device types. The value is the MMIO DeviceID register.
enum class DeviceId : uint32_t {
    Reserved = 0,
    Net = 1,
    Block = 2,
    Console = 3,
    Entropy = 4,
    Balloon = 5,
    P9 = 9,
    Vsock = 19,
};

// virtio 1.2 §2.1: device status bits.
constexpr uint32_t VIRTIO_CONFIG_S_ACKNOWLEDGE = 1;
constexpr uint32_t VIRTIO_CONFIG_S_DRIVER = 2;
constexpr uint32_t VIRTIO_CONFIG_S_DRIVER_OK = 4;
constexpr uint32_t VIRTIO_CONFIG_S_FEATURES_OK = 8;
constexpr uint32_t VIRTIO_CONFIG_S_NEEDS_RESET = 64;
constexpr uint32_t VIRTIO_CONFIG_S_FAILED = 128;

// virtio 1.2 §6: reserved (device-independent) feature bits, as bit numbers.
constexpr unsigned VIRTIO_F_INDIRECT_DESC = 28;
constexpr unsigned VIRTIO_F_EVENT_IDX = 29;
constexpr unsigned VIRTIO_F_VERSION_1 = 32;
constexpr unsigned VIRTIO_F_ACCESS_PLATFORM = 33;
constexpr unsigned VIRTIO_F_RING_PACKED = 34;
constexpr unsigned VIRTIO_F_IN_ORDER = 35;
constexpr unsigned VIRTIO_F_NOTIFICATION_DATA = 38;
constexpr unsigned VIRTIO_F_RING_RESET = 40;

// A feature bit number as a mask.
constexpr uint64_t feature_bit(unsigned bit) { return uint64_t{1} << bit; }

// The features every Vireo device offers: the modern interface (§6.2: a device MUST offer
// VIRTIO_F_VERSION_1), indirect descriptors (§2.7.5.3) and event-index suppression (§2.7.7, §2.7.10).
constexpr uint64_t kCommonFeatures =
    feature_bit(VIRTIO_F_VERSION_1) | feature_bit(VIRTIO_F_INDIRECT_DESC) | feature_bit(VIRTIO_F_EVENT_IDX);

// virtio 1.2 §2.7.5: split virtqueue descriptor flags.
constexpr uint16_t VIRTQ_DESC_F_NEXT = 1;
constexpr uint16_t VIRTQ_DESC_F_WRITE = 2;
constexpr uint16_t VIRTQ_DESC_F_INDIRECT = 4;

// virtio 1.2 §2.7.6 / §2.7.8: ring flags.
constexpr uint16_t VIRTQ_AVAIL_F_NO_INTERRUPT = 1;
constexpr uint16_t VIRTQ_USED_F_NO_NOTIFY = 1;

// virtio 1.2 §2.7: the largest queue size (the highest power of 2 that fits in 16 bits).
constexpr uint32_t kMaxQueueSize = 32768;

// virtio 1.2 §2.7.5 / §2.7.6 / §2.7.8: layout of the three parts of a split virtqueue.
constexpr uint64_t kDescriptorSize = 16;      // struct virtq_desc
constexpr uint64_t kDescriptorAlign = 16;
constexpr uint64_t kAvailAlign = 2;
constexpr uint64_t kUsedAlign = 4;
constexpr uint64_t kUsedElemSize = 8;         // struct virtq_used_elem

}  // namespace vireo::virtio
