// Hart<Env>: virtual memory (privileged spec 1.12 §4.3-4.5: Sv39, Sv48, Sv57) and the software TLB.
// Included by hart_impl.hpp only.
//
// The TLB caches, per translation context (U, S, or physical) and per access type (read, write,
// execute), the host address of a guest page. An entry is only filled when the access it is for
// is permitted, and a write entry only once the PTE's D bit is set, so a hit needs no checks.
// Everything that changes permissions or mappings flushes: satp writes, sfence.vma, and clearing
// mstatus.SUM/MXR (the tables those bits could have granted entries in). MPRV/MPP and privilege
// changes only switch the context.
#pragma once

#include <algorithm>
#include <bit>

#include "base/bytes.hpp"
#include "riscv/hart.hpp"

namespace vireo::riscv {

template <typename Env>
void Hart<Env>::flush_tlb()
{
    for (auto& ctx : m_tlb)
        for (auto& table : ctx)
            table.fill(TlbEntry{});
}

template <typename Env>
void Hart<Env>::update_contexts()
{
    auto point_tables = [&] {
        m_dtlb_read = m_tlb[m_data_ctx][static_cast<unsigned>(Access::Read)].data();
        m_dtlb_write = m_tlb[m_data_ctx][static_cast<unsigned>(Access::Write)].data();
        m_itlb = m_tlb[m_fetch_ctx][static_cast<unsigned>(Access::Execute)].data();
    };
    if constexpr (!kPrivileged) {
        m_data_ctx = m_fetch_ctx = CtxPhysical;
        point_tables();
        return;
    }
    const bool paging = (m_satp >> 60) != SATP_MODE_BARE;
    auto context_for = [&](Priv p) {
        if (p == Priv::Machine || !paging)
            return CtxPhysical;
        return p == Priv::User ? CtxUser : CtxSupervisor;
    };
    m_fetch_ctx = context_for(m_priv);
    Priv data_priv = m_priv;
    if (m_priv == Priv::Machine && (m_mstatus & MSTATUS_MPRV))
        data_priv = static_cast<Priv>((m_mstatus & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT);
    m_data_ctx = context_for(data_priv);
    point_tables();
}

template <typename Env>
void Hart<Env>::sfence_vma(std::optional<uint64_t> vaddr)
{
    if (!vaddr) {
        m_tlb[CtxUser] = {};
        m_tlb[CtxSupervisor] = {};
        for (Context ctx : {CtxUser, CtxSupervisor})
            for (SuperpageMarks& marks : m_superpages[ctx])
                marks = SuperpageMarks{};
        return;
    }
    // §4.2.1: with rs1 set, only the leaf PTE that translates rs1 is fenced. Its translations here
    // are the entry for rs1's own page and, if that leaf is a superpage, the entries of its other
    // pieces. (Without ASIDs in the TLB, rs2 is ignored: flushing more is allowed.)
    const uint64_t vpn = *vaddr >> 12;
    const unsigned own = static_cast<unsigned>(vpn % kTlbSize);
    for (Context ctx : {CtxUser, CtxSupervisor}) {
        for (unsigned access = 0; access < 3; ++access) {
            auto& table = m_tlb[ctx][access];
            if (table[own].tag == vpn)
                table[own] = TlbEntry{};
            SuperpageMarks& marks = m_superpages[ctx][access];
            if (vpn < marks.low || vpn > marks.high)
                continue;
            for (unsigned word = 0; word < marks.bits.size(); ++word) {
                for (uint64_t bits = marks.bits[word]; bits; bits &= bits - 1) {
                    const unsigned index = word * 64 + static_cast<unsigned>(std::countr_zero(bits));
                    if (((table[index].tag ^ vpn) >> marks.shift[index]) == 0)
                        table[index] = TlbEntry{};
                }
            }
        }
    }
}

// The page-table walk of §4.3.2, with hardware A/D updates (the spec's second option in step 7).
// Returns false with the trap taken on a page or access fault.
template <typename Env>
bool Hart<Env>::walk(uint64_t vaddr, Access access, Priv effective, Leaf& leaf)
{
    const unsigned levels = static_cast<unsigned>((m_satp >> 60) - SATP_MODE_SV39 + 3);  // 3, 4 or 5
    const unsigned va_bits = 12 + 9 * levels;
    // Bits above the virtual address width must all equal its top bit (§4.4.1, §4.5.1, §4.6.1).
    const auto canonical = static_cast<uint64_t>(static_cast<int64_t>(vaddr << (64 - va_bits)) >> (64 - va_bits));
    if (canonical != vaddr)
        return raise(fault_for(access, true), vaddr);

    uint64_t table = (m_satp & ((1ull << 44) - 1)) << 12;
    for (int level = static_cast<int>(levels) - 1; level >= 0; --level) {
        const uint64_t index = (vaddr >> (12 + 9 * static_cast<unsigned>(level))) & 511;
        const uint64_t pte_addr = table + index * 8;
        uint8_t* page = m_env.ram_page(pte_addr & ~0xfffull, Access::Read);
        if (!page)
            return raise(fault_for(access, false), vaddr);  // the PTE itself is not in memory: access fault
        uint8_t* pte_ptr = page + (pte_addr & 0xfff);
        uint64_t pte = load_le<uint64_t>(pte_ptr);

        if (!(pte & PTE_V) || (!(pte & PTE_R) && (pte & PTE_W)))
            return raise(fault_for(access, true), vaddr);
        // Bits 63:54 are N, PBMT and reserved: without Svnapot/Svpbmt they must be zero (§4.4.1).
        if (pte >> 54)
            return raise(fault_for(access, true), vaddr);
        if (!(pte & (PTE_R | PTE_X))) {
            if (level == 0)
                return raise(fault_for(access, true), vaddr);
            table = ((pte >> 10) & ((1ull << 44) - 1)) << 12;
            continue;
        }

        // A leaf: check permissions (§4.3.2 step 5).
        if (effective == Priv::User) {
            if (!(pte & PTE_U))
                return raise(fault_for(access, true), vaddr);
        } else if (pte & PTE_U) {
            if (access == Access::Execute || !(m_mstatus & MSTATUS_SUM))
                return raise(fault_for(access, true), vaddr);
        }
        bool allowed = false;
        switch (access) {
        case Access::Read: allowed = (pte & PTE_R) || ((m_mstatus & MSTATUS_MXR) && (pte & PTE_X)); break;
        case Access::Write: allowed = pte & PTE_W; break;
        case Access::Execute: allowed = pte & PTE_X; break;
        }
        if (!allowed)
            return raise(fault_for(access, true), vaddr);

        const uint64_t ppn = (pte >> 10) & ((1ull << 44) - 1);
        const unsigned offset_bits = 12 + 9 * static_cast<unsigned>(level);
        const uint64_t offset_mask = (1ull << offset_bits) - 1;
        // A superpage whose PPN is not aligned to its size is a misaligned superpage (step 6).
        if (((ppn << 12) & offset_mask) != 0)
            return raise(fault_for(access, true), vaddr);

        // Step 7: set A, and D for a store, in the PTE itself.
        uint64_t wanted = pte | PTE_A | (access == Access::Write ? PTE_D : 0);
        if (wanted != pte) {
            uint8_t* writable = m_env.ram_page(pte_addr & ~0xfffull, Access::Write);
            if (!writable)
                return raise(fault_for(access, false), vaddr);
            store_le<uint64_t>(writable + (pte_addr & 0xfff), wanted);
        }
        leaf.paddr = ((ppn << 12) & ~offset_mask) | (vaddr & offset_mask);
        leaf.level = static_cast<unsigned>(level);
        leaf.user = (pte & PTE_U) != 0;
        return true;
    }
    return raise(fault_for(access, true), vaddr);
}

template <typename Env>
bool Hart<Env>::translate(uint64_t vaddr, Access access, TlbEntry*& entry)
{
    const Context ctx = access == Access::Execute ? m_fetch_ctx : m_data_ctx;
    const uint64_t vpn = vaddr >> 12;
    TlbEntry& e = m_tlb[ctx][static_cast<unsigned>(access)][vpn % kTlbSize];
    if (e.tag != vpn) {
        uint64_t paddr = vaddr;
        if (ctx != CtxPhysical) {
            const Priv effective = ctx == CtxUser ? Priv::User : Priv::Supervisor;
            Leaf leaf;
            if (!walk(vaddr, access, effective, leaf))
                return false;
            paddr = leaf.paddr;
            note_fill(ctx, access, vpn, leaf);
        }
        e.tag = vpn;
        e.paddr_page = paddr & ~0xfffull;
        e.host = m_env.ram_page(e.paddr_page, access);
        e.fast_page = e.host ? vpn << 12 : ~0ull;
    }
    entry = &e;
    return true;
}

template <typename Env>
void Hart<Env>::note_fill(Context ctx, Access access, uint64_t vpn, const Leaf& leaf)
{
    SuperpageMarks& marks = m_superpages[ctx][static_cast<unsigned>(access)];
    const unsigned index = static_cast<unsigned>(vpn % kTlbSize);
    const uint64_t bit = 1ull << (index % 64);
    if (leaf.level) {
        const unsigned shift = 9 * leaf.level;
        marks.bits[index / 64] |= bit;
        marks.shift[index] = static_cast<uint8_t>(shift);
        marks.low = std::min(marks.low, vpn >> shift << shift);
        marks.high = std::max(marks.high, vpn | ((uint64_t{1} << shift) - 1));
    } else {
        marks.bits[index / 64] &= ~bit;
    }
    if (ctx == CtxSupervisor && leaf.user && access != Access::Execute) {
        SumEntries& sum = m_sum_entries[static_cast<unsigned>(access)];
        if (sum.count < SumEntries::kMax)
            sum.index[sum.count++] = static_cast<uint16_t>(index);
        else
            sum.overflow = true;
    }
}

template <typename Env>
bool Hart<Env>::phys_read(uint64_t paddr, unsigned size, uint64_t& value, Access access)
{
    return m_env.mmio_read(paddr, size, value) || (void(access), false);
}

template <typename Env>
bool Hart<Env>::phys_write(uint64_t paddr, unsigned size, uint64_t value)
{
    return m_env.mmio_write(paddr, size, value);
}

template <typename Env>
template <typename T>
inline bool Hart<Env>::load(uint64_t vaddr, T& out)
{
    const uint64_t vpn = vaddr >> 12;
    if ((vaddr & 0xfff) <= 4096 - sizeof(T)) [[likely]] {
        const TlbEntry& e = m_tlb[m_data_ctx][static_cast<unsigned>(Access::Read)][vpn % kTlbSize];
        if (e.tag == vpn && e.host) [[likely]] {
            out = load_le<T>(e.host + (vaddr & 0xfff));
            return true;
        }
    }
    return load_slow(vaddr, out);
}

template <typename Env>
template <typename T>
bool Hart<Env>::load_slow(uint64_t vaddr, T& out)
{
    if ((vaddr & 0xfff) > 4096 - sizeof(T)) {
        // Misaligned across a page boundary: byte by byte, each byte translated on its own.
        uint8_t bytes[sizeof(T)];
        for (unsigned i = 0; i < sizeof(T); ++i)
            if (!load<uint8_t>(vaddr + i, bytes[i]))
                return false;
        out = load_le<T>(bytes);
        return true;
    }
    TlbEntry* e = nullptr;
    if (!translate(vaddr, Access::Read, e))
        return false;
    if (e->host) {
        out = load_le<T>(e->host + (vaddr & 0xfff));
        return true;
    }
    uint64_t value = 0;
    // Devices take naturally aligned accesses only; anything else there is an access fault.
    if ((vaddr & (sizeof(T) - 1)) || !phys_read(e->paddr_page | (vaddr & 0xfff), sizeof(T), value, Access::Read))
        return raise(Exception::LoadAccessFault, vaddr);
    out = static_cast<T>(value);
    return true;
}

template <typename Env>
template <typename T>
inline bool Hart<Env>::store(uint64_t vaddr, T value)
{
    const uint64_t vpn = vaddr >> 12;
    if ((vaddr & 0xfff) <= 4096 - sizeof(T)) [[likely]] {
        const TlbEntry& e = m_tlb[m_data_ctx][static_cast<unsigned>(Access::Write)][vpn % kTlbSize];
        if (e.tag == vpn && e.host) [[likely]] {
            store_le<T>(e.host + (vaddr & 0xfff), value);
            return true;
        }
    }
    return store_slow(vaddr, value);
}

template <typename Env>
template <typename T>
bool Hart<Env>::store_slow(uint64_t vaddr, T value)
{
    if ((vaddr & 0xfff) > 4096 - sizeof(T)) {
        // Across a page boundary: translate both pages before writing anything, so a fault on the
        // second page leaves memory untouched.
        TlbEntry* first = nullptr;
        TlbEntry* second = nullptr;
        if (!translate(vaddr, Access::Write, first))
            return false;
        const uint64_t first_host_page = reinterpret_cast<uint64_t>(first->host);
        const uint64_t first_paddr = first->paddr_page;
        const uint64_t next = (vaddr | 0xfff) + 1;
        if (!translate(next, Access::Write, second))
            return false;
        const unsigned split = static_cast<unsigned>(next - vaddr);
        uint8_t bytes[sizeof(T)];
        store_le<T>(bytes, value);
        for (unsigned i = 0; i < sizeof(T); ++i) {
            const bool in_first = i < split;
            uint8_t* host = in_first ? reinterpret_cast<uint8_t*>(first_host_page) : second->host;
            const uint64_t paddr = in_first ? first_paddr | ((vaddr + i) & 0xfff) : second->paddr_page | (i - split);
            if (host)
                host[in_first ? ((vaddr + i) & 0xfff) : (i - split)] = bytes[i];
            else if (!phys_write(paddr, 1, bytes[i]))
                return raise(Exception::StoreAccessFault, vaddr + i);
        }
        return true;
    }
    TlbEntry* e = nullptr;
    if (!translate(vaddr, Access::Write, e))
        return false;
    if (e->host) {
        store_le<T>(e->host + (vaddr & 0xfff), value);
        return true;
    }
    if ((vaddr & (sizeof(T) - 1)) || !phys_write(e->paddr_page | (vaddr & 0xfff), sizeof(T), static_cast<uint64_t>(value)))
        return raise(Exception::StoreAccessFault, vaddr);
    return true;
}

template <typename Env>
bool Hart<Env>::fetch(uint32_t& raw)
{
    const uint64_t vaddr = m_pc;
    const uint64_t vpn = vaddr >> 12;
    const uint64_t offset = vaddr & 0xfff;
    const TlbEntry& fast = m_tlb[m_fetch_ctx][static_cast<unsigned>(Access::Execute)][vpn % kTlbSize];
    if (fast.tag == vpn && fast.host && offset <= 4092) [[likely]] {
        raw = load_le<uint32_t>(fast.host + offset);
        return true;
    }
    TlbEntry* e = nullptr;
    if (!translate(vaddr, Access::Execute, e))
        return false;
    if (!e->host)  // no execution from device memory
        return raise(Exception::InstructionAccessFault, vaddr);
    const uint16_t low = load_le<uint16_t>(e->host + offset);
    if (is_compressed(low)) {
        raw = low;
        return true;
    }
    if (offset <= 4092) {
        raw = load_le<uint32_t>(e->host + offset);
        return true;
    }
    // A 32-bit instruction across a page boundary; tval names the part that faulted (§3.1.16).
    TlbEntry* second = nullptr;
    if (!translate(vaddr + 2, Access::Execute, second))
        return false;
    if (!second->host)
        return raise(Exception::InstructionAccessFault, vaddr + 2);
    raw = low | (static_cast<uint32_t>(load_le<uint16_t>(second->host)) << 16);
    return true;
}

}  // namespace vireo::riscv
