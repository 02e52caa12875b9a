// The fuzzer's bytes, taken front to back as the small integers and byte strings a harness builds
// its scenario from. Past the end every read gives zeros (and bytes() an empty span), so a harness
// never has to check lengths: a short input is simply a scenario that stops early.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace vireo::fuzz {

class FuzzInput {
public:
    FuzzInput(const uint8_t* data, size_t size) : m_data(data), m_size(size) {}

    bool empty() const { return m_at >= m_size; }
    size_t remaining() const { return m_size - m_at; }

    uint8_t u8() { return take<uint8_t>(); }
    uint16_t u16() { return take<uint16_t>(); }
    uint32_t u32() { return take<uint32_t>(); }
    uint64_t u64() { return take<uint64_t>(); }

    // Up to `n` bytes (fewer at the end).
    std::span<const uint8_t> bytes(size_t n)
    {
        n = std::min(n, remaining());
        std::span<const uint8_t> out(m_data + m_at, n);
        m_at += n;
        return out;
    }
    std::span<const uint8_t> rest() { return bytes(remaining()); }

private:
    template <typename T>
    T take()
    {
        uint8_t raw[sizeof(T)] = {};
        const auto piece = bytes(sizeof(T));
        std::memcpy(raw, piece.data(), piece.size());
        T value;
        std::memcpy(&value, raw, sizeof value);  // little-endian, like every format fuzzed here
        return value;
    }

    const uint8_t* m_data;
    size_t m_size;
    size_t m_at = 0;
};

}  // namespace vireo::fuzz
