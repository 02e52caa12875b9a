// The bare-metal machine behind `vireo run --bare FILE.elf`: RAM at 0x8000_0000, a CLINT at
// 0x0200_0000, and HTIF through the ELF's `tohost`/`fromhost` symbols, as the RISC-V ISA test
// suites expect. One hart starts in M-mode at the ELF entry point.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "base/result.hpp"

namespace vireo::machine {

struct BareConfig {
    std::string elf_path;
    uint64_t mem_size = 256ull << 20;
    uint64_t max_instructions = 0;   // 0 = no limit
    double timeout_seconds = 0;      // 0 = no limit
    bool trace = false;              // print each instruction (debugging)
    // Called once the machine is built and every file it needs is open, just before the guest's
    // first instruction: where `vireo run` confines itself (confine.hpp). An error ends the run as
    // a set-up error.
    std::function<Result<void>()> before_guest_runs;
};

struct BareOutcome {
    enum class Kind { Exited, InstructionLimit, Timeout } kind = Kind::Exited;
    uint64_t exit_code = 0;          // tohost >> 1 when Exited
    uint64_t instructions = 0;
};

// Loads and runs the ELF. Errors are set-up failures (missing file, not RISC-V, does not fit in RAM).
Result<BareOutcome> run_bare(const BareConfig& config);

}  // namespace vireo::machine
