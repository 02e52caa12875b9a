// The firmware tables an x86 guest looks for, written by the machine before boot:
// - ACPI 6.x (RSDP, XSDT, FADT, DSDT, MADT), hardware-reduced, as Firecracker and QEMU's microvm
//   do: the MADT lists the vCPUs' local APICs and the IOAPIC (Linux needs it for SMP when built
//   without CONFIG_X86_MPPARSE, as Debian's kernels are); the DSDT declares each virtio-mmio
//   device (_HID "LNRO0005", the ID Linux's virtio_mmio driver matches) and \_S5 for power-off,
//   which the guest requests through the FADT's sleep control register.
// - An Intel MultiProcessor Specification 1.4 table, for kernels without ACPI (or acpi=off).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "base/result.hpp"
#include "memory/guest_memory.hpp"

namespace vireo::kvm {

struct MmioDeviceInfo {
    uint64_t base = 0;
    uint64_t size = 0;
    uint32_t irq = 0;
};

// The value of SLP_TYP that \_S5 declares: the sleep control register receives
// (kSleepTypeS5 << 2) | SLP_EN when the guest powers off (ACPI 6.4 §4.8.3.7).
inline constexpr uint8_t kSleepTypeS5 = 5;
inline constexpr uint8_t SLP_EN = 0x20;

// Writes the ACPI tables into [layout::kAcpi, layout::kAcpiEnd); returns the RSDP's address.
Result<uint64_t> write_acpi_tables(memory::GuestMemory& ram, unsigned cpus, std::span<const MmioDeviceInfo> devices);

// Writes the MP floating pointer and configuration table at layout::kMpTable.
Result<void> write_mp_table(memory::GuestMemory& ram, unsigned cpus);

// The tables as bytes (for tests): each with its checksum set.
struct AcpiTables {
    std::vector<uint8_t> rsdp, xsdt, fadt, dsdt, madt;
};
AcpiTables build_acpi_tables(uint64_t base, unsigned cpus, std::span<const MmioDeviceInfo> devices);
std::vector<uint8_t> build_mp_table(uint64_t base, unsigned cpus);

}  // namespace vireo::kvm
