// A tap interface on the host (--net tap=NAME): frames go to and from the host's network stack
// as if from another machine on that interface. Opening it needs CAP_NET_ADMIN, or a persistent
// tap that the user may open (`ip tuntap add dev NAME mode tap user USER`).
#pragma once

#include <memory>
#include <string>

#include "base/result.hpp"
#include "virtio/devices/net/backend.hpp"

namespace vireo::virtio::net {

class TapBackend final : public Backend {
public:
    // The error names the interface and says why (permission, no such device, ...).
    static Result<std::unique_ptr<TapBackend>> open(const std::string& name);
    ~TapBackend() override;

    void set_receiver(Receive receive) override { m_receive = std::move(receive); }
    void send(std::span<const uint8_t> frame) override;
    void poll(size_t room) override;

private:
    explicit TapBackend(int fd) : m_fd(fd) {}
    int m_fd;
    Receive m_receive;
};

}  // namespace vireo::virtio::net
