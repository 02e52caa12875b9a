// The RISC-V system machine behind `vireo run`: a board laid out like QEMU's `virt` (see
// shared/reference/qemu-virt.dts), so OpenSBI and Linux find what they expect:
//
//   0x0010_0000  sifive,test0 syscon (poweroff 0x5555, reset 0x7777)
//   0x0200_0000  CLINT            0x0c00_0000  PLIC (2 contexts per hart: M, S)
//   0x1000_0000  ns16550a UART (PLIC source 10)
//   0x1000_1000  virtio-mmio slots, 0x1000 apart (PLIC sources 1..8)
//   0x8000_0000  RAM: firmware at the base, the kernel at +2 MiB, the initrd in the middle,
//                the devicetree at the top (a1 at entry, as fw_jump expects)
//
// 1 to 8 harts run round-robin on one host thread; time (mtime, 10 MHz) follows the host's
// monotonic clock, and when every hart waits in WFI the machine sleeps until the next timer
// deadline or console input.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "virtio/device_set.hpp"

namespace vireo::machine {

struct VirtConfig {
    std::string kernel;              // Linux Image (or an ELF)
    std::string initrd;              // optional
    std::string append;              // kernel command line
    std::string firmware;            // M-mode firmware; empty = Debian's OpenSBI fw_jump
    uint64_t mem_size = 256ull << 20;
    unsigned cpus = 1;
    virtio::DeviceSetConfig devices; // disks, shares, network card (virtio/device_set.hpp)
    uint64_t max_instructions = 0;   // 0 = no limit
    double timeout_seconds = 0;      // 0 = no limit
    // Called once the machine is built and every file it needs is open, just before the guest's
    // first instruction: where `vireo run` confines itself (confine.hpp). An error ends the run as
    // a set-up error.
    std::function<Result<void>()> before_guest_runs;
};

struct VirtOutcome {
    enum class Kind { Poweroff, Reset, Failure, Panic, InstructionLimit, Timeout, Quit } kind = Kind::Poweroff;
    uint32_t code = 0;               // the failure code for Kind::Failure
    uint64_t instructions = 0;
    double seconds = 0;
};

inline constexpr const char* kDefaultFirmware = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin";

// Builds the machine, boots it and runs until the guest powers off or a limit ends the run.
// Errors are set-up failures (files missing or malformed, RAM too small), with the file named.
Result<VirtOutcome> run_virt(const VirtConfig& config);

}  // namespace vireo::machine
