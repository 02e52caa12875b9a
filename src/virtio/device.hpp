// The transport-agnostic virtio device interface.
//
// A Device knows its own function (a disk, a console, a random source) and nothing of how the guest
// reaches it: the transport (virtio-mmio today, PCI later) owns the registers, the feature
// negotiation and the queues' configuration, and hands the device an ActiveContext when the driver
// sets DRIVER_OK. The device never learns which backend runs the guest: it sees GuestMemory& and
// an Interrupt&, nothing else (ARCHITECTURE.md).
//
// Lifecycle (crosvm style):
//
//          construct
//              |
//              v
//       +-------------+   activate(ctx) ok    +-------------+
//       |  inactive   | --------------------> |  activated  | <--+ queue_notify(q), poll():
//       |             |                       |             | ---+ pop chains, add_used, signal
//       +-------------+ <-------------------- +-------------+
//          ^    |            reset()                 |
//          |    | activate(ctx) fails:               | malformed queue: ctx.queue_failed(q)
//          |    | the transport sets                 | sets DEVICE_NEEDS_RESET, every queue
//          |    | DEVICE_NEEDS_RESET                 | stops; the driver then resets (status 0)
//          +----+                                    v
//                                                 reset() -> inactive
//
// - read_config/write_config work in every state (virtio-console's emerg_wr is written before
//   the device is configured, §5.3.5.1).
// - queue_notify() and poll() are no-ops while inactive; the device keeps the context only between
//   activate() and reset(), and the transport keeps the memory and queues alive for that time.
// - reset() returns the device to its just-constructed state, except host-side things it was built
//   with (an open disk image, a console's pending input).
#pragma once

#include <cstdint>
#include <functional>
#include <span>

#include "base/result.hpp"
#include "memory/guest_memory.hpp"
#include "virtio/queue.hpp"
#include "virtio/spec.hpp"

namespace vireo::virtio {

// How a device reaches the driver. Implemented by the transport (MMIO: InterruptStatus bits and
// a level-triggered bus::InterruptLine; PCI: ISR or MSI-X vectors).
class Interrupt {
public:
    virtual ~Interrupt() = default;
    // virtio 1.2 §2.3: a used buffer notification for `queue`. The caller has already asked the
    // queue whether the driver wants one (§2.7.7.2).
    virtual void signal_used_buffer(uint16_t queue) = 0;
    // virtio 1.2 §2.5: the device configuration space changed.
    virtual void signal_config_change() = 0;
    // virtio 1.2 §2.1.2: the device entered an error state it cannot leave without a reset. Sets
    // DEVICE_NEEDS_RESET and, when DRIVER_OK is set, sends a configuration change notification.
    virtual void set_needs_reset() = 0;
    // Whether DEVICE_NEEDS_RESET is set: the device then serves none of its queues until the driver
    // resets it.
    virtual bool needs_reset() const = 0;
};

// What a device gets on activation. The references stay valid until the device's reset().
struct ActiveContext {
    memory::GuestMemory& memory;
    std::span<Queue> queues;  // queue_count() queues, configured and validated by the transport
    uint64_t features;        // the negotiated features: what the driver accepted
    Interrupt& interrupt;

    bool has_feature(unsigned bit) const { return (features & feature_bit(bit)) != 0; }

    // After add_used(): sends a used buffer notification if the driver wants one (§2.7.7.2).
    void notify_used(uint16_t queue);
    // The guest-fault policy for a malformed ring or chain (virtio 1.2 §2.1.2): log it, set
    // DEVICE_NEEDS_RESET and stop serving the device: this queue is broken until reset, and
    // serve_queue() takes nothing from the others either (a device that asked for a reset must not
    // go on as if it had not). The rest of the machine carries on; the driver is expected to reset
    // the device.
    void queue_failed(uint16_t queue, const Error& error);

    // The device side of a queue pass (§2.7.13, §2.7.14), shared by every device: while
    // `more()` allows, takes the next available chain, lets `handle` serve it and return the
    // number of bytes it wrote into the chain, and returns the chain as used; at the end, one
    // used-buffer notification. A pass takes at most queue-size chains, so a guest refilling the
    // ring while the device works cannot keep the host here (the rest waits for Device::poll).
    // A malformed ring or chain stops the pass under the queue_failed() policy; once the device
    // needs a reset, a pass takes nothing at all.
    using ChainHandler = std::function<uint32_t(const DescriptorChain&)>;
    void serve_queue(uint16_t queue, const ChainHandler& handle, const std::function<bool()>& more = {});
};

class Device {
public:
    virtual ~Device() = default;

    virtual DeviceId id() const = 0;
    // Everything the device offers, including VIRTIO_F_VERSION_1 (§6.2).
    virtual uint64_t device_features() const = 0;
    virtual uint16_t queue_count() const = 0;
    virtual uint16_t queue_max_size(uint16_t queue) const = 0;

    // The device-specific configuration space (§2.5). Bytes beyond its end read as zero and
    // writes there are ignored; `offset` and the span come from the guest.
    virtual void read_config(uint32_t offset, std::span<uint8_t> out) = 0;
    virtual void write_config(uint32_t offset, std::span<const uint8_t> in) = 0;

    // DRIVER_OK was set with the queues in `context` validated. A failure is a host-side problem
    // the driver cannot fix by retrying; the transport sets DEVICE_NEEDS_RESET.
    virtual Result<void> activate(const ActiveContext& context) = 0;
    // An available buffer notification for `queue` (§2.9), already range-checked by the transport.
    virtual void queue_notify(uint16_t queue) = 0;
    // Called regularly by the machine's event loop. Devices deliver host-side input here (the
    // console) and finish work a bounded pass left: each pass over a queue handles at most
    // queue-size chains, because the ring can be refilled while the device works on it (by another
    // vCPU, or by device writes the guest aimed at the ring itself), and a pass that followed it
    // could run forever. A no-op while inactive.
    virtual void poll() {}
    // virtio 1.2 §2.4: the driver reset the device. Drop the context and everything in flight.
    virtual void reset() = 0;
};

// Copies the part of `config` that `offset`/`out` cover; zero-fills the rest. For read_config().
void read_config_bytes(std::span<const uint8_t> config, uint32_t offset, std::span<uint8_t> out);

}  // namespace vireo::virtio
