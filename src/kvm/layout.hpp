// The x86-64 machine's guest physical memory map, in one place.
//
//   0x0000_0500  GDT (boot code and data segments, a TSS), IDT just after it
//   0x0000_6000  PVH hvm_start_info, its module list and memory map (ELF kernels with a PVH note)
//   0x0000_7000  boot_params, the "zero page" (bzImage and ELF kernels without a PVH note)
//   0x0000_9000  identity page tables for the 64-bit entry: PML4, PDPT, 4 PDs (4 GiB in 2 MiB pages)
//   0x0002_0000  kernel command line
//   0x0009_fc00  (reserved in e820 to 1 MiB) the EBDA; 0x000e_0000 ACPI tables; 0x000f_0000 MP table
//   0x0010_0000  RAM for the kernel (bzImage at its pref_address, 16 MiB for Debian's), the initrd
//                at the top of RAM
//   0xc000_0000  end of RAM: the MMIO gap starts here, so guest RAM is at most 3 GiB
//   0xd000_0000  virtio-mmio slots, 4 KiB apart, IRQ 5 upwards
//   0xfec0_0000  IOAPIC, 0xfee0_0000 local APICs (both in the kernel, KVM_CREATE_IRQCHIP)
//   0xfffb_c000  KVM's identity-map page and TSS (KVM_SET_IDENTITY_MAP_ADDR, KVM_SET_TSS_ADDR)
//
// Port I/O: COM1 at 0x3f8 (IRQ 4), the i8042 stub at 0x60/0x64, the ACPI sleep control and status
// registers at 0x600/0x601. The PIC, PIT and speaker port are in the kernel.
#pragma once

#include <cstdint>

namespace vireo::kvm::layout {

inline constexpr uint64_t kGdt = 0x500;
inline constexpr uint64_t kIdt = 0x520;
inline constexpr uint64_t kStartInfo = 0x6000;
inline constexpr uint64_t kStartInfoEnd = 0x7000;
inline constexpr uint64_t kZeroPage = 0x7000;
inline constexpr uint64_t kPml4 = 0x9000;
inline constexpr uint64_t kPdpt = 0xa000;
inline constexpr uint64_t kPd = 0xb000;          // 4 pages
inline constexpr uint64_t kIdentityMapped = 4ull << 30;
inline constexpr uint64_t kCmdline = 0x20000;
inline constexpr uint64_t kCmdlineMax = 0x10000;  // our own limit; the kernel's may be lower
inline constexpr uint64_t kEbda = 0x9fc00;
inline constexpr uint64_t kAcpi = 0xe0000;
inline constexpr uint64_t kAcpiEnd = 0xf0000;
inline constexpr uint64_t kMpTable = 0xf0000;
inline constexpr uint64_t kMpTableEnd = 0x100000;
inline constexpr uint64_t kHighMemory = 0x100000;

inline constexpr uint64_t kMmioGap = 0xc000'0000;
inline constexpr uint64_t kMaxRam = kMmioGap;
inline constexpr uint64_t kMinRam = 4ull << 20;

inline constexpr uint64_t kVirtioBase = 0xd000'0000;
inline constexpr uint64_t kVirtioStride = 0x1000;
inline constexpr uint32_t kVirtioFirstIrq = 5;
inline constexpr unsigned kVirtioSlots = 8;       // IRQs 5..12

inline constexpr uint64_t kIoapic = 0xfec0'0000;
inline constexpr uint64_t kLapic = 0xfee0'0000;
inline constexpr uint64_t kIdentityMapPage = 0xfffb'c000;
inline constexpr uint64_t kTss = 0xfffb'd000;

inline constexpr uint16_t kCom1 = 0x3f8;
inline constexpr uint32_t kCom1Irq = 4;
inline constexpr uint16_t kI8042 = 0x60;          // data 0x60, command/status 0x64
inline constexpr uint16_t kAcpiSleep = 0x600;     // sleep control 0x600, sleep status 0x601

// GDT selectors. Linux's 64-bit boot protocol wants __BOOT_CS = 0x10 and __BOOT_DS = 0x18
// (Documentation/arch/x86/boot.rst, "64-bit Boot Protocol"); 0x08 is the 32-bit code segment the
// PVH entry uses.
inline constexpr uint16_t kCode32Selector = 0x08;
inline constexpr uint16_t kCode64Selector = 0x10;
inline constexpr uint16_t kDataSelector = 0x18;
inline constexpr uint16_t kTssSelector = 0x20;

inline constexpr unsigned kMaxCpus = 64;

}  // namespace vireo::kvm::layout
