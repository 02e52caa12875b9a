#include "cli/commands.hpp"

#include <cinttypes>
#include <cstdio>

namespace vireo::cli {

namespace {

// "2.5", "10": as the user would write it.
std::string format_seconds(double seconds)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, "%g", seconds);
    return buf;
}

Outcome not_implemented(const std::string& what) { return {EXIT_USAGE, what + " is not implemented yet"}; }

}  // namespace

machine::BareConfig bare_config(const RunOptions& options)
{
    machine::BareConfig config;
    config.elf_path = options.bare.value_or("");
    config.mem_size = options.mem_size;
    config.max_instructions = options.max_instructions;
    config.timeout_seconds = options.timeout_seconds;
    config.trace = options.trace;
    return config;
}

Outcome outcome_of_bare_run(const Result<machine::BareOutcome>& result, const RunOptions& options)
{
    if (!result.ok())
        return {EXIT_USAGE, result.error().text()};
    const machine::BareOutcome& outcome = result.value();
    switch (outcome.kind) {
    case machine::BareOutcome::Kind::Exited: {
        // The exit status has 8 bits. A failing test (tohost>>1 != 0) whose code is a multiple of
        // 256 must not read as a pass, so it becomes 1.
        int status = static_cast<int>(outcome.exit_code & 0xff);
        if (outcome.exit_code != 0 && status == 0)
            status = 1;
        return {status, ""};
    }
    case machine::BareOutcome::Kind::InstructionLimit:
        return {EXIT_LIMIT, "instruction limit of " + std::to_string(options.max_instructions) + " reached"};
    case machine::BareOutcome::Kind::Timeout:
        return {EXIT_LIMIT, "timeout of " + format_seconds(options.timeout_seconds) + " seconds reached"};
    }
    return {EXIT_USAGE, "bare machine: unknown outcome"};
}

Outcome run(const RunOptions& options)
{
    if (options.accel == Accel::Kvm)
        return not_implemented("run: --accel kvm");
    if (!options.bare)
        return not_implemented("run: booting a kernel (only --bare FILE.elf runs today)");
    // FIXME: the bare machine has one hart; more need a CLINT per hart and HTIF arbitration.
    if (options.cpus != 1)
        return not_implemented("run: --cpus " + std::to_string(options.cpus) + " with --bare");
    return outcome_of_bare_run(machine::run_bare(bare_config(options)), options);
}

Outcome exec(const ExecOptions&)
{
    // FIXME: the sandbox (ELF loader, user memory, syscall layer) arrives with its own issue.
    return {EXIT_USAGE, "exec: not implemented yet"};
}

}  // namespace vireo::cli
