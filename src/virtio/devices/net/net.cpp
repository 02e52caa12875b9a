#include "virtio/devices/net/net.hpp"

#include <algorithm>

#include "base/bytes.hpp"
#include "base/log.hpp"

namespace vireo::virtio {

namespace {
// §5.1.4: struct virtio_net_config: mac[6] @0, status @6, max_virtqueue_pairs @8, mtu @10.
constexpr size_t kConfigSize = 12;
}  // namespace

Net::Net(std::unique_ptr<net::Backend> backend, Mac mac) : m_backend(std::move(backend)), m_mac(mac)
{
    m_backend->set_receiver([this](std::span<const uint8_t> frame) { receive(frame); });
}

uint64_t Net::device_features() const
{
    return kCommonFeatures | feature_bit(VIRTIO_NET_F_MAC) | feature_bit(VIRTIO_NET_F_STATUS) |
           feature_bit(VIRTIO_NET_F_MTU);
}

void Net::read_config(uint32_t offset, std::span<uint8_t> out)
{
    uint8_t config[kConfigSize] = {};
    std::copy(m_mac.begin(), m_mac.end(), config);
    store_le<uint16_t>(config + 6, VIRTIO_NET_S_LINK_UP);
    store_le<uint16_t>(config + 8, 1);
    store_le<uint16_t>(config + 10, static_cast<uint16_t>(kMaxFrame - 14));
    read_config_bytes(config, offset, out);
}

Result<void> Net::activate(const ActiveContext& context)
{
    m_context.emplace(context);
    transmit();
    deliver();
    return {};
}

void Net::queue_notify(uint16_t queue)
{
    if (!m_context)
        return;
    if (queue == kTransmitQueue)
        transmit();
    else if (queue == kReceiveQueue)
        deliver();
}

void Net::poll()
{
    // The backend runs even while the driver is not ready, so its timers and sockets keep going;
    // what it receives meanwhile waits in (or falls off) the pending queue.
    m_backend->poll(kMaxPendingFrames - std::min(m_pending.size(), kMaxPendingFrames));
    if (m_context) {
        transmit();
        deliver();
    }
}

void Net::reset()
{
    m_context.reset();
    m_pending.clear();
}

void Net::receive(std::span<const uint8_t> frame)
{
    if (m_pending.size() >= kMaxPendingFrames || frame.size() > kMaxFrame) {
        ++m_stats.rx_dropped;
        return;
    }
    m_pending.emplace_back(frame.begin(), frame.end());
    if (m_context)
        deliver();
}

void Net::transmit()
{
    m_context->serve_queue(kTransmitQueue, [this](const DescriptorChain& chain) { return transmit_one(chain); });
}

uint32_t Net::transmit_one(const DescriptorChain& chain)
{
    // §5.1.6.2: the header, then the frame; the framing across descriptors is free (§2.7.4.1).
    ChainReader reader(m_context->memory, chain);
    if (reader.remaining() < kHeaderSize || reader.remaining() > kHeaderSize + kMaxFrame) {
        ++m_stats.tx_dropped;
        return 0;
    }
    reader.consume(kHeaderSize);  // no offloads were offered, so nothing in it matters
    m_frame.resize(reader.remaining());
    reader.read(m_frame);
    m_backend->send(m_frame);
    ++m_stats.tx_frames;
    return 0;  // §5.1.6.2: transmit buffers are device-readable only
}

void Net::deliver()
{
    if (m_pending.empty())
        return;
    m_context->serve_queue(
        kReceiveQueue, [this](const DescriptorChain& chain) { return deliver_one(chain); },
        [this] { return !m_pending.empty(); });
}

uint32_t Net::deliver_one(const DescriptorChain& chain)
{
    std::vector<uint8_t> frame = std::move(m_pending.front());
    m_pending.pop_front();
    ChainWriter writer(m_context->memory, chain);
    if (writer.remaining() < kHeaderSize + frame.size()) {
        ++m_stats.rx_dropped;
        return 0;
    }
    // §5.1.6.4: flags 0, no GSO, num_buffers 1 (VIRTIO_NET_F_MRG_RXBUF is not offered).
    uint8_t header[kHeaderSize] = {};
    store_le<uint16_t>(header + 10, 1);
    writer.write(header);
    writer.write(frame);
    ++m_stats.rx_frames;
    return static_cast<uint32_t>(writer.written());
}

}  // namespace vireo::virtio
