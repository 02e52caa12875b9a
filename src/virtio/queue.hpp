// The device side of a split virtqueue (virtio 1.2 §2.7).
//
// A Queue holds only the queue's registers and the device's cursors: it stores no reference to
// guest memory, and every operation takes the GuestMemory it works on (rust-vmm virtio-queue
// style), so one queue serves the emulator and KVM alike, and a queue can never outlive the RAM.
//
// Everything read from the rings comes from a hostile guest. Each walk is bounded (a chain has at
// most queue-size buffers), each index and length is checked, and a malformed ring or chain is an
// error value. The caller's policy (virtio 1.2 §2.1.2) is to set DEVICE_NEEDS_RESET and stop
// processing the queue: see ActiveContext::queue_failed() in device.hpp. The queue helps by
// becoming "broken" on its first error: pop() then returns nothing until reset().
//
// Threading: none. The caller serializes all calls on one queue (one device thread, or the
// single-threaded emulator). Loads of the available idx happen before the ring entry and the
// descriptors they publish are read (§2.7.13.3), which is also the order a multi-threaded user
// would fence.
#pragma once

#include <cstdint>
#include <optional>

#include "base/result.hpp"
#include "memory/guest_memory.hpp"
#include "virtio/chain.hpp"

namespace vireo::virtio {

class Queue {
public:
    explicit Queue(uint16_t max_size);

    // Configuration, written by the transport from the driver's register writes (§4.2.3.2).
    uint16_t max_size() const { return m_max_size; }
    uint16_t size() const { return m_size; }
    void set_size(uint16_t size) { m_size = size; }
    bool ready() const { return m_ready; }
    void set_ready(bool ready) { m_ready = ready; }
    memory::GuestAddr desc_table() const { return m_desc_table; }
    memory::GuestAddr avail_ring() const { return m_avail_ring; }
    memory::GuestAddr used_ring() const { return m_used_ring; }
    void set_desc_table(memory::GuestAddr addr) { m_desc_table = addr; }
    void set_avail_ring(memory::GuestAddr addr) { m_avail_ring = addr; }
    void set_used_ring(memory::GuestAddr addr) { m_used_ring = addr; }
    // Applies the negotiated features this queue cares about: VIRTIO_F_INDIRECT_DESC (§2.7.5.3)
    // and VIRTIO_F_EVENT_IDX (§2.7.7, §2.7.10).
    void set_features(uint64_t negotiated);

    // Back to the state after a device reset (§2.4): not ready, no addresses, size = max.
    void reset();

    // Checks the configuration before the device touches the queue: a power-of-2 size no larger
    // than the maximum (§2.7), aligned parts (§2.7.1) lying wholly in RAM.
    Result<void> validate(const memory::GuestMemory& memory) const;

    // Takes the next chain from the available ring. Empty when the ring is empty, when the queue
    // is not ready, or after an error (the queue is broken until reset()).
    Result<std::optional<DescriptorChain>> pop(memory::GuestMemory& memory);
    // Returns a chain to the driver with `len` bytes written (§2.7.8.2).
    Result<void> add_used(memory::GuestMemory& memory, uint16_t head, uint32_t len);
    // Whether the driver wants a used buffer notification for what was added since the last call
    // (§2.7.7.2: flags, or used_event with VIRTIO_F_EVENT_IDX).
    Result<bool> needs_notification(memory::GuestMemory& memory);

    bool broken() const { return m_broken; }
    uint16_t next_avail() const { return m_next_avail; }
    uint16_t next_used() const { return m_next_used; }

private:
    struct Descriptor {
        uint64_t addr;
        uint32_t len;
        uint16_t flags;
        uint16_t next;
    };
    Result<Descriptor> read_descriptor(const memory::GuestMemory& memory, memory::GuestAddr table,
                                       uint32_t index) const;
    Result<DescriptorChain> walk(const memory::GuestMemory& memory, uint16_t head) const;
    Error fail(Error error);

    uint16_t m_max_size;
    uint16_t m_size;
    bool m_ready = false;
    bool m_indirect = false;
    bool m_event_idx = false;
    bool m_broken = false;
    memory::GuestAddr m_desc_table = 0;
    memory::GuestAddr m_avail_ring = 0;
    memory::GuestAddr m_used_ring = 0;
    uint16_t m_next_avail = 0;      // the device's last_avail_idx
    uint16_t m_next_used = 0;       // the used idx the device publishes next
    uint16_t m_signalled_used = 0;  // the used idx at the last notification decision
};

}  // namespace vireo::virtio
