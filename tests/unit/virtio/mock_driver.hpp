// A mock virtio driver: it lays out split virtqueues in a GuestMemory and drives a device through
// the virtio-mmio registers the way Linux's virtio_mmio + virtio_ring do, so device tests read like
// the driver steps of the spec (virtio 1.2 §3.1.1 device initialization, §4.2.3.2 virtqueue
// configuration, §2.7.13 supplying buffers, §2.7.14 receiving used buffers).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "bus/bus.hpp"
#include "memory/guest_memory.hpp"
#include "virtio/virtio.hpp"

namespace vireo::virtio::test {

using memory::GuestAddr;

// Guest RAM for tests: 8 MiB at 0x8000_0000, as on the RISC-V virt board.
constexpr GuestAddr kRamBase = 0x8000'0000;
constexpr uint64_t kRamSize = 8 << 20;
constexpr GuestAddr kMmioBase = 0x1000'1000;

memory::GuestMemory make_ram();

// A bump allocator over guest RAM, for rings and buffers.
class GuestAllocator {
public:
    GuestAllocator(GuestAddr base, uint64_t size) : m_base(base), m_next(base), m_end(base + size) {}
    GuestAddr alloc(uint64_t size, uint64_t align = 16);
    void free_all() { m_next = m_base; }

private:
    GuestAddr m_base, m_next, m_end;
};

// One guest buffer of a chain, as the driver sees it.
struct Buffer {
    GuestAddr addr;
    uint32_t len;
    bool writable;
};

struct UsedElem {
    uint32_t id;
    uint32_t len;
};

enum class Layout { Direct, Indirect };

// The driver's side of one split virtqueue (virtio 1.2 §2.7) in guest memory.
class DriverRing {
public:
    DriverRing(memory::GuestMemory& memory, GuestAllocator& allocator, uint16_t size);

    uint16_t size() const { return m_size; }
    GuestAddr desc() const { return m_desc; }
    GuestAddr avail() const { return m_avail; }
    GuestAddr used() const { return m_used; }

    // §2.7.13.1-3: places the buffers into free descriptors (or one indirect table), puts the head
    // into the available ring and increments idx. Returns the head.
    uint16_t add_chain(std::span<const Buffer> buffers, Layout layout = Layout::Direct);
    // §2.7.14: the next used element, if the device has returned one since the last call. Then
    // sets used_event to ask for an interrupt on the next one (§2.7.7.1).
    std::optional<UsedElem> next_used();

    // Raw access, for hostile tests.
    void write_desc(uint16_t index, GuestAddr addr, uint32_t len, uint16_t flags, uint16_t next);
    static void write_desc_at(memory::GuestMemory& memory, GuestAddr table, uint32_t index, GuestAddr addr,
                              uint32_t len, uint16_t flags, uint16_t next);
    void publish(uint16_t head);  // ring[idx % size] = head; idx++
    void set_avail_idx(uint16_t idx);
    uint16_t avail_idx() const { return m_avail_idx; }
    void set_avail_flags(uint16_t flags);
    void set_used_event(uint16_t value);
    uint16_t used_idx() const;
    uint16_t avail_event() const;

private:
    memory::GuestMemory& m_memory;
    GuestAllocator& m_allocator;
    uint16_t m_size;
    GuestAddr m_desc, m_avail, m_used;
    uint16_t m_next_free = 0;  // descriptors are handed out round-robin
    uint16_t m_avail_idx = 0;
    uint16_t m_last_used = 0;
};

class RecordingIrq final : public bus::InterruptLine {
public:
    void set_level(bool high) override
    {
        if (high && !m_level)
            ++m_raised;
        m_level = high;
    }
    bool level() const { return m_level; }
    int raised() const { return m_raised; }

private:
    bool m_level = false;
    int m_raised = 0;
};

class MockDriver {
public:
    MockDriver(bus::MmioBus& bus, GuestAddr mmio_base, memory::GuestMemory& memory);

    // The control registers, 32-bit accesses as §4.2.2.2 requires.
    uint32_t read32(uint64_t reg);
    void write32(uint64_t reg, uint32_t value);
    // The device configuration space (§4.2.2.2: natural-width accesses).
    uint64_t read_config(uint32_t offset, unsigned size);
    void write_config(uint32_t offset, unsigned size, uint64_t value);

    // §3.1.1 steps, one by one.
    void reset();  // write 0 to Status; read back 0
    uint32_t status() { return read32(VIRTIO_MMIO_STATUS); }
    void add_status(uint32_t bits) { write32(VIRTIO_MMIO_STATUS, status() | bits); }
    uint64_t device_features();
    void write_driver_features(uint64_t features);
    // ACKNOWLEDGE, DRIVER, features, FEATURES_OK; true when FEATURES_OK reads back set.
    bool negotiate(uint64_t wanted);
    // §4.2.3.2: select, check not ready, read QueueNumMax, allocate, write QueueNum and the three
    // addresses, QueueReady = 1. `size` 0 means QueueNumMax. Returns the ring, or null when the queue
    // is not available.
    DriverRing* setup_queue(uint16_t index, uint16_t size = 0);
    void driver_ok() { add_status(VIRTIO_CONFIG_S_DRIVER_OK); }
    // The whole §3.1.1 sequence with every queue at its maximum size (or `size` if given); true when
    // DRIVER_OK is set and DEVICE_NEEDS_RESET is not.
    bool init(uint64_t wanted_features, uint16_t queue_size = 0);

    DriverRing& ring(uint16_t queue) { return *m_rings.at(queue); }
    void notify(uint16_t queue) { write32(VIRTIO_MMIO_QUEUE_NOTIFY, queue); }
    // §4.2.3.4: read InterruptStatus, then acknowledge what was read.
    uint32_t take_interrupt();
    bool needs_reset() { return (status() & VIRTIO_CONFIG_S_NEEDS_RESET) != 0; }

    // Guest buffers.
    Buffer readable(std::span<const uint8_t> bytes);
    Buffer writable(uint32_t len, uint8_t fill = 0xaa);
    std::vector<uint8_t> read_guest(GuestAddr addr, uint64_t len);
    GuestAllocator& allocator() { return m_allocator; }
    memory::GuestMemory& memory() { return m_memory; }
    // Forgets rings and buffers (after a reset), so long tests do not run out of RAM.
    void forget_rings();

private:
    bus::MmioBus& m_bus;
    GuestAddr m_base;
    memory::GuestMemory& m_memory;
    GuestAllocator m_allocator;
    std::vector<std::unique_ptr<DriverRing>> m_rings;
};

// A device behind a transport on a bus, with guest RAM and a driver: one "machine" per test.
struct TestMachine {
    explicit TestMachine(Device& device);

    memory::GuestMemory memory;
    RecordingIrq irq;
    bus::MmioBus bus;
    MmioTransport transport;
    MockDriver driver;
};

}  // namespace vireo::virtio::test
