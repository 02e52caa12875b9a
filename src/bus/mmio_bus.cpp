#include <algorithm>
#include <cstdio>

#include "bus/bus.hpp"

namespace vireo::bus {

Result<void> MmioBus::map(uint64_t base, uint64_t size, MmioDevice& device, std::string name)
{
    if (size == 0 || base + size < base)
        return Error::message("device " + name + ": empty or wrapping address range");
    for (const auto& r : m_regions) {
        if (base < r.base + r.size && r.base < base + size) {
            char text[128];
            std::snprintf(text, sizeof text, "device %s at 0x%lx overlaps %s at 0x%lx", name.c_str(),
                          static_cast<unsigned long>(base), r.name.c_str(), static_cast<unsigned long>(r.base));
            return Error::message(text);
        }
    }
    m_regions.push_back(Region{base, size, &device, std::move(name)});
    std::sort(m_regions.begin(), m_regions.end(), [](const Region& a, const Region& b) { return a.base < b.base; });
    m_last = nullptr;
    return {};
}

const MmioBus::Region* MmioBus::find(uint64_t addr, unsigned size)
{
    auto inside = [&](const Region* r) {
        return addr >= r->base && addr - r->base < r->size && size <= r->size - (addr - r->base);
    };
    if (m_last && inside(m_last))
        return m_last;
    auto it = std::upper_bound(m_regions.begin(), m_regions.end(), addr,
                               [](uint64_t a, const Region& r) { return a < r.base; });
    if (it == m_regions.begin())
        return nullptr;
    const Region* r = &*(it - 1);
    if (!inside(r))
        return nullptr;
    m_last = r;
    return r;
}

bool MmioBus::read(uint64_t addr, unsigned size, uint64_t& value)
{
    const Region* r = find(addr, size);
    return r && r->device->read(addr - r->base, size, value);
}

bool MmioBus::write(uint64_t addr, unsigned size, uint64_t value)
{
    const Region* r = find(addr, size);
    return r && r->device->write(addr - r->base, size, value);
}

}  // namespace vireo::bus
