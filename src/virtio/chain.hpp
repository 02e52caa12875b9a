// A descriptor chain popped from a virtqueue, and the reader/writer a device uses to move bytes
// through it.
//
// A chain is resolved completely when it is popped (virtio 1.2 §2.7.5): every descriptor has been
// read once into host memory, every buffer checked to lie wholly in guest RAM, and the
// device-readable buffers are known to precede the device-writable ones (§2.7.4.2). So the guest
// cannot change a chain's shape after the check (no time-of-check/time-of-use gap), and the
// reader and writer below only ever touch the buffers the driver offered, in the direction the
// driver allowed (§2.7.5.1: a device MUST NOT write to a device-readable buffer).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "memory/guest_memory.hpp"

namespace vireo::virtio {

// One guest buffer of a chain. Zero-length descriptors are dropped when the chain is resolved.
struct Segment {
    memory::GuestAddr addr;
    uint32_t len;
};

class DescriptorChain {
public:
    // The index of the chain's head descriptor: what goes back into the used ring (§2.7.8).
    uint16_t head() const { return m_head; }

    std::span<const Segment> readable() const { return std::span(m_segments).first(m_first_writable); }
    std::span<const Segment> writable() const { return std::span(m_segments).subspan(m_first_writable); }
    // Totals fit in 32 bits: the queue rejects chains longer than 2^32 - 1 bytes (§2.7.5.2).
    uint32_t readable_len() const { return m_readable_len; }
    uint32_t writable_len() const { return m_writable_len; }

private:
    friend class Queue;
    uint16_t m_head = 0;
    std::vector<Segment> m_segments;
    size_t m_first_writable = 0;
    uint32_t m_readable_len = 0;
    uint32_t m_writable_len = 0;
};

// Reads the device-readable part of a chain front to back, as one byte stream.
class ChainReader {
public:
    ChainReader(memory::GuestMemory& memory, const DescriptorChain& chain);

    uint64_t remaining() const { return m_remaining; }
    uint64_t bytes_read() const { return m_done; }

    // Copies min(out.size(), remaining()) bytes into `out`; returns how many.
    size_t read(std::span<uint8_t> out);
    // Copies exactly out.size() bytes, or consumes nothing and returns false when fewer remain.
    bool read_exact(std::span<uint8_t> out);
    // Zero-copy access: the host bytes of the next contiguous piece (at most `max` bytes), without
    // consuming them; empty at the end. Follow with consume().
    std::span<const uint8_t> peek(uint64_t max);
    void consume(uint64_t n);

private:
    memory::GuestMemory& m_memory;
    std::span<const Segment> m_segments;
    size_t m_index = 0;       // current segment
    uint32_t m_offset = 0;    // offset inside it
    uint64_t m_remaining = 0;
    uint64_t m_done = 0;
};

// Writes the device-writable part of a chain front to back. written() is the used length the
// device reports (§2.7.8.2: it MUST have written at least that many bytes, from the start).
class ChainWriter {
public:
    ChainWriter(memory::GuestMemory& memory, const DescriptorChain& chain);

    uint64_t remaining() const { return m_end - m_pos; }
    uint64_t written() const { return m_pos - m_start; }

    // Copies min(in.size(), remaining()) bytes; returns how many.
    size_t write(std::span<const uint8_t> in);
    bool write_exact(std::span<const uint8_t> in);
    // Zero-fills everything that remains; returns how many bytes that was.
    uint64_t fill_zero();
    // Zero-copy access, as ChainReader::peek: the next contiguous writable host bytes.
    std::span<uint8_t> peek(uint64_t max);
    void advance(uint64_t n);

    // Splits the writer at `at` bytes from its current position: this writer keeps the first `at`
    // bytes, the returned one covers the rest. (virtio-blk puts its status byte after the data.)
    ChainWriter split_at(uint64_t at);

private:
    ChainWriter(memory::GuestMemory& memory, std::span<const Segment> segments, uint64_t start, uint64_t end);
    void seek(uint64_t pos);

    memory::GuestMemory& m_memory;
    std::span<const Segment> m_segments;
    size_t m_index = 0;
    uint32_t m_offset = 0;
    uint64_t m_start = 0;  // byte positions within the chain's writable part
    uint64_t m_pos = 0;
    uint64_t m_end = 0;
};

}  // namespace vireo::virtio
