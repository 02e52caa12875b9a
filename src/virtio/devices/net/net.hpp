// virtio-net (virtio 1.2 §5.1): one receive and one transmit queue, a fixed MAC address and the
// link always up; frames go to a net::Backend (user-mode networking through libslirp, or a tap).
//
// Every buffer starts with the 12-byte struct virtio_net_hdr (§5.1.6; with VIRTIO_F_VERSION_1 it
// always includes num_buffers). No offloads are offered: the guest sends complete frames with
// their checksums, and received frames arrive whole in one buffer chain each.
//
// Guest-fault policy: a malformed ring or chain sets DEVICE_NEEDS_RESET (ActiveContext::
// queue_failed). A transmit chain shorter than the header, or longer than a header plus a
// maximal frame, is dropped (used length 0) and the device carries on; a receive chain too small
// for the frame at hand gets nothing and the frame is dropped (counted), as a NIC drops a frame
// it has no buffer for. Frames arriving while the guest offers no receive buffers wait in a
// queue of kMaxPendingFrames, beyond which they are dropped.
#pragma once

#include <array>
#include <deque>
#include <memory>
#include <optional>
#include <vector>

#include "virtio/device.hpp"
#include "virtio/devices/net/backend.hpp"

namespace vireo::virtio {

class Net final : public Device {
public:
    static constexpr uint16_t kReceiveQueue = 0;
    static constexpr uint16_t kTransmitQueue = 1;
    static constexpr uint16_t kQueueSize = 256;
    static constexpr size_t kHeaderSize = 12;          // struct virtio_net_hdr, §5.1.6
    static constexpr size_t kMaxFrame = 1514;          // Ethernet, MTU 1500, no FCS
    static constexpr size_t kMaxPendingFrames = 256;
    using Mac = std::array<uint8_t, 6>;
    static constexpr Mac kDefaultMac = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};  // QEMU's

    // §5.1.3 feature bits and §5.1.4 status bits.
    static constexpr unsigned VIRTIO_NET_F_MTU = 3;
    static constexpr unsigned VIRTIO_NET_F_MAC = 5;
    static constexpr unsigned VIRTIO_NET_F_STATUS = 16;
    static constexpr uint16_t VIRTIO_NET_S_LINK_UP = 1;

    Net(std::unique_ptr<net::Backend> backend, Mac mac = kDefaultMac);

    struct Stats {
        uint64_t tx_frames = 0, rx_frames = 0, tx_dropped = 0, rx_dropped = 0;
    };
    const Stats& stats() const { return m_stats; }

    DeviceId id() const override { return DeviceId::Net; }
    uint64_t device_features() const override;
    uint16_t queue_count() const override { return 2; }
    uint16_t queue_max_size(uint16_t) const override { return kQueueSize; }
    void read_config(uint32_t offset, std::span<uint8_t> out) override;
    void write_config(uint32_t, std::span<const uint8_t>) override {}  // the MAC is not writable
    Result<void> activate(const ActiveContext& context) override;
    void queue_notify(uint16_t queue) override;
    void poll() override;
    void reset() override;

private:
    void receive(std::span<const uint8_t> frame);
    void transmit();
    void deliver();
    uint32_t transmit_one(const DescriptorChain& chain);
    uint32_t deliver_one(const DescriptorChain& chain);

    std::unique_ptr<net::Backend> m_backend;
    Mac m_mac;
    std::optional<ActiveContext> m_context;
    std::deque<std::vector<uint8_t>> m_pending;  // received frames waiting for buffers
    std::vector<uint8_t> m_frame;                 // scratch for a transmitted frame
    Stats m_stats;
};

}  // namespace vireo::virtio
