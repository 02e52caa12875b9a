// Hart<Env>: construction, traps, interrupts and CSRs (privileged spec 1.12, chapters 2-4).
// Included by hart_impl.hpp only.
#pragma once

#include "riscv/hart.hpp"

namespace vireo::riscv {

template <typename Env>
Hart<Env>::Hart(Env& env, uint64_t hart_id) : m_env(env), m_hart_id(hart_id)
{
    // Reset state (§3.4): M-mode, MIE=0, MPRV=0; UXL/SXL fixed at 64 bits.
    m_mstatus = (2ull << 32) | (2ull << 34);
    if constexpr (!kPrivileged) {
        m_priv = Priv::User;
        m_mstatus |= 1ull << MSTATUS_FS_SHIFT;  // a user program may use the FPU from the start
    }
    // Every cache line starts as (raw 0 -> ILLEGAL), which is exactly what 0 decodes to.
    update_contexts();
}

template <typename Env>
void Hart<Env>::set_priv(Priv p)
{
    m_priv = p;
    update_contexts();
}

template <typename Env>
Exception Hart<Env>::fault_for(Access access, bool page_fault) const
{
    switch (access) {
    case Access::Read: return page_fault ? Exception::LoadPageFault : Exception::LoadAccessFault;
    case Access::Write: return page_fault ? Exception::StorePageFault : Exception::StoreAccessFault;
    case Access::Execute: break;
    }
    return page_fault ? Exception::InstructionPageFault : Exception::InstructionAccessFault;
}

template <typename Env>
bool Hart<Env>::raise(Exception cause, uint64_t tval)
{
    if constexpr (!kPrivileged) {
        m_env.on_trap(*this, static_cast<uint64_t>(cause), tval);
    } else {
        take_trap(static_cast<uint64_t>(cause), tval, false);
    }
    return false;
}

// §3.1.6.1 and §4.1.1: traps go to M unless delegated (and the hart is not already in M);
// xPIE <- xIE, xIE <- 0, xPP <- previous mode; xepc, xcause, xtval are written.
template <typename Env>
void Hart<Env>::take_trap(uint64_t cause, uint64_t tval, bool interrupt)
{
    const uint64_t deleg = interrupt ? m_mideleg : m_medeleg;
    const uint64_t cause_value = cause | (interrupt ? (1ull << 63) : 0);
    // A trap is a good moment to drop a reservation: SC may fail spuriously, never succeed wrongly.
    m_reservation_valid = false;
    if (m_priv != Priv::Machine && ((deleg >> cause) & 1)) {
        m_scause = cause_value;
        m_sepc = m_pc;
        m_stval = tval;
        uint64_t s = m_mstatus;
        s = (s & ~MSTATUS_SPIE) | ((s & MSTATUS_SIE) ? MSTATUS_SPIE : 0);
        s &= ~MSTATUS_SIE;
        s = (s & ~MSTATUS_SPP) | (m_priv == Priv::Supervisor ? MSTATUS_SPP : 0);
        m_mstatus = s;
        uint64_t base = m_stvec & ~3ull;
        m_pc = (interrupt && (m_stvec & 3) == 1) ? base + 4 * cause : base;
        set_priv(Priv::Supervisor);
    } else {
        m_mcause = cause_value;
        m_mepc = m_pc;
        m_mtval = tval;
        uint64_t s = m_mstatus;
        s = (s & ~MSTATUS_MPIE) | ((s & MSTATUS_MIE) ? MSTATUS_MPIE : 0);
        s &= ~MSTATUS_MIE;
        s = (s & ~MSTATUS_MPP) | (static_cast<uint64_t>(m_priv) << MSTATUS_MPP_SHIFT);
        m_mstatus = s;
        uint64_t base = m_mtvec & ~3ull;
        m_pc = (interrupt && (m_mtvec & 3) == 1) ? base + 4 * cause : base;
        set_priv(Priv::Machine);
    }
    m_wfi = false;
    update_interrupt_check();
}

template <typename Env>
void Hart<Env>::set_interrupt_line(uint64_t mip_bit, bool level)
{
    if (level)
        m_mip_lines |= mip_bit;
    else
        m_mip_lines &= ~mip_bit;
    update_interrupt_check();
}

// Recomputes whether an interrupt could be taken now, so the interpreter checks one flag per
// instruction instead of re-deriving it (§3.1.9).
template <typename Env>
void Hart<Env>::update_interrupt_check()
{
    if constexpr (!kPrivileged) {
        m_interrupt_check = false;
        return;
    }
    const uint64_t pending = (m_mip | m_mip_lines) & m_mie;
    if (!pending) {
        m_interrupt_check = false;
        return;
    }
    const bool m_enabled = m_priv != Priv::Machine || (m_mstatus & MSTATUS_MIE);
    const bool s_enabled = m_priv == Priv::User || (m_priv == Priv::Supervisor && (m_mstatus & MSTATUS_SIE));
    m_interrupt_check = ((pending & ~m_mideleg) && m_enabled) || ((pending & m_mideleg) && s_enabled);
}

// Takes the highest-priority enabled interrupt, if any (§3.1.9: MEI, MSI, MTI, SEI, SSI, STI).
template <typename Env>
bool Hart<Env>::check_interrupts()
{
    const uint64_t pending = (m_mip | m_mip_lines) & m_mie;
    const bool m_enabled = m_priv != Priv::Machine || (m_mstatus & MSTATUS_MIE);
    const bool s_enabled = m_priv == Priv::User || (m_priv == Priv::Supervisor && (m_mstatus & MSTATUS_SIE));
    uint64_t ready = 0;
    if (m_enabled)
        ready = pending & ~m_mideleg;
    if (!ready && s_enabled)
        ready = pending & m_mideleg;
    if (!ready)
        return false;
    static constexpr unsigned order[] = {11, 3, 7, 9, 1, 5};
    for (unsigned cause : order) {
        if (ready & (1ull << cause)) {
            take_trap(cause, 0, true);
            return true;
        }
    }
    return false;
}

template <typename Env>
void Hart<Env>::write_mstatus(uint64_t value)
{
    constexpr uint64_t writable = MSTATUS_SIE | MSTATUS_MIE | MSTATUS_SPIE | MSTATUS_MPIE | MSTATUS_SPP |
                                  MSTATUS_MPP | MSTATUS_FS | MSTATUS_MPRV | MSTATUS_SUM | MSTATUS_MXR |
                                  MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR;
    // MPP is WARL: 2 (reserved) keeps the previous value.
    if (((value & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT) == 2)
        value = (value & ~MSTATUS_MPP) | (m_mstatus & MSTATUS_MPP);
    const uint64_t old = m_mstatus;
    uint64_t s = (m_mstatus & ~writable) | (value & writable);
    s &= ~MSTATUS_SD;
    if ((s & MSTATUS_FS) == MSTATUS_FS)
        s |= MSTATUS_SD;
    m_mstatus = s;
    // MPRV, MPP, SUM and MXR change how data addresses translate.
    constexpr uint64_t translation_bits = MSTATUS_MPRV | MSTATUS_MPP | MSTATUS_SUM | MSTATUS_MXR;
    if ((old ^ s) & translation_bits) {
        // Entries are only filled for permitted accesses, so a bit that grants more keeps them
        // all; one that takes away drops those it may have granted. SUM lets S-mode read and write
        // U pages (never execute them); MXR lets loads read executable pages. Linux sets and clears
        // SUM around every copy to or from user memory.
        auto clear = [](auto& table) { table.fill(TlbEntry{}); };
        const unsigned read = static_cast<unsigned>(Access::Read), write = static_cast<unsigned>(Access::Write);
        if ((old & ~s) & MSTATUS_SUM) {
            for (unsigned access : {read, write}) {
                SumEntries& sum = m_sum_entries[access];
                if (sum.overflow) {
                    clear(m_tlb[CtxSupervisor][access]);
                } else {
                    for (unsigned i = 0; i < sum.count; ++i)
                        m_tlb[CtxSupervisor][access][sum.index[i]] = TlbEntry{};
                }
                sum = SumEntries{};
            }
        }
        if ((old & ~s) & MSTATUS_MXR) {
            clear(m_tlb[CtxUser][read]);
            clear(m_tlb[CtxSupervisor][read]);
        }
        update_contexts();
    }
    update_interrupt_check();
}

template <typename Env>
bool Hart<Env>::counter_enabled(uint16_t number) const
{
    // §3.1.11/§4.1.5: mcounteren gates S and U; scounteren additionally gates U.
    const unsigned bit = number & 31;
    if (m_priv == Priv::Machine)
        return true;
    if (!((m_mcounteren >> bit) & 1))
        return false;
    if (m_priv == Priv::User && !((m_scounteren >> bit) & 1))
        return false;
    return true;
}

template <typename Env>
bool Hart<Env>::csr_accessible(uint16_t number, bool write) const
{
    // §2.1: bits 9:8 give the lowest privilege that may access; bits 11:10 == 3 mean read-only.
    const unsigned needed = (number >> 8) & 3;
    if (static_cast<unsigned>(m_priv) < needed)
        return false;
    if (write && ((number >> 10) & 3) == 3)
        return false;
    return true;
}

template <typename Env>
bool Hart<Env>::csr_read(uint16_t n, uint64_t& v, uint32_t raw)
{
    if (!csr_accessible(n, false))
        return illegal(raw);
    switch (n) {
    case csr::FFLAGS:
    case csr::FRM:
    case csr::FCSR:
        if (!fp_enabled())
            return illegal(raw);
        v = n == csr::FFLAGS ? m_fflags : n == csr::FRM ? m_frm : fcsr();
        return true;
    case csr::CYCLE:
    case csr::TIME:
    case csr::INSTRET:
        if (!counter_enabled(n))
            return illegal(raw);
        v = n == csr::CYCLE ? m_cycle : n == csr::TIME ? m_env.read_time() : m_instret;
        return true;
    default: break;
    }
    if (n >= csr::HPMCOUNTER3 && n <= csr::HPMCOUNTER31) {
        if (!counter_enabled(n))
            return illegal(raw);
        v = 0;
        return true;
    }
    if constexpr (!kPrivileged)
        return illegal(raw);
    switch (n) {
    case csr::SSTATUS: v = m_mstatus & SSTATUS_MASK; return true;
    case csr::SIE: v = m_mie & m_mideleg; return true;
    case csr::STVEC: v = m_stvec; return true;
    case csr::SCOUNTEREN: v = m_scounteren; return true;
    case csr::SENVCFG: v = m_senvcfg; return true;
    case csr::SSCRATCH: v = m_sscratch; return true;
    case csr::SEPC: v = m_sepc; return true;
    case csr::SCAUSE: v = m_scause; return true;
    case csr::STVAL: v = m_stval; return true;
    case csr::SIP: v = (m_mip | m_mip_lines) & m_mideleg; return true;
    case csr::SATP:
        if (m_priv == Priv::Supervisor && (m_mstatus & MSTATUS_TVM))
            return illegal(raw);
        v = m_satp;
        return true;
    case csr::MVENDORID:
    case csr::MARCHID:
    case csr::MIMPID:
    case csr::MCONFIGPTR: v = 0; return true;
    case csr::MHARTID: v = m_hart_id; return true;
    case csr::MSTATUS: v = m_mstatus; return true;
    case csr::MISA: v = MISA_VALUE; return true;
    case csr::MEDELEG: v = m_medeleg; return true;
    case csr::MIDELEG: v = m_mideleg; return true;
    case csr::MIE: v = m_mie; return true;
    case csr::MTVEC: v = m_mtvec; return true;
    case csr::MCOUNTEREN: v = m_mcounteren; return true;
    case csr::MENVCFG: v = m_menvcfg; return true;
    case csr::MCOUNTINHIBIT: v = m_mcountinhibit; return true;
    case csr::MSCRATCH: v = m_mscratch; return true;
    case csr::MEPC: v = m_mepc; return true;
    case csr::MCAUSE: v = m_mcause; return true;
    case csr::MTVAL: v = m_mtval; return true;
    case csr::MIP: v = m_mip | m_mip_lines; return true;
    case csr::MCYCLE: v = m_cycle; return true;
    case csr::MINSTRET: v = m_instret; return true;
    case csr::TSELECT: v = m_tselect; return true;
    // No trigger is implemented (debug spec 0.13 §5.2): tdata1 reads 0, "no trigger here".
    case csr::TDATA1:
    case csr::TDATA2:
    case csr::TDATA3: v = 0; return true;
    default: break;
    }
    if (n >= csr::MHPMCOUNTER3 && n <= csr::MHPMCOUNTER31) { v = 0; return true; }
    if (n >= csr::MHPMEVENT3 && n <= csr::MHPMEVENT31) { v = 0; return true; }
    if (n >= csr::PMPCFG0 && n <= csr::PMPCFG15) {
        if (n & 1)
            return illegal(raw);  // RV64 has only the even pmpcfg registers (§3.7.1)
        const unsigned base = static_cast<unsigned>(n - csr::PMPCFG0) * 4;
        v = 0;
        for (unsigned i = 0; i < 8; ++i)
            v |= static_cast<uint64_t>(m_pmpcfg[base + i]) << (8 * i);
        return true;
    }
    if (n >= csr::PMPADDR0 && n <= csr::PMPADDR63) { v = m_pmpaddr[static_cast<unsigned>(n - csr::PMPADDR0)]; return true; }
    return illegal(raw);
}

template <typename Env>
bool Hart<Env>::csr_write(uint16_t n, uint64_t v, uint32_t raw)
{
    if (!csr_accessible(n, true))
        return illegal(raw);
    switch (n) {
    case csr::FFLAGS:
        if (!fp_enabled()) return illegal(raw);
        m_fflags = static_cast<uint32_t>(v & 0x1f);
        mark_fp_dirty();
        return true;
    case csr::FRM:
        if (!fp_enabled()) return illegal(raw);
        m_frm = static_cast<uint8_t>(v & 7);
        mark_fp_dirty();
        return true;
    case csr::FCSR:
        if (!fp_enabled()) return illegal(raw);
        m_fflags = static_cast<uint32_t>(v & 0x1f);
        m_frm = static_cast<uint8_t>((v >> 5) & 7);
        mark_fp_dirty();
        return true;
    default: break;
    }
    if constexpr (!kPrivileged)
        return illegal(raw);
    switch (n) {
    case csr::SSTATUS: write_mstatus((m_mstatus & ~SSTATUS_MASK) | (v & SSTATUS_MASK)); return true;
    case csr::SIE:
        m_mie = (m_mie & ~m_mideleg) | (v & m_mideleg);
        update_interrupt_check();
        return true;
    case csr::STVEC: m_stvec = (v & 3) >= 2 ? (v & ~3ull) : v; return true;
    case csr::SCOUNTEREN: m_scounteren = v & 0xffffffff; return true;
    case csr::SENVCFG: m_senvcfg = v & 1; return true;
    case csr::SSCRATCH: m_sscratch = v; return true;
    case csr::SEPC: m_sepc = v & ~1ull; return true;
    case csr::SCAUSE: m_scause = v; return true;
    case csr::STVAL: m_stval = v; return true;
    case csr::SIP:
        // Only SSIP is writable through sip, and only when delegated (§4.1.3).
        m_mip = (m_mip & ~(m_mideleg & MIP_SSIP)) | (v & m_mideleg & MIP_SSIP);
        update_interrupt_check();
        return true;
    case csr::SATP: {
        if (m_priv == Priv::Supervisor && (m_mstatus & MSTATUS_TVM))
            return illegal(raw);
        const uint64_t mode = v >> 60;
        // §4.1.11: a write with an unsupported MODE has no effect at all.
        if (mode != SATP_MODE_BARE && mode != SATP_MODE_SV39 && mode != SATP_MODE_SV48 && mode != SATP_MODE_SV57)
            return true;
        // ASID is 16 bits; PPN 44 bits.
        m_satp = v & ((0xfull << 60) | (0xffffull << 44) | ((1ull << 44) - 1));
        sfence_vma(std::nullopt);
        update_contexts();
        return true;
    }
    case csr::MSTATUS: write_mstatus(v); return true;
    case csr::MISA: return true;  // WARL, read-only here
    case csr::MEDELEG:
        // Every synchronous exception can be delegated except ecall from M (§3.1.8).
        m_medeleg = v & 0xb3ff;
        return true;
    case csr::MIDELEG:
        m_mideleg = v & SUPERVISOR_INTERRUPTS;
        update_interrupt_check();
        return true;
    case csr::MIE:
        m_mie = v & ALL_INTERRUPTS;
        update_interrupt_check();
        return true;
    case csr::MTVEC: m_mtvec = (v & 3) >= 2 ? (v & ~3ull) : v; return true;
    case csr::MCOUNTEREN: m_mcounteren = v & 0xffffffff; return true;
    case csr::MENVCFG: m_menvcfg = v & 1; return true;
    case csr::MCOUNTINHIBIT: m_mcountinhibit = v & 0xfffffffd; return true;
    case csr::MSCRATCH: m_mscratch = v; return true;
    case csr::MEPC: m_mepc = v & ~1ull; return true;
    case csr::MCAUSE: m_mcause = v; return true;
    case csr::MTVAL: m_mtval = v; return true;
    case csr::MIP:
        m_mip = (m_mip & ~SUPERVISOR_INTERRUPTS) | (v & SUPERVISOR_INTERRUPTS);
        update_interrupt_check();
        return true;
    case csr::MCYCLE: m_cycle = v; return true;
    case csr::MINSTRET:
        m_instret = v;
        m_instret_written = true;  // the writing instruction itself does not count (§3.3.1)
        return true;
    case csr::TSELECT: return true;  // only trigger 0 "exists", and it is not a trigger
    case csr::TDATA1:
    case csr::TDATA2:
    case csr::TDATA3: return true;
    default: break;
    }
    if ((n >= csr::MHPMCOUNTER3 && n <= csr::MHPMCOUNTER31) || (n >= csr::MHPMEVENT3 && n <= csr::MHPMEVENT31))
        return true;
    if (n >= csr::PMPCFG0 && n <= csr::PMPCFG15) {
        if (n & 1)
            return illegal(raw);
        const unsigned base = static_cast<unsigned>(n - csr::PMPCFG0) * 4;
        for (unsigned i = 0; i < 8; ++i) {
            if (m_pmpcfg[base + i] & 0x80)
                continue;  // locked entries ignore writes (§3.7.1.2)
            uint8_t cfg = static_cast<uint8_t>(v >> (8 * i)) & 0x9f;
            if ((cfg & 3) == 2)  // R=0, W=1 is reserved: treat as no permission change
                cfg &= static_cast<uint8_t>(~3u);
            m_pmpcfg[base + i] = cfg;
        }
        return true;
    }
    if (n >= csr::PMPADDR0 && n <= csr::PMPADDR63) {
        const auto i = static_cast<unsigned>(n - csr::PMPADDR0);
        if (!(m_pmpcfg[i] & 0x80))
            m_pmpaddr[i] = v & ((1ull << 54) - 1);
        return true;
    }
    return illegal(raw);
}

template <typename Env>
uint64_t Hart<Env>::debug_read_csr(uint16_t number)
{
    const Priv saved = m_priv;
    m_priv = Priv::Machine;
    uint64_t value = 0;
    const uint64_t saved_pc = m_pc;
    if (!csr_read(number, value, 0))
        value = 0;
    m_pc = saved_pc;
    m_priv = saved;
    return value;
}

template <typename Env>
void Hart<Env>::debug_write_csr(uint16_t number, uint64_t value)
{
    const Priv saved = m_priv;
    m_priv = Priv::Machine;
    (void)csr_write(number, value, 0);
    m_priv = saved;
    update_contexts();
}

// §3.3.2: MRET. Only in M-mode.
template <typename Env>
bool Hart<Env>::do_mret(uint32_t raw)
{
    if (m_priv != Priv::Machine)
        return illegal(raw);
    uint64_t s = m_mstatus;
    const auto mpp = static_cast<Priv>((s & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT);
    s = (s & ~MSTATUS_MIE) | ((s & MSTATUS_MPIE) ? MSTATUS_MIE : 0);
    s |= MSTATUS_MPIE;
    s &= ~MSTATUS_MPP;  // least-privileged mode: U
    if (mpp != Priv::Machine)
        s &= ~MSTATUS_MPRV;
    m_mstatus = s;
    m_pc = m_mepc;
    set_priv(mpp);
    update_interrupt_check();
    return true;
}

// §3.3.2 / §4.1.1: SRET. Illegal in U-mode, and in S-mode when mstatus.TSR=1.
template <typename Env>
bool Hart<Env>::do_sret(uint32_t raw)
{
    if (m_priv == Priv::User || (m_priv == Priv::Supervisor && (m_mstatus & MSTATUS_TSR)))
        return illegal(raw);
    uint64_t s = m_mstatus;
    const Priv spp = (s & MSTATUS_SPP) ? Priv::Supervisor : Priv::User;
    s = (s & ~MSTATUS_SIE) | ((s & MSTATUS_SPIE) ? MSTATUS_SIE : 0);
    s |= MSTATUS_SPIE;
    s &= ~MSTATUS_SPP;
    s &= ~MSTATUS_MPRV;  // the new mode is never M
    m_mstatus = s;
    m_pc = m_sepc;
    set_priv(spp);
    update_interrupt_check();
    return true;
}

}  // namespace vireo::riscv
