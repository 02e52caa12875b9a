#include "kvm/cpu.hpp"

#include <array>
#include <cstdio>
#include <cstring>
#include <optional>

#include "base/bytes.hpp"
#include "base/log.hpp"
#include "kvm/layout.hpp"

namespace vireo::kvm {

namespace {

// A GDT descriptor from its access byte and flags nibble (`flags` = 0xF0FF-style, as the kernel's
// GDT_ENTRY macro takes them), base and limit (Intel SDM vol. 3 §3.4.5).
constexpr uint64_t gdt_entry(uint16_t flags, uint32_t base, uint32_t limit)
{
    return ((static_cast<uint64_t>(base) & 0xff000000ull) << 32) | ((static_cast<uint64_t>(base) & 0x00ffffffull) << 16) |
           (static_cast<uint64_t>(limit) & 0x0000ffffull) | ((static_cast<uint64_t>(limit) & 0x000f0000ull) << 32) |
           ((static_cast<uint64_t>(flags) & 0xf0ffull) << 40);
}

constexpr uint64_t kGdtEntries[] = {
    0,                                   // null
    gdt_entry(0xc09b, 0, 0xfffff),       // 0x08: 32-bit code, flat
    gdt_entry(0xa09b, 0, 0xfffff),       // 0x10: 64-bit code
    gdt_entry(0xc093, 0, 0xfffff),       // 0x18: data, flat
    gdt_entry(0x008b, 0, 0x67),          // 0x20: TSS (busy), the low half of a 64-bit descriptor
    0,                                   //       and its high half
};

kvm_segment segment_from_gdt(uint64_t entry, uint16_t selector)
{
    kvm_segment s{};
    s.base = ((entry >> 16) & 0xffffff) | (((entry >> 56) & 0xff) << 24);
    const uint32_t raw_limit = static_cast<uint32_t>((entry & 0xffff) | (((entry >> 48) & 0xf) << 16));
    s.g = static_cast<uint8_t>((entry >> 55) & 1);
    s.limit = s.g ? (raw_limit << 12) | 0xfff : raw_limit;
    s.selector = selector;
    s.type = static_cast<uint8_t>((entry >> 40) & 0xf);
    s.s = static_cast<uint8_t>((entry >> 44) & 1);
    s.dpl = static_cast<uint8_t>((entry >> 45) & 3);
    s.present = static_cast<uint8_t>((entry >> 47) & 1);
    s.avl = static_cast<uint8_t>((entry >> 52) & 1);
    s.l = static_cast<uint8_t>((entry >> 53) & 1);
    s.db = static_cast<uint8_t>((entry >> 54) & 1);
    s.unusable = 0;
    return s;
}

constexpr uint64_t X86_CR0_PE = 1ull << 0;
constexpr uint64_t X86_CR0_ET = 1ull << 4;
constexpr uint64_t X86_CR0_NE = 1ull << 5;
constexpr uint64_t X86_CR0_PG = 1ull << 31;
constexpr uint64_t X86_CR4_PAE = 1ull << 5;
constexpr uint64_t EFER_LME = 1ull << 8;
constexpr uint64_t EFER_LMA = 1ull << 10;

constexpr uint32_t MSR_IA32_SYSENTER_CS = 0x174, MSR_IA32_SYSENTER_ESP = 0x175, MSR_IA32_SYSENTER_EIP = 0x176;
constexpr uint32_t MSR_STAR = 0xc0000081, MSR_LSTAR = 0xc0000082, MSR_CSTAR = 0xc0000083, MSR_SYSCALL_MASK = 0xc0000084;
constexpr uint32_t MSR_KERNEL_GS_BASE = 0xc0000102;
constexpr uint32_t MSR_IA32_MISC_ENABLE = 0x1a0;
constexpr uint64_t MSR_IA32_MISC_ENABLE_FAST_STRING = 1;
constexpr uint32_t MSR_MTRR_DEF_TYPE = 0x2ff;
constexpr uint64_t MTRR_ENABLE_WRITEBACK = (1ull << 11) | 6;  // MTRRs on, default type WB

constexpr size_t APIC_LVT0 = 0x350, APIC_LVT1 = 0x360;
constexpr uint32_t APIC_MODE_NMI = 4, APIC_MODE_EXTINT = 7;

uint32_t set_delivery_mode(uint32_t lvt, uint32_t mode) { return (lvt & ~0x700u) | (mode << 8); }

}  // namespace

Result<void> write_boot_gdt_and_paging(memory::GuestMemory& ram)
{
    std::vector<uint8_t> gdt(sizeof kGdtEntries);
    std::memcpy(gdt.data(), kGdtEntries, sizeof kGdtEntries);
    TRY(ram.write(layout::kGdt, gdt));
    const std::vector<uint8_t> idt(8, 0);  // an empty IDT: the guest enters with interrupts off
    TRY(ram.write(layout::kIdt, idt));

    // PML4[0] -> PDPT; PDPT[0..3] -> 4 PDs; each PD maps 1 GiB with 2 MiB pages (present, writable).
    std::vector<uint8_t> tables(layout::kPd + 4 * 0x1000 - layout::kPml4, 0);
    auto entry = [&](uint64_t table, size_t index, uint64_t value) {
        store_le<uint64_t>(tables.data() + (table - layout::kPml4) + index * 8, value);
    };
    entry(layout::kPml4, 0, layout::kPdpt | 0x3);
    for (size_t gib = 0; gib < 4; ++gib) {
        const uint64_t pd = layout::kPd + gib * 0x1000;
        entry(layout::kPdpt, gib, pd | 0x3);
        for (size_t i = 0; i < 512; ++i)
            entry(pd, i, ((gib << 30) + (i << 21)) | 0x83);  // present, writable, 2 MiB page
    }
    return ram.write(layout::kPml4, tables);
}

std::vector<kvm_cpuid_entry2> vcpu_cpuid(std::vector<kvm_cpuid_entry2> entries, uint32_t index, uint32_t count)
{
    uint32_t count_bits = 0;  // bits of the APIC ID that number the CPUs of the package
    while ((1u << count_bits) < count)
        ++count_bits;
    for (auto& e : entries) {
        switch (e.function) {
        case 1:
            e.ecx |= 1u << 31;  // hypervisor present
            // EBX: initial APIC ID [31:24], logical processors per package [23:16], CLFLUSH size.
            e.ebx = (index << 24) | ((count & 0xff) << 16) | (e.ebx & 0xff) | ((e.ebx & 0xff00) ? (e.ebx & 0xff00) : 0x0800);
            if (count > 1)
                e.edx |= 1u << 28;  // HTT: the EBX[23:16] count is valid
            else
                e.edx &= ~(1u << 28);
            break;
        case 0xb:
        case 0x1f:
            // Extended topology: one thread per core, `count` cores in the package.
            if (e.index == 0) {
                e.eax = 0;
                e.ebx = 1;
                e.ecx = (1u << 8) | e.index;
            } else if (e.index == 1) {
                e.eax = count_bits;
                e.ebx = count;
                e.ecx = (2u << 8) | e.index;
            } else {
                e.eax = 0;
                e.ebx = 0;
                e.ecx = e.index;
            }
            e.edx = index;  // x2APIC ID
            break;
        case 0x8000'0008:
            // AMD: NC = cores - 1, ApicIdCoreIdSize = 0 (derive it from NC).
            e.ecx = (e.ecx & ~0xf0ffu) | ((count - 1) & 0xff);
            break;
        case 0x8000'001e:
            // AMD extended APIC ID; compute unit = the core; one node.
            e.eax = index;
            e.ebx = index & 0xff;
            e.ecx = 0;
            break;
        default:
            break;
        }
    }
    return entries;
}

Result<void> configure_vcpu(Vcpu& vcpu, const std::vector<kvm_cpuid_entry2>& cpuid)
{
    TRY(vcpu.set_cpuid(cpuid));

    const std::vector<std::pair<uint32_t, uint64_t>> msrs = {
        {MSR_IA32_SYSENTER_CS, 0}, {MSR_IA32_SYSENTER_ESP, 0}, {MSR_IA32_SYSENTER_EIP, 0},
        {MSR_STAR, 0}, {MSR_CSTAR, 0}, {MSR_KERNEL_GS_BASE, 0}, {MSR_SYSCALL_MASK, 0}, {MSR_LSTAR, 0},
        {MSR_IA32_MISC_ENABLE, MSR_IA32_MISC_ENABLE_FAST_STRING},
        {MSR_MTRR_DEF_TYPE, MTRR_ENABLE_WRITEBACK},
    };
    const size_t accepted = TRY(vcpu.set_msrs(msrs));
    // The reset values of these MSRs work too; a KVM that refuses one is not worth failing for.
    if (accepted < msrs.size())
        LOG_DEBUG("kvm: vCPU %u: KVM_SET_MSRS took %zu of %zu boot MSRs (stopped at 0x%x)", vcpu.id(), accepted,
                  msrs.size(), msrs[accepted].first);

    kvm_fpu fpu{};
    fpu.fcw = 0x37f;     // x87 default control word
    fpu.mxcsr = 0x1f80;  // SSE exceptions masked
    TRY(vcpu.set_fpu(fpu));

    kvm_lapic_state lapic = TRY(vcpu.get_lapic());
    const uint32_t lvt0 = load_le<uint32_t>(&lapic.regs[APIC_LVT0]);
    const uint32_t lvt1 = load_le<uint32_t>(&lapic.regs[APIC_LVT1]);
    store_le<uint32_t>(&lapic.regs[APIC_LVT0], set_delivery_mode(lvt0, APIC_MODE_EXTINT));
    store_le<uint32_t>(&lapic.regs[APIC_LVT1], set_delivery_mode(lvt1, APIC_MODE_NMI));
    TRY(vcpu.set_lapic(lapic));
    return {};
}

Result<void> set_entry_state(Vcpu& vcpu, const EntryState& entry)
{
    kvm_sregs sregs = TRY(vcpu.get_sregs());
    kvm_regs regs{};
    regs.rflags = 0x2;  // bit 1 is reserved and always set; interrupts off

    switch (entry.mode) {
    case CpuMode::Real: {
        // CS:IP with CS's base at the 16-byte boundary at or below the entry; the other data
        // segments equal CS. boot.cpp checked the entry lies below 1 MiB.
        const uint64_t base = entry.rip & ~0xfull;
        kvm_segment seg = sregs.cs;
        seg.base = base;
        seg.selector = static_cast<uint16_t>(base >> 4);
        sregs.cs = seg;
        sregs.cs.type = 0xb;
        seg.type = 0x3;
        sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = seg;
        regs.rip = entry.rip - base;
        break;
    }
    case CpuMode::Protected:
    case CpuMode::Long: {
        const bool long_mode = entry.mode == CpuMode::Long;
        const uint16_t code = long_mode ? layout::kCode64Selector : layout::kCode32Selector;
        sregs.gdt.base = layout::kGdt;
        sregs.gdt.limit = static_cast<uint16_t>(sizeof kGdtEntries - 1);
        sregs.idt.base = layout::kIdt;
        sregs.idt.limit = 7;
        sregs.cs = segment_from_gdt(kGdtEntries[code / 8], code);
        const kvm_segment data = segment_from_gdt(kGdtEntries[layout::kDataSelector / 8], layout::kDataSelector);
        sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = data;
        sregs.tr = segment_from_gdt(kGdtEntries[layout::kTssSelector / 8], layout::kTssSelector);
        sregs.cr0 = X86_CR0_PE | X86_CR0_ET | X86_CR0_NE;
        sregs.cr4 = 0;
        sregs.efer = 0;
        if (long_mode) {
            sregs.cr3 = layout::kPml4;
            sregs.cr4 |= X86_CR4_PAE;
            sregs.cr0 |= X86_CR0_PG;
            sregs.efer |= EFER_LME | EFER_LMA;
        }
        regs.rip = entry.rip;
        regs.rsi = entry.rsi;
        regs.rbx = entry.rbx;
        break;
    }
    }
    TRY(vcpu.set_sregs(sregs));
    TRY(vcpu.set_regs(regs));
    return {};
}

namespace {

// Guest-virtual to guest-physical through the guest's own page tables (Intel SDM vol. 3 §4.5).
// Reads go through GuestMemory, so a table pointing outside RAM just ends the walk.
std::optional<uint64_t> translate(memory::GuestMemory& ram, const kvm_sregs& sregs, uint64_t vaddr)
{
    if (!(sregs.cr0 & X86_CR0_PG))
        return vaddr;
    if (!(sregs.efer & EFER_LMA))
        return std::nullopt;  // 32-bit paging: not worth it for a diagnostic
    constexpr uint64_t kAddressMask = 0x000f'ffff'ffff'f000ull;
    const bool la57 = sregs.cr4 & (1ull << 12);
    uint64_t table = sregs.cr3 & kAddressMask;
    for (int level = la57 ? 5 : 4; level >= 1; --level) {
        const unsigned shift = 12 + 9 * static_cast<unsigned>(level - 1);
        std::array<uint8_t, 8> bytes{};
        if (!ram.read(table + ((vaddr >> shift) & 0x1ff) * 8, bytes).ok())
            return std::nullopt;
        const uint64_t entry = load_le<uint64_t>(bytes.data());
        if (!(entry & 1))
            return std::nullopt;
        if (level <= 3 && level >= 2 && (entry & 0x80)) {
            const uint64_t page = (entry & kAddressMask) & ~((1ull << shift) - 1);
            return page | (vaddr & ((1ull << shift) - 1));
        }
        table = entry & kAddressMask;
    }
    return table | (vaddr & 0xfff);
}

}  // namespace

std::string describe_instruction(const Vcpu& vcpu, memory::GuestMemory& ram)
{
    auto regs = vcpu.get_regs();
    auto sregs = vcpu.get_sregs();
    if (!regs.ok() || !sregs.ok())
        return "rip unknown";
    char text[160];
    const uint64_t rip = regs.value().rip;
    int n = std::snprintf(text, sizeof text, "rip 0x%llx", static_cast<unsigned long long>(rip));
    const uint64_t linear = (sregs.value().efer & EFER_LMA) ? rip : sregs.value().cs.base + rip;
    if (auto paddr = translate(ram, sregs.value(), linear)) {
        std::array<uint8_t, 12> bytes{};
        if (ram.read(*paddr, bytes).ok()) {
            n += std::snprintf(text + n, sizeof text - static_cast<size_t>(n), " (physical 0x%llx, bytes",
                               static_cast<unsigned long long>(*paddr));
            for (uint8_t b : bytes)
                n += std::snprintf(text + n, sizeof text - static_cast<size_t>(n), " %02x", b);
            std::snprintf(text + n, sizeof text - static_cast<size_t>(n), ")");
        }
    }
    return text;
}

}  // namespace vireo::kvm
