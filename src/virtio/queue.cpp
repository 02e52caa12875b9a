#include "virtio/queue.hpp"

#include <cstdio>
#include <string>

#include "base/bytes.hpp"
#include "virtio/spec.hpp"

namespace vireo::virtio {

namespace {

Error queue_error(const char* fmt, auto... args)
{
    char text[200];
    std::snprintf(text, sizeof text, fmt, args...);
    return Error::message(std::string("virtqueue: ") + text);
}

unsigned long long u64(uint64_t v) { return v; }

Result<uint16_t> read_u16(const memory::GuestMemory& memory, memory::GuestAddr addr)
{
    uint8_t bytes[2];
    TRY(memory.read(addr, bytes));
    return load_le<uint16_t>(bytes);
}

Result<void> write_u16(memory::GuestMemory& memory, memory::GuestAddr addr, uint16_t value)
{
    uint8_t bytes[2];
    store_le(bytes, value);
    return memory.write(addr, bytes);
}

bool is_power_of_2(uint32_t v) { return v != 0 && (v & (v - 1)) == 0; }

}  // namespace

Queue::Queue(uint16_t max_size) : m_max_size(max_size), m_size(max_size) {}

void Queue::set_features(uint64_t negotiated)
{
    m_indirect = (negotiated & feature_bit(VIRTIO_F_INDIRECT_DESC)) != 0;
    m_event_idx = (negotiated & feature_bit(VIRTIO_F_EVENT_IDX)) != 0;
}

void Queue::reset()
{
    *this = Queue(m_max_size);
}

Result<void> Queue::validate(const memory::GuestMemory& memory) const
{
    // virtio 1.2 §2.7: "Queue Size value is always a power of 2"; §4.2.2.2: at most QueueNumMax.
    if (!is_power_of_2(m_size) || m_size > m_max_size)
        return queue_error("size %u is not a power of 2 no larger than %u (virtio 1.2 §2.7)", m_size, m_max_size);
    // virtio 1.2 §2.7.1: alignment of each part.
    if (m_desc_table % kDescriptorAlign || m_avail_ring % kAvailAlign || m_used_ring % kUsedAlign)
        return queue_error("misaligned rings: desc 0x%llx, driver 0x%llx, device 0x%llx (virtio 1.2 §2.7.1)",
                           u64(m_desc_table), u64(m_avail_ring), u64(m_used_ring));
    // Sizes from the table in §2.7; the trailing used_event/avail_event are part of the 6 bytes.
    if (!memory.contains(m_desc_table, kDescriptorSize * m_size))
        return queue_error("descriptor table at 0x%llx is not in RAM", u64(m_desc_table));
    if (!memory.contains(m_avail_ring, 6 + 2 * uint64_t{m_size}))
        return queue_error("available ring at 0x%llx is not in RAM", u64(m_avail_ring));
    if (!memory.contains(m_used_ring, 6 + kUsedElemSize * m_size))
        return queue_error("used ring at 0x%llx is not in RAM", u64(m_used_ring));
    return {};
}

Error Queue::fail(Error error)
{
    m_broken = true;
    return error;
}

Result<Queue::Descriptor> Queue::read_descriptor(const memory::GuestMemory& memory, memory::GuestAddr table,
                                                 uint32_t index) const
{
    uint8_t raw[kDescriptorSize];
    if (!memory.read(table + uint64_t{index} * kDescriptorSize, raw).ok())
        return queue_error("descriptor %u at table 0x%llx is not in RAM", index, u64(table));
    return Descriptor{load_le<uint64_t>(raw), load_le<uint32_t>(raw + 8), load_le<uint16_t>(raw + 12),
                      load_le<uint16_t>(raw + 14)};
}

Result<DescriptorChain> Queue::walk(const memory::GuestMemory& memory, uint16_t head) const
{
    if (head >= m_size)
        return queue_error("head index %u out of range (size %u)", head, m_size);

    DescriptorChain chain;
    chain.m_head = head;
    memory::GuestAddr table = m_desc_table;
    uint32_t table_entries = m_size;
    uint32_t index = head;
    bool in_indirect = false;
    // virtio 1.2 §2.7.5.3.1: "A driver MUST NOT create a descriptor chain longer than the Queue
    // Size of the device." Counting buffers (the one indirect descriptor is not a buffer) bounds
    // the walk, so a loop in the table ends here instead of spinning.
    uint32_t buffers = 0;
    uint64_t readable = 0;
    uint64_t writable = 0;
    bool seen_writable = false;
    for (;;) {
        Descriptor d = TRY(read_descriptor(memory, table, index));
        if (d.flags & VIRTQ_DESC_F_INDIRECT) {
            // virtio 1.2 §2.7.5.3.1: the feature must be negotiated, tables do not nest, and
            // INDIRECT excludes NEXT. The device ignores WRITE here (§2.7.5.3.2).
            if (!m_indirect)
                return queue_error("descriptor %u is indirect but VIRTIO_F_INDIRECT_DESC was not negotiated", index);
            if (in_indirect)
                return queue_error("nested indirect descriptor %u (virtio 1.2 §2.7.5.3.1)", index);
            if (d.flags & VIRTQ_DESC_F_NEXT)
                return queue_error("descriptor %u has both INDIRECT and NEXT (virtio 1.2 §2.7.5.3.1)", index);
            if (d.len == 0 || d.len % kDescriptorSize != 0)
                return queue_error("indirect table length %u is not a positive multiple of 16 (virtio 1.2 §2.7.5.3)",
                                   d.len);
            if (!memory.contains(d.addr, d.len))
                return queue_error("indirect table 0x%llx+0x%x is not in RAM", u64(d.addr), d.len);
            table = d.addr;
            table_entries = static_cast<uint32_t>(d.len / kDescriptorSize);
            index = 0;
            in_indirect = true;
            continue;
        }
        if (++buffers > m_size)
            return queue_error("chain from head %u is longer than the queue size %u: a loop? (virtio 1.2 §2.7.5.3.1)",
                               head, m_size);
        bool is_writable = (d.flags & VIRTQ_DESC_F_WRITE) != 0;
        // virtio 1.2 §2.7.4.2: device-writable buffers come after all device-readable ones.
        if (!is_writable && seen_writable)
            return queue_error("device-readable descriptor %u follows a device-writable one (virtio 1.2 §2.7.4.2)",
                               index);
        if (!memory.contains(d.addr, d.len))
            return queue_error("buffer 0x%llx+0x%x of descriptor %u is not in RAM", u64(d.addr), d.len, index);
        seen_writable |= is_writable;
        (is_writable ? writable : readable) += d.len;
        // virtio 1.2 §2.7.5.2: "Drivers MUST NOT add a descriptor chain longer than 2^32 bytes in
        // total". We also reject exactly 2^32, so every length fits the 32-bit used length.
        if (readable + writable > UINT32_MAX)
            return queue_error("chain from head %u is longer than 2^32 bytes (virtio 1.2 §2.7.5.2)", head);
        if (d.len > 0) {
            if (!is_writable)
                chain.m_first_writable++;
            chain.m_segments.push_back(Segment{d.addr, d.len});
        }
        if (!(d.flags & VIRTQ_DESC_F_NEXT))
            break;
        if (d.next >= table_entries)
            return queue_error("descriptor %u: next index %u out of range (%u entries)", index, d.next, table_entries);
        index = d.next;
    }
    chain.m_readable_len = static_cast<uint32_t>(readable);
    chain.m_writable_len = static_cast<uint32_t>(writable);
    return chain;
}

Result<std::optional<DescriptorChain>> Queue::pop(memory::GuestMemory& memory)
{
    if (!m_ready || m_broken)
        return std::optional<DescriptorChain>{};
    if (m_size == 0 || m_size > m_max_size)
        return fail(queue_error("popped with invalid size %u", m_size));

    // virtio 1.2 §2.7.13.3: the available idx publishes the ring entries before it, so it is
    // loaded first.
    auto avail_idx = read_u16(memory, m_avail_ring + 2);
    if (!avail_idx.ok())
        return fail(queue_error("available ring at 0x%llx is not in RAM", u64(m_avail_ring)));
    uint16_t pending = static_cast<uint16_t>(avail_idx.value() - m_next_avail);
    if (pending == 0)
        return std::optional<DescriptorChain>{};
    // The ring holds at most size entries (§2.7.13: "the ring buffer is the same size as the
    // descriptor table"), so an idx further ahead can only come from a broken or hostile driver.
    if (pending > m_size)
        return fail(queue_error("available idx %u is %u entries ahead of the device, more than the queue size %u",
                                avail_idx.value(), pending, m_size));

    uint32_t slot = m_next_avail % m_size;
    auto head = read_u16(memory, m_avail_ring + 4 + 2 * uint64_t{slot});
    if (!head.ok())
        return fail(head.release_error());
    m_next_avail++;

    auto chain = walk(memory, head.value());
    if (!chain.ok())
        return fail(chain.release_error());

    // virtio 1.2 §2.7.10: with VIRTIO_F_EVENT_IDX the device asks to be notified when the driver
    // makes the entry at avail_event available, i.e. the one after what it has consumed. The device
    // always wants to hear about new buffers, so it keeps avail_event at its cursor.
    if (m_event_idx) {
        if (!write_u16(memory, m_used_ring + 4 + kUsedElemSize * m_size, m_next_avail).ok())
            return fail(queue_error("used ring at 0x%llx is not in RAM", u64(m_used_ring)));
    }
    return std::optional<DescriptorChain>(chain.release_value());
}

Result<void> Queue::add_used(memory::GuestMemory& memory, uint16_t head, uint32_t len)
{
    if (m_size == 0 || head >= m_size)
        return fail(queue_error("used head %u out of range (size %u)", head, m_size));
    // virtio 1.2 §2.7.8.2: the element (with len) is written before the used idx that publishes it.
    uint8_t elem[kUsedElemSize];
    store_le<uint32_t>(elem, head);
    store_le<uint32_t>(elem + 4, len);
    uint64_t slot = m_next_used % m_size;
    if (!memory.write(m_used_ring + 4 + kUsedElemSize * slot, elem).ok())
        return fail(queue_error("used ring at 0x%llx is not in RAM", u64(m_used_ring)));
    m_next_used++;
    if (!write_u16(memory, m_used_ring + 2, m_next_used).ok())
        return fail(queue_error("used ring at 0x%llx is not in RAM", u64(m_used_ring)));
    return {};
}

Result<bool> Queue::needs_notification(memory::GuestMemory& memory)
{
    if (m_size == 0)
        return false;
    if (!m_event_idx) {
        // virtio 1.2 §2.7.7.2 without VIRTIO_F_EVENT_IDX: notify unless flags is 1.
        auto flags = read_u16(memory, m_avail_ring);
        if (!flags.ok())
            return fail(queue_error("available ring at 0x%llx is not in RAM", u64(m_avail_ring)));
        return (flags.value() & VIRTQ_AVAIL_F_NO_INTERRUPT) == 0;
    }
    // virtio 1.2 §2.7.7.2 with VIRTIO_F_EVENT_IDX: notify when the used idx moved past used_event
    // since the last decision. This is vring_need_event() from §2.7.11 (the Linux helpers), which
    // also covers batches and the 16-bit wrap.
    auto used_event = read_u16(memory, m_avail_ring + 4 + 2 * uint64_t{m_size});
    if (!used_event.ok())
        return fail(queue_error("available ring at 0x%llx is not in RAM", u64(m_avail_ring)));
    // The used idx starts at 0 after a reset, so the first decision measures from 0.
    uint16_t new_idx = m_next_used;
    uint16_t old_idx = m_signalled_used;
    m_signalled_used = new_idx;
    return static_cast<uint16_t>(new_idx - used_event.value() - 1) < static_cast<uint16_t>(new_idx - old_idx);
}

}  // namespace vireo::virtio
