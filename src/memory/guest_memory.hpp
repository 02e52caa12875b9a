// GuestMemory: the guest's RAM as one host mapping, with bounds-checked access for everything that
// takes addresses from the guest (devices, loaders). The consumer side only (rust-vmm vm-memory
// style): read, write, and a span that is guaranteed to lie wholly inside RAM.
#pragma once

#include <cstdint>
#include <span>

#include "base/result.hpp"

namespace vireo::memory {

using GuestAddr = uint64_t;

class GuestMemory {
public:
    // Maps `size` bytes of zeroed RAM that the guest sees at `base`. Pages are committed lazily
    // by the host kernel, so a large --mem costs nothing until the guest touches it.
    static Result<GuestMemory> create(GuestAddr base, uint64_t size);

    GuestMemory(GuestMemory&& other) noexcept;
    GuestMemory& operator=(GuestMemory&& other) noexcept;
    GuestMemory(const GuestMemory&) = delete;
    GuestMemory& operator=(const GuestMemory&) = delete;
    ~GuestMemory();

    GuestAddr base() const { return m_base; }
    uint64_t size() const { return m_size; }
    GuestAddr end() const { return m_base + m_size; }

    // True when [addr, addr+len) lies wholly in RAM (overflow-safe).
    bool contains(GuestAddr addr, uint64_t len) const
    {
        return addr >= m_base && addr - m_base <= m_size && len <= m_size - (addr - m_base);
    }

    // The host bytes of [addr, addr+len); an error if any byte is outside RAM.
    Result<std::span<uint8_t>> span(GuestAddr addr, uint64_t len);
    Result<void> read(GuestAddr addr, std::span<uint8_t> out) const;
    Result<void> write(GuestAddr addr, std::span<const uint8_t> in);

    // Host address of the byte at addr, or nullptr when addr is not RAM. For the hart's TLB fill.
    uint8_t* host_address(GuestAddr addr) const
    {
        return (addr >= m_base && addr - m_base < m_size) ? m_host + (addr - m_base) : nullptr;
    }

private:
    GuestMemory(uint8_t* host, GuestAddr base, uint64_t size) : m_host(host), m_base(base), m_size(size) {}
    uint8_t* m_host = nullptr;
    GuestAddr m_base = 0;
    uint64_t m_size = 0;
};

}  // namespace vireo::memory
