// HTIF, the host-target interface of Spike and the RISC-V test suites: the guest writes a 64-bit
// command to `tohost`; the host answers in `fromhost`. Commands are (device << 56 | cmd << 48 |
// payload). Device 0 command 0 with an odd payload is "exit with status payload >> 1"; with an
// even payload it is a pointer to a syscall block (riscv-tests' benchmark syscalls: write, exit).
// Device 1 command 1 prints the byte in the payload.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "memory/guest_memory.hpp"

namespace vireo::machine {

class Htif {
public:
    Htif(memory::GuestMemory& ram, uint64_t tohost, std::optional<uint64_t> fromhost)
        : m_ram(ram), m_tohost(tohost), m_fromhost(fromhost)
    {
    }

    uint64_t tohost_address() const { return m_tohost; }
    // Handles a command just written to tohost. Clears tohost and acknowledges in fromhost.
    void handle(uint64_t command);

    bool exited() const { return m_exit.has_value(); }
    uint64_t exit_code() const { return m_exit.value_or(0); }

private:
    void syscall(uint64_t block_address);
    void acknowledge(uint64_t value);

    memory::GuestMemory& m_ram;
    uint64_t m_tohost;
    std::optional<uint64_t> m_fromhost;
    std::optional<uint64_t> m_exit;
};

}  // namespace vireo::machine
