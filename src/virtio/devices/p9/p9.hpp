// virtio-9p: a host folder shared with the guest over 9P2000.L (device ID 9; the transport is
// Linux's net/9p/trans_virtio.c and QEMU's hw/9pfs/virtio-9p-device.c, as the virtio spec itself
// reserves the ID but does not describe the device). The guest mounts it with
//   mount -t 9p -o trans=virtio TAG /mnt
//
// One request queue. Each chain carries a T-message in its device-readable part and room for the
// R-message in its device-writable part; the device answers every request before taking the next.
// Configuration space: le16 tag_len, then the tag's bytes (VIRTIO_9P_MOUNT_TAG).
//
// Guest-fault policy: a malformed ring or chain sets DEVICE_NEEDS_RESET (ActiveContext::
// queue_failed); a malformed 9P message is answered with Rlerror (p9::Server); a chain with no
// room for even an Rlerror is returned with used length 0. Containment of the guest inside the
// shared folder is the server's (server.hpp).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "base/result.hpp"
#include "virtio/device.hpp"
#include "virtio/devices/p9/server.hpp"

namespace vireo::virtio {

class P9 final : public Device {
public:
    static constexpr uint16_t kQueueSize = 128;
    static constexpr size_t kMaxTagBytes = 255;
    static constexpr unsigned VIRTIO_9P_MOUNT_TAG = 0;

    // Shares `host_dir` under `tag`; the errors name the folder or the tag.
    static Result<std::unique_ptr<P9>> create(const std::string& host_dir, const std::string& tag);

    const std::string& tag() const { return m_tag; }
    p9::Server& server() { return *m_server; }

    DeviceId id() const override { return DeviceId::P9; }
    uint64_t device_features() const override { return kCommonFeatures | feature_bit(VIRTIO_9P_MOUNT_TAG); }
    uint16_t queue_count() const override { return 1; }
    uint16_t queue_max_size(uint16_t) const override { return kQueueSize; }
    void read_config(uint32_t offset, std::span<uint8_t> out) override;
    void write_config(uint32_t, std::span<const uint8_t>) override {}
    Result<void> activate(const ActiveContext& context) override;
    void queue_notify(uint16_t queue) override;
    void poll() override
    {
        if (m_context)
            process();
    }
    void reset() override;

private:
    P9(std::unique_ptr<p9::Server> server, std::string tag) : m_server(std::move(server)), m_tag(std::move(tag)) {}
    void process();
    uint32_t execute(const DescriptorChain& chain);

    std::unique_ptr<p9::Server> m_server;
    std::string m_tag;
    std::optional<ActiveContext> m_context;
    std::vector<uint8_t> m_request;
};

}  // namespace vireo::virtio
