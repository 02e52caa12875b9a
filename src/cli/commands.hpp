// cli/commands: what each subcommand does with its parsed options, as functions that return the
// exit status and the line to print, so the mapping from outcomes to statuses can be tested
// without running a machine.
#pragma once

#include <string>

#include "base/result.hpp"
#include "cli/options.hpp"
#include "machine/bare.hpp"
#include "machine/riscv_virt.hpp"

namespace vireo::cli {

struct Outcome {
    int status = 0;
    std::string message;   // one line for stderr, without the "vireo: " prefix; empty for none
};

// `vireo run`: the bare machine (--bare), the RISC-V system machine, or the KVM machine (--accel kvm).
Outcome run(const RunOptions& options);

// `vireo exec`: one riscv64 Linux program in the sandbox.
Outcome exec(const ExecOptions& options);

// The virtio devices (--disk, --share, --net) both system machines build, in virtio's terms.
virtio::DeviceSetConfig device_set_config(const RunOptions& options);

// The configuration `run --bare` hands to the bare machine.
machine::BareConfig bare_config(const RunOptions& options);

// Maps what run_bare returned to the exit status (ARCHITECTURE.md, "The command line"):
// the guest's own for Exited (nonzero codes never become 0 when cut to 8 bits), 124 for a limit,
// 125 for a set-up error.
Outcome outcome_of_bare_run(const Result<machine::BareOutcome>& result, const RunOptions& options);

}  // namespace vireo::cli
