// User-mode networking through libslirp (QEMU's "-netdev user"): a private IPv4 network
// 10.0.2.0/24 inside the Vireo process, needing no privilege. The guest gets 10.0.2.15 by DHCP;
// 10.0.2.2 is the gateway and reaches the host's own loopback (127.0.0.1), 10.0.2.3 answers DNS
// with the host's resolver. Outgoing TCP and UDP connections become host sockets.
//
// Port forwarding (hostfwd=tcp|udp:[ADDR]:HOSTPORT-:GUESTPORT) sends what arrives at a host port,
// TCP or UDP, to the guest's 10.0.2.15. Without ADDR it listens on the host's 127.0.0.1 only —
// unlike QEMU, which listens on every address unless told otherwise — so a VM's services are
// not exposed to the network unless the user names an address (0.0.0.0 for all).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "virtio/devices/net/backend.hpp"

namespace vireo::virtio::net {

struct PortForward {
    enum class Protocol { Tcp, Udp };
    uint16_t host_port = 0;
    uint16_t guest_port = 0;
    Protocol protocol = Protocol::Tcp;
    std::string host_address = "127.0.0.1";  // dotted IPv4: where on the host it listens
};

class SlirpBackend final : public Backend {
public:
    // Fails (naming the port and address) when a forward's host address is not IPv4 or its port
    // cannot be bound there.
    static Result<std::unique_ptr<SlirpBackend>> create(const std::vector<PortForward>& forwards);
    ~SlirpBackend() override;

    void set_receiver(Receive receive) override { m_receive = std::move(receive); }
    void send(std::span<const uint8_t> frame) override;
    void poll(size_t room) override;

    struct State;  // libslirp's callbacks reach it; defined in slirp.cpp

private:
    SlirpBackend();
    std::unique_ptr<State> m_state;
    Receive m_receive;
};

}  // namespace vireo::virtio::net
