// Loading an x86 guest into RAM and describing how its boot vCPU enters it.
//
// Kernel formats (Documentation/arch/x86/boot.rst, the Xen PVH ABI):
// - bzImage, boot protocol 2.12 or later with XLF_KERNEL_64: the protected-mode part is loaded at
//   its pref_address (relocatable kernels) or 1 MiB, and entered at +0x200 in 64-bit mode with
//   %rsi pointing at boot_params (the zero page), into which the image's setup header is copied.
// - ELF (vmlinux), 32- or 64-bit: with a PVH note (XEN_ELFNOTE_PHYS32_ENTRY) the kernel is
//   entered at that address in 32-bit protected mode, paging off, %ebx pointing at an
//   hvm_start_info. A 64-bit ELF without the note is entered at e_entry in 64-bit mode with %rsi
//   pointing at a zero page, as Firecracker boots vmlinux.
// - A raw image at a given address and CPU mode (tests and firmware-like payloads); it gets the same
//   zero page, command line and initrd as a bzImage.
//
// The kernel file is untrusted: every offset, size and address in it is checked against the file
// and against RAM, and a bad one is an Error naming the file.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "memory/guest_memory.hpp"

namespace vireo::kvm {

enum class CpuMode { Real, Protected, Long };

// The boot vCPU's state at entry.
struct EntryState {
    CpuMode mode = CpuMode::Long;
    uint64_t rip = 0;   // Real: the physical address; CS:IP is derived from it
    uint64_t rsi = 0;   // Long: boot_params
    uint64_t rbx = 0;   // Protected (PVH): hvm_start_info
};

enum class KernelFormat { BzImage, ElfPvh, Elf64, Raw };

struct LoadedKernel {
    KernelFormat format = KernelFormat::BzImage;
    EntryState entry;
    uint64_t initrd_address = 0, initrd_size = 0;
    uint32_t protocol = 0;      // bzImage boot protocol version, e.g. 0x020f
};

struct RawImage {
    uint64_t load_address = 0;
    uint64_t entry = 0;
    CpuMode mode = CpuMode::Long;
};

struct BootInputs {
    std::span<const uint8_t> kernel;
    std::string kernel_name;          // for error messages
    std::span<const uint8_t> initrd;  // empty: none
    std::string initrd_name;
    std::string cmdline;              // the whole command line, as the guest will see it
    uint64_t acpi_rsdp = 0;           // 0: no ACPI tables
    const RawImage* raw = nullptr;    // set: `kernel` is a raw image, not a Linux kernel
};

// One entry of the e820 map (the zero page's layout: 20 bytes, packed).
struct E820Entry {
    uint64_t addr;
    uint64_t size;
    uint32_t type;
};
inline constexpr uint32_t E820_RAM = 1;
inline constexpr uint32_t E820_RESERVED = 2;

// The map every guest gets: RAM below the EBDA, the BIOS area reserved, RAM from 1 MiB.
std::vector<E820Entry> e820_map(uint64_t ram_size);

// Loads the kernel, initrd and command line and writes the zero page or PVH start_info.
Result<LoadedKernel> load_kernel(memory::GuestMemory& ram, const BootInputs& inputs);

// The boot protocol fields of a bzImage, parsed and checked (exposed for tests).
struct BzImageHeader {
    uint32_t protocol = 0;
    uint64_t setup_size = 0;        // bytes before the protected-mode kernel in the file
    uint8_t loadflags = 0;
    uint16_t xloadflags = 0;
    bool relocatable = false;
    uint32_t kernel_alignment = 0;
    uint64_t pref_address = 0;
    uint32_t init_size = 0;
    uint32_t initrd_addr_max = 0;
    uint32_t cmdline_size = 0;
    size_t header_end = 0;          // end of the setup header in the file (0x202 + byte 0x201)
};
Result<BzImageHeader> parse_bzimage(std::span<const uint8_t> image, const std::string& name);

// The PVH entry point of an ELF kernel, if it has a XEN_ELFNOTE_PHYS32_ENTRY note.
struct ElfKernelInfo {
    bool is_64 = false;
    uint64_t entry = 0;
    bool has_pvh = false;
    uint64_t pvh_entry = 0;
    struct Segment {
        uint64_t paddr, offset, file_size, mem_size;
    };
    std::vector<Segment> loads;
};
Result<ElfKernelInfo> parse_elf_kernel(std::span<const uint8_t> image, const std::string& name);

}  // namespace vireo::kvm
