// Per-vCPU x86 set-up: CPUID, boot MSRs, FPU, the local APIC's LINT pins, and the register state
// the boot protocols ask for at entry (real mode, 32-bit protected mode, 64-bit long mode), with the
// GDT and identity page tables that state points at.
#pragma once

#include <linux/kvm.h>

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "kvm/boot.hpp"
#include "kvm/system.hpp"
#include "memory/guest_memory.hpp"

namespace vireo::kvm {

// Writes the boot GDT and IDT (layout::kGdt, kIdt) and page tables identity-mapping the first
// 4 GiB with 2 MiB pages (layout::kPml4..). Every entry mode uses the GDT; long mode the tables.
Result<void> write_boot_gdt_and_paging(memory::GuestMemory& ram);

// The CPUID a vCPU sees: what KVM supports, with the hypervisor bit (leaf 1 ECX bit 31) set and
// the topology leaves saying "vCPU `index` of `count`, one thread per core, one package".
std::vector<kvm_cpuid_entry2> vcpu_cpuid(std::vector<kvm_cpuid_entry2> supported, uint32_t index, uint32_t count);

// CPUID, boot MSRs, FPU control words and LINT0 = ExtINT / LINT1 = NMI (so the PIC reaches the
// CPU before the guest programs its local APIC). For every vCPU, boot or not.
Result<void> configure_vcpu(Vcpu& vcpu, const std::vector<kvm_cpuid_entry2>& cpuid);

// Registers and segments for the boot vCPU's entry.
Result<void> set_entry_state(Vcpu& vcpu, const EntryState& entry);

// "rip 0x... (cs:rip bytes 0f 0b ...)" for an error message about where a vCPU stopped: the guest
// page tables are walked (4- or 5-level) to find the instruction. Best effort, never fails.
std::string describe_instruction(const Vcpu& vcpu, memory::GuestMemory& ram);

}  // namespace vireo::kvm
