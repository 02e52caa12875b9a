#include "machine/clint.hpp"

#include <algorithm>

namespace vireo::machine {

namespace {
// Reads the 4- or 8-byte window at `offset` within a 64-bit register starting at `reg`.
bool read_part(uint64_t reg_value, uint64_t offset_in_reg, unsigned size, uint64_t& value)
{
    if (size == 8 && offset_in_reg == 0) {
        value = reg_value;
        return true;
    }
    if (size == 4 && (offset_in_reg == 0 || offset_in_reg == 4)) {
        value = (reg_value >> (8 * offset_in_reg)) & 0xffffffffull;
        return true;
    }
    return false;
}
bool write_part(uint64_t& reg_value, uint64_t offset_in_reg, unsigned size, uint64_t value)
{
    if (size == 8 && offset_in_reg == 0) {
        reg_value = value;
        return true;
    }
    if (size == 4 && (offset_in_reg == 0 || offset_in_reg == 4)) {
        const unsigned shift = static_cast<unsigned>(8 * offset_in_reg);
        reg_value = (reg_value & ~(0xffffffffull << shift)) | ((value & 0xffffffffull) << shift);
        return true;
    }
    return false;
}
}  // namespace

bool Clint::read(uint64_t offset, unsigned size, uint64_t& value) const
{
    if (offset < kMsip + 4 * m_msip.size()) {
        if (size != 4 || (offset & 3))
            return false;
        value = m_msip[offset / 4];
        return true;
    }
    if (offset >= kMtimecmp && offset < kMtimecmp + 8 * m_mtimecmp.size()) {
        const uint64_t rel = offset - kMtimecmp;
        return read_part(m_mtimecmp[rel / 8], rel % 8, size, value);
    }
    if (offset >= kMtime && offset < kMtime + 8)
        return read_part(m_mtime, offset - kMtime, size, value);
    // Reserved space inside the CLINT reads as zero, like real parts.
    if (offset < kSize && (size == 4 || size == 8)) {
        value = 0;
        return true;
    }
    return false;
}

bool Clint::write(uint64_t offset, unsigned size, uint64_t value)
{
    if (offset < kMsip + 4 * m_msip.size()) {
        if (size != 4 || (offset & 3))
            return false;
        m_msip[offset / 4] = static_cast<uint32_t>(value & 1);
        return true;
    }
    if (offset >= kMtimecmp && offset < kMtimecmp + 8 * m_mtimecmp.size()) {
        const uint64_t rel = offset - kMtimecmp;
        return write_part(m_mtimecmp[rel / 8], rel % 8, size, value);
    }
    if (offset >= kMtime && offset < kMtime + 8)
        return write_part(m_mtime, offset - kMtime, size, value);
    return offset < kSize && (size == 4 || size == 8);  // writes to reserved space are ignored
}

uint64_t Clint::next_deadline() const
{
    return *std::min_element(m_mtimecmp.begin(), m_mtimecmp.end());
}

}  // namespace vireo::machine
