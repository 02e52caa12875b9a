// Where a virtio-net card's frames go: a network backend moves whole Ethernet frames (no virtio
// header) between the card and the host.
#pragma once

#include <cstdint>
#include <functional>
#include <span>

namespace vireo::virtio::net {

class Backend {
public:
    // Hands a frame from the network to the card; the card copies it before returning.
    using Receive = std::function<void(std::span<const uint8_t> frame)>;

    virtual ~Backend() = default;
    // Called once, before any other call.
    virtual void set_receiver(Receive receive) = 0;
    // A frame from the guest, to send. Dropping it is allowed (the network is lossy).
    virtual void send(std::span<const uint8_t> frame) = 0;
    // Regular service from the machine's event loop: read what arrived, run timers. Must not
    // block. `room` says how many more frames the card can take now (a tap leaves the rest in
    // the kernel's queue; user networking cannot hold frames back, and the card drops them).
    virtual void poll(size_t room) = 0;
};

}  // namespace vireo::virtio::net
