// virtio-console (virtio 1.2 §5.3) with a single port: queue 0 is port 0's receiveq (host to
// guest), queue 1 its transmitq (guest to host). No multiport, no control queues.
//
// Output goes to a Sink (a host fd via fd_sink(), or any function). Input is pushed by the machine
// with push_input() and kept here until the guest has posted receive buffers; poll(), from the
// machine's event loop, retries the delivery and finishes any pass cut short (Device::poll). VIRTIO_CONSOLE_F_EMERG_WRITE is offered: a byte written to
// emerg_wr goes straight to the sink, even before the device is configured (§5.3.5.1).
//
// Guest-fault policy: a malformed ring or chain sets DEVICE_NEEDS_RESET and stops that queue
// (ActiveContext::queue_failed). Writable buffers in the transmitq and readable buffers in the
// receiveq (§5.3.6.1 forbids both) are ignored; a receive chain without writable bytes is returned
// with length 0. Pending input beyond kMaxPendingInput is dropped (a guest that never reads cannot
// make the host buffer grow without bound).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "virtio/device.hpp"

namespace vireo::virtio {

class Console final : public Device {
public:
    using Sink = std::function<void(std::span<const uint8_t>)>;

    static constexpr uint16_t kReceiveQueue = 0;
    static constexpr uint16_t kTransmitQueue = 1;
    static constexpr uint16_t kQueueSize = 256;
    static constexpr size_t kMaxPendingInput = 64 * 1024;

    // §5.3.3 feature bits.
    static constexpr unsigned VIRTIO_CONSOLE_F_SIZE = 0;
    static constexpr unsigned VIRTIO_CONSOLE_F_MULTIPORT = 1;
    static constexpr unsigned VIRTIO_CONSOLE_F_EMERG_WRITE = 2;

    explicit Console(Sink sink) : m_sink(std::move(sink)) {}
    // A sink that writes everything to `fd` (not owned), retrying short writes.
    static Sink fd_sink(int fd);

    // Queues host input for the guest; returns how many bytes were accepted (the rest is dropped
    // when kMaxPendingInput bytes are already waiting).
    size_t push_input(std::span<const uint8_t> bytes);
    size_t pending_input() const { return m_input.size() - m_input_head; }

    DeviceId id() const override { return DeviceId::Console; }
    uint64_t device_features() const override
    {
        return kCommonFeatures | feature_bit(VIRTIO_CONSOLE_F_EMERG_WRITE);
    }
    uint16_t queue_count() const override { return 2; }
    uint16_t queue_max_size(uint16_t) const override { return kQueueSize; }
    void read_config(uint32_t offset, std::span<uint8_t> out) override;
    void write_config(uint32_t offset, std::span<const uint8_t> in) override;
    Result<void> activate(const ActiveContext& context) override;
    void queue_notify(uint16_t queue) override;
    void poll() override
    {
        if (!m_context)
            return;
        transmit();
        deliver_input();
    }
    void reset() override { m_context.reset(); }

private:
    void transmit();
    void deliver_input();

    Sink m_sink;
    std::optional<ActiveContext> m_context;
    std::vector<uint8_t> m_input;  // pending input is m_input[m_input_head..]
    size_t m_input_head = 0;
};

}  // namespace vireo::virtio
