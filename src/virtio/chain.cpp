#include "virtio/chain.hpp"

#include <algorithm>
#include <cstring>

#include "base/assert.hpp"

namespace vireo::virtio {

// Every segment was checked to lie wholly in RAM when the chain was popped, so memory.span() below
// cannot fail for a chain used with the memory it was popped from. If a caller mixes memories, the
// stream simply ends early: the failure stays a short count, never an out-of-bounds access.

ChainReader::ChainReader(memory::GuestMemory& memory, const DescriptorChain& chain)
    : m_memory(memory), m_segments(chain.readable()), m_remaining(chain.readable_len())
{
}

std::span<const uint8_t> ChainReader::peek(uint64_t max)
{
    while (m_index < m_segments.size() && m_offset == m_segments[m_index].len) {
        ++m_index;
        m_offset = 0;
    }
    if (m_index == m_segments.size() || max == 0)
        return {};
    const Segment& s = m_segments[m_index];
    uint64_t n = std::min<uint64_t>(s.len - m_offset, max);
    auto span = m_memory.span(s.addr + m_offset, n);
    if (!span.ok()) {
        m_index = m_segments.size();
        m_remaining = 0;
        return {};
    }
    return span.value();
}

void ChainReader::consume(uint64_t n)
{
    VERIFY(n <= m_remaining);
    m_remaining -= n;
    m_done += n;
    while (n > 0) {
        VERIFY(m_index < m_segments.size());
        uint64_t here = std::min<uint64_t>(m_segments[m_index].len - m_offset, n);
        m_offset += static_cast<uint32_t>(here);
        n -= here;
        if (m_offset == m_segments[m_index].len) {
            ++m_index;
            m_offset = 0;
        }
    }
}

size_t ChainReader::read(std::span<uint8_t> out)
{
    size_t done = 0;
    while (done < out.size()) {
        auto piece = peek(out.size() - done);
        if (piece.empty())
            break;
        std::memcpy(out.data() + done, piece.data(), piece.size());
        done += piece.size();
        consume(piece.size());
    }
    return done;
}

bool ChainReader::read_exact(std::span<uint8_t> out)
{
    if (out.size() > m_remaining)
        return false;
    return read(out) == out.size();
}

ChainWriter::ChainWriter(memory::GuestMemory& memory, const DescriptorChain& chain)
    : ChainWriter(memory, chain.writable(), 0, chain.writable_len())
{
}

ChainWriter::ChainWriter(memory::GuestMemory& memory, std::span<const Segment> segments, uint64_t start, uint64_t end)
    : m_memory(memory), m_segments(segments), m_start(start), m_pos(start), m_end(end)
{
    seek(start);
}

void ChainWriter::seek(uint64_t pos)
{
    m_index = 0;
    m_offset = 0;
    while (m_index < m_segments.size() && pos >= m_segments[m_index].len) {
        pos -= m_segments[m_index].len;
        ++m_index;
    }
    m_offset = static_cast<uint32_t>(pos);  // < the segment's 32-bit length, or 0 at the end
}

std::span<uint8_t> ChainWriter::peek(uint64_t max)
{
    while (m_index < m_segments.size() && m_offset == m_segments[m_index].len) {
        ++m_index;
        m_offset = 0;
    }
    if (m_pos >= m_end || m_index == m_segments.size() || max == 0)
        return {};
    const Segment& s = m_segments[m_index];
    uint64_t n = std::min({uint64_t{s.len} - m_offset, m_end - m_pos, max});
    auto span = m_memory.span(s.addr + m_offset, n);
    if (!span.ok()) {
        m_end = m_pos;
        return {};
    }
    return span.value();
}

void ChainWriter::advance(uint64_t n)
{
    VERIFY(n <= remaining());
    m_pos += n;
    while (n > 0) {
        VERIFY(m_index < m_segments.size());
        uint64_t here = std::min<uint64_t>(m_segments[m_index].len - m_offset, n);
        m_offset += static_cast<uint32_t>(here);
        n -= here;
        if (m_offset == m_segments[m_index].len) {
            ++m_index;
            m_offset = 0;
        }
    }
}

size_t ChainWriter::write(std::span<const uint8_t> in)
{
    size_t done = 0;
    while (done < in.size()) {
        auto piece = peek(in.size() - done);
        if (piece.empty())
            break;
        std::memcpy(piece.data(), in.data() + done, piece.size());
        done += piece.size();
        advance(piece.size());
    }
    return done;
}

bool ChainWriter::write_exact(std::span<const uint8_t> in)
{
    if (in.size() > remaining())
        return false;
    return write(in) == in.size();
}

uint64_t ChainWriter::fill_zero()
{
    uint64_t done = 0;
    for (;;) {
        auto piece = peek(remaining());
        if (piece.empty())
            return done;
        std::memset(piece.data(), 0, piece.size());
        done += piece.size();
        advance(piece.size());
    }
}

ChainWriter ChainWriter::split_at(uint64_t at)
{
    at = std::min(at, remaining());
    ChainWriter rest(m_memory, m_segments, m_pos + at, m_end);
    m_end = m_pos + at;
    return rest;
}

}  // namespace vireo::virtio
