#include "machine/htif.hpp"

#include <unistd.h>

#include <array>
#include <cstdio>
#include <vector>

#include "base/bytes.hpp"

namespace vireo::machine {

void Htif::acknowledge(uint64_t value)
{
    uint8_t zero[8] = {};
    (void)m_ram.write(m_tohost, zero);  // the host has consumed the command
    if (m_fromhost) {
        uint8_t bytes[8];
        store_le<uint64_t>(bytes, value);
        (void)m_ram.write(*m_fromhost, bytes);
    }
}

void Htif::handle(uint64_t command)
{
    if (command == 0)
        return;
    const uint64_t device = command >> 56;
    const uint64_t cmd = (command >> 48) & 0xff;
    const uint64_t payload = command & 0xffff'ffff'ffffull;
    if (device == 0 && cmd == 0) {
        if (payload & 1) {
            m_exit = payload >> 1;
            return;
        }
        syscall(payload);
        return;
    }
    if (device == 1 && cmd == 1) {
        const auto c = static_cast<char>(payload & 0xff);
        (void)!::write(STDOUT_FILENO, &c, 1);
        acknowledge((1ull << 56) | (1ull << 48));
        return;
    }
    // Unknown devices and commands are acknowledged and otherwise ignored, as Spike does.
    acknowledge(command & ~0xffff'ffff'ffffull);
}

// The riscv-tests benchmark convention: tohost points at 8 doublewords {which, a0, a1, a2, ...};
// the result goes back into the first one. The guest supplies every value: all are checked.
void Htif::syscall(uint64_t block_address)
{
    std::array<uint8_t, 64> block{};
    if (!m_ram.read(block_address, block).ok()) {
        acknowledge(1);
        return;
    }
    const uint64_t which = load_le<uint64_t>(&block[0]);
    const uint64_t a0 = load_le<uint64_t>(&block[8]);
    const uint64_t a1 = load_le<uint64_t>(&block[16]);
    const uint64_t a2 = load_le<uint64_t>(&block[24]);
    int64_t result = -38;  // -ENOSYS
    constexpr uint64_t SYS_write = 64, SYS_exit = 93;
    if (which == SYS_exit) {
        m_exit = a0;
        return;
    }
    if (which == SYS_write && (a0 == 1 || a0 == 2)) {
        auto bytes = m_ram.span(a1, a2);
        if (bytes.ok()) {
            ::fflush(stdout);
            ssize_t n = ::write(a0 == 1 ? STDOUT_FILENO : STDERR_FILENO, bytes->data(), bytes->size());
            result = n < 0 ? -5 : n;
        } else {
            result = -14;  // -EFAULT
        }
    }
    store_le<uint64_t>(&block[0], static_cast<uint64_t>(result));
    (void)m_ram.write(block_address, std::span<const uint8_t>(block.data(), 8));
    acknowledge(1);
}

}  // namespace vireo::machine
