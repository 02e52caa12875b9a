#include "mock_driver.hpp"

#include <cstring>

#include "base/assert.hpp"
#include "base/bytes.hpp"

namespace vireo::virtio::test {

namespace {
void write_u16(memory::GuestMemory& memory, GuestAddr addr, uint16_t value)
{
    uint8_t b[2];
    store_le(b, value);
    VERIFY(memory.write(addr, b).ok());
}
uint16_t read_u16(const memory::GuestMemory& memory, GuestAddr addr)
{
    uint8_t b[2];
    VERIFY(memory.read(addr, b).ok());
    return load_le<uint16_t>(b);
}
void zero(memory::GuestMemory& memory, GuestAddr addr, uint64_t len)
{
    auto span = memory.span(addr, len);
    VERIFY(span.ok());
    std::memset(span.value().data(), 0, len);
}
}  // namespace

memory::GuestMemory make_ram()
{
    auto ram = memory::GuestMemory::create(kRamBase, kRamSize);
    VERIFY(ram.ok());
    return ram.release_value();
}

GuestAddr GuestAllocator::alloc(uint64_t size, uint64_t align)
{
    GuestAddr addr = (m_next + align - 1) & ~(align - 1);
    VERIFY(addr + size <= m_end);
    m_next = addr + size;
    return addr;
}

DriverRing::DriverRing(memory::GuestMemory& memory, GuestAllocator& allocator, uint16_t size)
    : m_memory(memory), m_allocator(allocator), m_size(size)
{
    // §2.7: "Allocate and zero the queue memory" (§4.2.3.2 step 4), with the §2.7.1 alignments.
    m_desc = allocator.alloc(kDescriptorSize * size, kDescriptorAlign);
    m_avail = allocator.alloc(6 + 2 * uint64_t{size}, kAvailAlign);
    m_used = allocator.alloc(6 + kUsedElemSize * size, kUsedAlign);
    zero(memory, m_desc, kDescriptorSize * size);
    zero(memory, m_avail, 6 + 2 * uint64_t{size});
    zero(memory, m_used, 6 + kUsedElemSize * size);
}

void DriverRing::write_desc_at(memory::GuestMemory& memory, GuestAddr table, uint32_t index, GuestAddr addr,
                               uint32_t len, uint16_t flags, uint16_t next)
{
    uint8_t raw[16];
    store_le<uint64_t>(raw, addr);
    store_le<uint32_t>(raw + 8, len);
    store_le<uint16_t>(raw + 12, flags);
    store_le<uint16_t>(raw + 14, next);
    VERIFY(memory.write(table + 16 * uint64_t{index}, raw).ok());
}

void DriverRing::write_desc(uint16_t index, GuestAddr addr, uint32_t len, uint16_t flags, uint16_t next)
{
    write_desc_at(m_memory, m_desc, index, addr, len, flags, next);
}

void DriverRing::publish(uint16_t head)
{
    write_u16(m_memory, m_avail + 4 + 2 * uint64_t{static_cast<uint16_t>(m_avail_idx % m_size)}, head);
    set_avail_idx(static_cast<uint16_t>(m_avail_idx + 1));
}

void DriverRing::set_avail_idx(uint16_t idx)
{
    m_avail_idx = idx;
    write_u16(m_memory, m_avail + 2, idx);
}

void DriverRing::set_avail_flags(uint16_t flags)
{
    write_u16(m_memory, m_avail, flags);
}

void DriverRing::set_used_event(uint16_t value)
{
    write_u16(m_memory, m_avail + 4 + 2 * uint64_t{m_size}, value);
}

uint16_t DriverRing::used_idx() const
{
    return read_u16(m_memory, m_used + 2);
}

uint16_t DriverRing::avail_event() const
{
    return read_u16(m_memory, m_used + 4 + kUsedElemSize * m_size);
}

uint16_t DriverRing::add_chain(std::span<const Buffer> buffers, Layout layout)
{
    VERIFY(!buffers.empty());
    auto flags_of = [&](size_t i) {
        uint16_t flags = buffers[i].writable ? VIRTQ_DESC_F_WRITE : 0;
        if (i + 1 < buffers.size())
            flags |= VIRTQ_DESC_F_NEXT;
        return flags;
    };
    uint16_t head = m_next_free;
    if (layout == Layout::Indirect) {
        // §2.7.5.3: one descriptor in the ring's table pointing at a table of the buffers.
        GuestAddr table = m_allocator.alloc(16 * buffers.size(), 16);
        for (size_t i = 0; i < buffers.size(); ++i)
            write_desc_at(m_memory, table, static_cast<uint32_t>(i), buffers[i].addr, buffers[i].len, flags_of(i),
                          static_cast<uint16_t>(i + 1));
        write_desc(head, table, static_cast<uint32_t>(16 * buffers.size()), VIRTQ_DESC_F_INDIRECT, 0);
        m_next_free = static_cast<uint16_t>((m_next_free + 1) % m_size);
    } else {
        VERIFY(buffers.size() <= m_size);
        for (size_t i = 0; i < buffers.size(); ++i) {
            uint16_t index = m_next_free;
            m_next_free = static_cast<uint16_t>((m_next_free + 1) % m_size);
            write_desc(index, buffers[i].addr, buffers[i].len, flags_of(i), m_next_free);
        }
    }
    publish(head);
    return head;
}

std::optional<UsedElem> DriverRing::next_used()
{
    if (used_idx() == m_last_used)
        return std::nullopt;
    uint8_t raw[8];
    VERIFY(m_memory.read(m_used + 4 + kUsedElemSize * (m_last_used % m_size), raw).ok());
    m_last_used++;
    // Like Linux with callbacks enabled (virtqueue_enable_cb): with VIRTIO_F_EVENT_IDX, ask for an
    // interrupt when the next buffer is used. Harmless without the feature.
    set_used_event(m_last_used);
    return UsedElem{load_le<uint32_t>(raw), load_le<uint32_t>(raw + 4)};
}

MockDriver::MockDriver(bus::MmioBus& bus, GuestAddr mmio_base, memory::GuestMemory& memory)
    : m_bus(bus), m_base(mmio_base), m_memory(memory), m_allocator(memory.base() + 0x1000, memory.size() - 0x1000)
{
}

uint32_t MockDriver::read32(uint64_t reg)
{
    uint64_t value = 0;
    VERIFY(m_bus.read(m_base + reg, 4, value));
    return static_cast<uint32_t>(value);
}

void MockDriver::write32(uint64_t reg, uint32_t value)
{
    VERIFY(m_bus.write(m_base + reg, 4, value));
}

uint64_t MockDriver::read_config(uint32_t offset, unsigned size)
{
    uint64_t value = 0;
    VERIFY(m_bus.read(m_base + VIRTIO_MMIO_CONFIG + offset, size, value));
    return value;
}

void MockDriver::write_config(uint32_t offset, unsigned size, uint64_t value)
{
    VERIFY(m_bus.write(m_base + VIRTIO_MMIO_CONFIG + offset, size, value));
}

void MockDriver::reset()
{
    write32(VIRTIO_MMIO_STATUS, 0);
    VERIFY(status() == 0);  // §2.4.2: the driver waits for the reset to complete
}

uint64_t MockDriver::device_features()
{
    write32(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
    uint64_t high = read32(VIRTIO_MMIO_DEVICE_FEATURES);
    write32(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
    return (high << 32) | read32(VIRTIO_MMIO_DEVICE_FEATURES);
}

void MockDriver::write_driver_features(uint64_t features)
{
    write32(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
    write32(VIRTIO_MMIO_DRIVER_FEATURES, static_cast<uint32_t>(features >> 32));
    write32(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
    write32(VIRTIO_MMIO_DRIVER_FEATURES, static_cast<uint32_t>(features));
}

bool MockDriver::negotiate(uint64_t wanted)
{
    // §3.1.1 steps 2-6.
    add_status(VIRTIO_CONFIG_S_ACKNOWLEDGE);
    add_status(VIRTIO_CONFIG_S_DRIVER);
    write_driver_features(device_features() & wanted);
    add_status(VIRTIO_CONFIG_S_FEATURES_OK);
    return (status() & VIRTIO_CONFIG_S_FEATURES_OK) != 0;
}

DriverRing* MockDriver::setup_queue(uint16_t index, uint16_t size)
{
    write32(VIRTIO_MMIO_QUEUE_SEL, index);
    if (read32(VIRTIO_MMIO_QUEUE_READY) != 0)
        return nullptr;
    uint32_t max = read32(VIRTIO_MMIO_QUEUE_NUM_MAX);
    if (max == 0)
        return nullptr;
    uint16_t n = size ? size : static_cast<uint16_t>(max);
    auto ring = std::make_unique<DriverRing>(m_memory, m_allocator, n);
    write32(VIRTIO_MMIO_QUEUE_NUM, n);
    write32(VIRTIO_MMIO_QUEUE_DESC_LOW, static_cast<uint32_t>(ring->desc()));
    write32(VIRTIO_MMIO_QUEUE_DESC_HIGH, static_cast<uint32_t>(ring->desc() >> 32));
    write32(VIRTIO_MMIO_QUEUE_DRIVER_LOW, static_cast<uint32_t>(ring->avail()));
    write32(VIRTIO_MMIO_QUEUE_DRIVER_HIGH, static_cast<uint32_t>(ring->avail() >> 32));
    write32(VIRTIO_MMIO_QUEUE_DEVICE_LOW, static_cast<uint32_t>(ring->used()));
    write32(VIRTIO_MMIO_QUEUE_DEVICE_HIGH, static_cast<uint32_t>(ring->used() >> 32));
    write32(VIRTIO_MMIO_QUEUE_READY, 1);
    if (m_rings.size() <= index)
        m_rings.resize(index + 1u);
    m_rings[index] = std::move(ring);
    return m_rings[index].get();
}

bool MockDriver::init(uint64_t wanted_features, uint16_t queue_size)
{
    forget_rings();
    reset();
    // §4.2.3.1: check MagicValue, Version and DeviceID first.
    if (read32(VIRTIO_MMIO_MAGIC_VALUE) != VIRTIO_MMIO_MAGIC || read32(VIRTIO_MMIO_VERSION) != 2 ||
        read32(VIRTIO_MMIO_DEVICE_ID) == 0)
        return false;
    if (!negotiate(wanted_features))
        return false;
    for (uint16_t q = 0;; ++q) {
        write32(VIRTIO_MMIO_QUEUE_SEL, q);
        if (read32(VIRTIO_MMIO_QUEUE_NUM_MAX) == 0)
            break;
        if (!setup_queue(q, queue_size))
            return false;
    }
    driver_ok();
    uint32_t s = status();
    return (s & VIRTIO_CONFIG_S_DRIVER_OK) && !(s & VIRTIO_CONFIG_S_NEEDS_RESET);
}

uint32_t MockDriver::take_interrupt()
{
    uint32_t s = read32(VIRTIO_MMIO_INTERRUPT_STATUS);
    if (s)
        write32(VIRTIO_MMIO_INTERRUPT_ACK, s);
    return s;
}

Buffer MockDriver::readable(std::span<const uint8_t> bytes)
{
    GuestAddr addr = m_allocator.alloc(bytes.size(), 8);
    VERIFY(m_memory.write(addr, bytes).ok());
    return Buffer{addr, static_cast<uint32_t>(bytes.size()), false};
}

Buffer MockDriver::writable(uint32_t len, uint8_t fill)
{
    GuestAddr addr = m_allocator.alloc(len, 8);
    auto span = m_memory.span(addr, len);
    VERIFY(span.ok());
    std::memset(span.value().data(), fill, len);
    return Buffer{addr, len, true};
}

std::vector<uint8_t> MockDriver::read_guest(GuestAddr addr, uint64_t len)
{
    std::vector<uint8_t> out(len);
    VERIFY(m_memory.read(addr, out).ok());
    return out;
}

void MockDriver::forget_rings()
{
    m_rings.clear();
    m_allocator.free_all();
}

TestMachine::TestMachine(Device& device)
    : memory(make_ram()), transport(device, memory, irq), driver(bus, kMmioBase, memory)
{
    VERIFY(bus.map(kMmioBase, MmioTransport::kWindowSize, transport, "virtio").ok());
}

}  // namespace vireo::virtio::test
