// The CLINT (SiFive core-local interruptor, as on QEMU's virt and spike boards): per-hart msip and
// mtimecmp, one shared mtime. It only holds state; the machine turns it into interrupt lines
// (MSIP = msip[h] & 1, MTIP = mtime >= mtimecmp[h]) after every access and every time step.
#pragma once

#include <cstdint>
#include <vector>

namespace vireo::machine {

class Clint {
public:
    static constexpr uint64_t kBase = 0x0200'0000;
    static constexpr uint64_t kSize = 0x1'0000;
    static constexpr uint64_t kMsip = 0x0, kMtimecmp = 0x4000, kMtime = 0xbff8;

    explicit Clint(unsigned harts) : m_msip(harts, 0), m_mtimecmp(harts, ~0ull) {}

    // Register access at `offset` from kBase; 4- and 8-byte accesses, naturally aligned.
    // Returns false for offsets where nothing is (the hart raises an access fault).
    bool read(uint64_t offset, unsigned size, uint64_t& value) const;
    bool write(uint64_t offset, unsigned size, uint64_t value);

    uint64_t mtime() const { return m_mtime; }
    void set_mtime(uint64_t t) { m_mtime = t; }
    bool timer_pending(unsigned hart) const { return m_mtime >= m_mtimecmp[hart]; }
    bool software_pending(unsigned hart) const { return m_msip[hart] & 1; }
    // The earliest mtimecmp of any hart (what a machine waiting in WFI can skip ahead to).
    uint64_t next_deadline() const;
    unsigned harts() const { return static_cast<unsigned>(m_msip.size()); }

private:
    uint64_t m_mtime = 0;
    std::vector<uint32_t> m_msip;
    std::vector<uint64_t> m_mtimecmp;
};

}  // namespace vireo::machine
