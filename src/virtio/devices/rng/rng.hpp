// virtio-rng, the entropy device (virtio 1.2 §5.4): one request queue whose device-writable
// buffers the device fills with random bytes from the host's getrandom().
//
// Guest-fault policy: a malformed ring or chain sets DEVICE_NEEDS_RESET and stops the queue
// (ActiveContext::queue_failed). Device-readable buffers in a request are ignored (§5.4.6.1 forbids
// them). A huge buffer is filled only up to kMaxBytesPerRequest (§5.4.6.2 lets the device use
// less than the whole buffer), so one request cannot stall the machine.
#pragma once

#include <optional>

#include "virtio/device.hpp"

namespace vireo::virtio {

class Rng final : public Device {
public:
    static constexpr uint16_t kQueueSize = 256;
    static constexpr uint32_t kMaxBytesPerRequest = 64 * 1024;

    DeviceId id() const override { return DeviceId::Entropy; }
    uint64_t device_features() const override { return kCommonFeatures; }
    uint16_t queue_count() const override { return 1; }
    uint16_t queue_max_size(uint16_t) const override { return kQueueSize; }
    // §5.4.4: no configuration space.
    void read_config(uint32_t offset, std::span<uint8_t> out) override;
    void write_config(uint32_t, std::span<const uint8_t>) override {}
    Result<void> activate(const ActiveContext& context) override;
    void queue_notify(uint16_t queue) override;
    void poll() override
    {
        if (m_context)
            process();
    }
    void reset() override { m_context.reset(); }

private:
    void process();
    std::optional<ActiveContext> m_context;
};

}  // namespace vireo::virtio
