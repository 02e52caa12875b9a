// kvm: the hardware-assisted x86-64 machine behind `vireo run --accel kvm --arch x86_64`.
//
// The guest runs on the host CPU through /dev/kvm; Vireo serves its exits. The board, in the
// spirit of Firecracker's:
// - RAM from 0 (up to 3 GiB), registered as one KVM memory slot backed by memory::GuestMemory;
// - the in-kernel PIC, IOAPIC, local APICs and PIT (KVM_CREATE_IRQCHIP, KVM_CREATE_PIT2);
// - COM1 (a 16550 at port 0x3f8, IRQ 4) on the terminal; an i8042 stub whose reset ends the run;
// - the same virtio-mmio devices as the RISC-V machine (disks, rng, console, 9p shares, net; built
//   by virtio/device_set.hpp) at 0xd000_0000, declared on the kernel command line
//   (virtio_mmio.device=4K@0xd0000000:5) and in the ACPI DSDT, interrupting through KVM_IRQ_LINE;
// - ACPI tables (MADT for SMP, hardware-reduced FADT with S5 power-off) and an MP table;
// - one host thread per vCPU; device accesses are serialized by one lock.
// See layout.hpp for the memory map and boot.hpp for the kernel formats.
//
// What this component offers: run() for a whole VM, check_available() to ask whether this host
// can run one, and (for tests) the pieces in system.hpp, boot.hpp, tables.hpp, cpu.hpp, legacy.hpp.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "kvm/boot.hpp"
#include "virtio/device_set.hpp"

namespace vireo::kvm {

struct Config {
    std::string kernel;              // bzImage or ELF vmlinux; or a raw image with `raw` set
    std::string initrd;              // optional
    std::string append;              // kernel command line; Vireo appends the virtio_mmio.device= entries
    uint64_t mem_size = 256ull << 20;
    unsigned cpus = 1;
    virtio::DeviceSetConfig devices; // disks, shares, network card (virtio/device_set.hpp)
    double timeout_seconds = 0;      // 0 = no limit

    // A raw image entered in the given CPU mode instead of a Linux kernel (test payloads).
    std::optional<RawImage> raw;
    // Where the serial console's output goes; unset: stdout.
    std::function<void(std::span<const uint8_t>)> console_output;
    // Whether stdin feeds the consoles (raw mode on a terminal, Ctrl-A X quits).
    bool console_input = true;
    // Called once the VM is built and every file it needs is open, before the vCPU threads start:
    // where `vireo run --accel kvm` confines itself (confine.hpp). An error ends the run as a
    // set-up error.
    std::function<Result<void>()> before_guest_runs;
};

struct Outcome {
    enum class Kind {
        Poweroff,     // ACPI S5 through the sleep control register
        Reset,        // i8042 reset command (Linux's reboot)
        TripleFault,  // KVM_EXIT_SHUTDOWN
        Panic,        // "Kernel panic - not syncing" on the console
        Timeout,
        Quit,         // Ctrl-A X
        Failure,      // KVM could not go on: internal error, failed entry; `detail` says which
    } kind = Kind::Poweroff;
    std::string detail;
    double seconds = 0;
};

// Whether this host can run a KVM guest: opens the device and checks the capabilities the
// machine needs. The error is one line that says what is missing.
Result<void> check_available();

// Builds the machine, boots it and runs until the guest ends the run or a limit does. Errors are
// set-up failures (no usable /dev/kvm, files missing or malformed, RAM too small), one line each.
Result<Outcome> run(const Config& config);

// What `vireo run --accel kvm` prints and returns for an outcome: an exit status and a message
// (empty for a clean end). Timeout gives 124, Failure 125, panic and triple fault 1.
struct ExitReport {
    int status = 0;
    std::string message;
};
ExitReport report(const Outcome& outcome, double timeout_seconds);

}  // namespace vireo::kvm
