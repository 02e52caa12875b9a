#include "memory/guest_memory.hpp"

#include <sys/mman.h>

#include <cstdio>
#include <cstring>
#include <utility>

namespace vireo::memory {

namespace {
std::string hex(uint64_t v)
{
    char buffer[24];
    std::snprintf(buffer, sizeof buffer, "0x%lx", static_cast<unsigned long>(v));
    return buffer;
}
Error outside(GuestAddr addr, uint64_t len)
{
    return Error::message("guest address range " + hex(addr) + "+" + hex(len) + " is not RAM");
}
constexpr uint64_t kHugePage = 2 << 20;
}  // namespace

Result<GuestMemory> GuestMemory::create(GuestAddr base, uint64_t size)
{
    if (size == 0 || (size & 0xfff) != 0)
        return Error::message("memory size " + std::to_string(size) + " is not a positive multiple of 4 KiB");
    if (base + size < base)
        return Error::message("memory at " + hex(base) + " of size " + hex(size) + " overflows the address space");
    // Reserved with room to start on a 2 MiB boundary, so the host can back RAM with huge pages
    // (transparent huge pages, asked for with MADV_HUGEPAGE): a guest that touches its memory
    // takes 512 times fewer page faults, and its accesses fewer host TLB misses.
    const uint64_t reserved = size + kHugePage;
    void* mapped = ::mmap(nullptr, reserved, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (mapped == MAP_FAILED)
        return Error::from_errno("mapping " + std::to_string(size >> 20) + " MiB of guest RAM");
    auto* start = static_cast<uint8_t*>(mapped);
    auto* host = reinterpret_cast<uint8_t*>((reinterpret_cast<uintptr_t>(start) + kHugePage - 1) & ~(kHugePage - 1));
    if (host > start)
        ::munmap(start, static_cast<size_t>(host - start));
    if (uint64_t tail = reserved - static_cast<uint64_t>(host - start) - size; tail > 0)
        ::munmap(host + size, tail);
    ::madvise(host, size, MADV_HUGEPAGE);   // advice only: without THP, RAM is in 4 KiB pages
    return GuestMemory(host, base, size);
}

GuestMemory::GuestMemory(GuestMemory&& other) noexcept
    : m_host(std::exchange(other.m_host, nullptr)), m_base(other.m_base), m_size(std::exchange(other.m_size, 0))
{
}

GuestMemory& GuestMemory::operator=(GuestMemory&& other) noexcept
{
    if (this != &other) {
        if (m_host)
            ::munmap(m_host, m_size);
        m_host = std::exchange(other.m_host, nullptr);
        m_base = other.m_base;
        m_size = std::exchange(other.m_size, 0);
    }
    return *this;
}

GuestMemory::~GuestMemory()
{
    if (m_host)
        ::munmap(m_host, m_size);
}

Result<std::span<uint8_t>> GuestMemory::span(GuestAddr addr, uint64_t len)
{
    if (!contains(addr, len))
        return outside(addr, len);
    return std::span<uint8_t>(m_host + (addr - m_base), len);
}

Result<void> GuestMemory::read(GuestAddr addr, std::span<uint8_t> out) const
{
    if (!contains(addr, out.size()))
        return outside(addr, out.size());
    std::memcpy(out.data(), m_host + (addr - m_base), out.size());
    return {};
}

Result<void> GuestMemory::write(GuestAddr addr, std::span<const uint8_t> in)
{
    if (!contains(addr, in.size()))
        return outside(addr, in.size());
    std::memcpy(m_host + (addr - m_base), in.data(), in.size());
    return {};
}

}  // namespace vireo::memory
