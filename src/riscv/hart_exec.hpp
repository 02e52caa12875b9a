// Hart<Env>: the interpreter. One switch over decoded operations; each case is the instruction's
// definition from the unprivileged spec. A case returns false when the instruction trapped (the
// trap has then already moved pc), true when it retired. Included by hart_impl.hpp only.
#pragma once

#include <bit>
#include <cstdio>

#include "base/bytes.hpp"
#include "riscv/alu.hpp"
#include "riscv/fpu.hpp"
#include "riscv/hart.hpp"

namespace vireo::riscv {


template <typename Env>
const Decoded& Hart<Env>::decode_cached(uint32_t raw)
{
    const uint32_t key = is_compressed(raw) ? (raw & 0xffff) : raw;
    // Indexed by pc, so neighbouring instructions use neighbouring lines (a hash of the bits
    // scattered them over the whole table and missed the host's L1); still validated by the bits.
    CacheLine& line = m_decode_cache[(m_pc >> 1) % kDecodeCacheSize];
    if (line.raw != key) [[unlikely]] {
        line.raw = key;
        line.decoded = decode(key);
    }
    return line.decoded;
}

template <typename Env>
RunResult Hart<Env>::run(uint64_t budget)
{
    if (m_engine == Engine::Jit)
        return run_jit(budget);
    return run_interp(budget);
}

template <typename Env>
inline void Hart<Env>::step()
{
    --m_budget_left;
    m_cycle += (m_mcountinhibit & 1) ? 0 : 1;
    if (m_interrupt_check) [[unlikely]] {
        if (check_interrupts())
            return;
    }
    uint32_t raw = 0;
    if (!fetch(raw)) [[unlikely]]
        return;
    const Decoded& d = decode_cached(raw);
    if (m_trace) [[unlikely]]
        std::fprintf(stderr, "core %lu: %d 0x%016lx (0x%08x) %s\n", static_cast<unsigned long>(m_hart_id),
                     static_cast<int>(m_priv), static_cast<unsigned long>(m_pc),
                     is_compressed(raw) ? (raw & 0xffff) : raw, op_name(d.op));
    if (execute(d, raw)) [[likely]] {
        if (!m_instret_written) [[likely]]
            m_instret += (m_mcountinhibit & 4) ? 0 : 1;
        else
            m_instret_written = false;
    }
}

template <typename Env>
RunResult Hart<Env>::run_interp(uint64_t budget)
{
    m_stop_requested = false;
    update_interrupt_check();
    m_budget_left = budget;
    while (m_budget_left > 0 && !m_stop_requested) {
        step();
        if (m_wfi) [[unlikely]] {
            m_wfi = false;
            return {StopReason::Wfi, budget - m_budget_left};
        }
    }
    return {m_stop_requested ? StopReason::Requested : StopReason::Budget, budget - m_budget_left};
}

template <typename Env>
bool Hart<Env>::execute(const Decoded& d, uint32_t raw)
{
    using namespace detail;
    auto& x = m_x;
    const uint64_t a = x[d.rs1];
    const uint64_t b = x[d.rs2];
    const auto imm = static_cast<uint64_t>(static_cast<int64_t>(d.imm));
    uint64_t result = 0;

#define WRITE_RD(value)             \
    do {                            \
        result = (value);           \
        if (d.rd) x[d.rd] = result; \
    } while (0)
#define NEXT()          \
    do {                \
        m_pc += d.len;  \
        return true;    \
    } while (0)
#define LOAD(type, conv)                  \
    do {                                  \
        type v;                           \
        if (!load<type>(a + imm, v))      \
            return false;                 \
        WRITE_RD(conv(v));                \
        NEXT();                           \
    } while (0)
#define STORE(type)                                        \
    do {                                                   \
        if (!store<type>(a + imm, static_cast<type>(b)))   \
            return false;                                  \
        NEXT();                                            \
    } while (0)
#define BRANCH(cond)                                                    \
    do {                                                                \
        if (cond) m_pc += imm; else m_pc += d.len;                      \
        return true;                                                    \
    } while (0)

    switch (d.op) {
    case Op::ILLEGAL: return illegal(raw);
    case Op::LUI: WRITE_RD(imm); NEXT();
    case Op::AUIPC: WRITE_RD(m_pc + imm); NEXT();
    case Op::JAL: {
        const uint64_t link = m_pc + d.len;
        m_pc += imm;
        if (d.rd) x[d.rd] = link;
        return true;
    }
    case Op::JALR: {
        const uint64_t link = m_pc + d.len;
        m_pc = (a + imm) & ~1ull;
        if (d.rd) x[d.rd] = link;
        return true;
    }
    case Op::BEQ: BRANCH(a == b);
    case Op::BNE: BRANCH(a != b);
    case Op::BLT: BRANCH(s64(a) < s64(b));
    case Op::BGE: BRANCH(s64(a) >= s64(b));
    case Op::BLTU: BRANCH(a < b);
    case Op::BGEU: BRANCH(a >= b);
    case Op::LB: LOAD(int8_t, static_cast<uint64_t>);
    case Op::LH: LOAD(int16_t, static_cast<uint64_t>);
    case Op::LW: LOAD(int32_t, static_cast<uint64_t>);
    case Op::LD: LOAD(uint64_t, static_cast<uint64_t>);
    case Op::LBU: LOAD(uint8_t, static_cast<uint64_t>);
    case Op::LHU: LOAD(uint16_t, static_cast<uint64_t>);
    case Op::LWU: LOAD(uint32_t, static_cast<uint64_t>);
    case Op::SB: STORE(uint8_t);
    case Op::SH: STORE(uint16_t);
    case Op::SW: STORE(uint32_t);
    case Op::SD: STORE(uint64_t);
    case Op::ADDI: WRITE_RD(a + imm); NEXT();
    case Op::SLTI: WRITE_RD(s64(a) < s64(imm) ? 1 : 0); NEXT();
    case Op::SLTIU: WRITE_RD(a < imm ? 1 : 0); NEXT();
    case Op::XORI: WRITE_RD(a ^ imm); NEXT();
    case Op::ORI: WRITE_RD(a | imm); NEXT();
    case Op::ANDI: WRITE_RD(a & imm); NEXT();
    case Op::SLLI: WRITE_RD(a << (imm & 63)); NEXT();
    case Op::SRLI: WRITE_RD(a >> (imm & 63)); NEXT();
    case Op::SRAI: WRITE_RD(u64(s64(a) >> (imm & 63))); NEXT();
    case Op::ADD: WRITE_RD(a + b); NEXT();
    case Op::SUB: WRITE_RD(a - b); NEXT();
    case Op::SLL: WRITE_RD(a << (b & 63)); NEXT();
    case Op::SLT: WRITE_RD(s64(a) < s64(b) ? 1 : 0); NEXT();
    case Op::SLTU: WRITE_RD(a < b ? 1 : 0); NEXT();
    case Op::XOR: WRITE_RD(a ^ b); NEXT();
    case Op::SRL: WRITE_RD(a >> (b & 63)); NEXT();
    case Op::SRA: WRITE_RD(u64(s64(a) >> (b & 63))); NEXT();
    case Op::OR: WRITE_RD(a | b); NEXT();
    case Op::AND: WRITE_RD(a & b); NEXT();
    case Op::ADDIW: WRITE_RD(sext32(a + imm)); NEXT();
    case Op::SLLIW: WRITE_RD(sext32(a << (imm & 31))); NEXT();
    case Op::SRLIW: WRITE_RD(sext32(zext32(a) >> (imm & 31))); NEXT();
    case Op::SRAIW: WRITE_RD(u64(static_cast<int32_t>(a) >> (imm & 31))); NEXT();
    case Op::ADDW: WRITE_RD(sext32(a + b)); NEXT();
    case Op::SUBW: WRITE_RD(sext32(a - b)); NEXT();
    case Op::SLLW: WRITE_RD(sext32(a << (b & 31))); NEXT();
    case Op::SRLW: WRITE_RD(sext32(zext32(a) >> (b & 31))); NEXT();
    case Op::SRAW: WRITE_RD(u64(static_cast<int32_t>(a) >> (b & 31))); NEXT();
    case Op::FENCE: NEXT();
    case Op::FENCE_I:
        // Decoded instructions are cached by their bits and need nothing; translated code goes.
        flush_code();
        NEXT();
    case Op::ECALL:
        if constexpr (kPrivileged)
            return raise(static_cast<Exception>(static_cast<uint64_t>(Exception::EcallFromU) + static_cast<uint64_t>(m_priv)), 0);
        else
            return raise(Exception::EcallFromU, 0);
    case Op::EBREAK: return raise(Exception::Breakpoint, m_pc);
    case Op::MRET:
        if constexpr (!kPrivileged) return illegal(raw);
        else return do_mret(raw);
    case Op::SRET:
        if constexpr (!kPrivileged) return illegal(raw);
        else return do_sret(raw);
    case Op::WFI:
        // §3.3.3: WFI in U-mode, or in S-mode with TW=1, is illegal (our time limit is zero).
        if (!kPrivileged || m_priv == Priv::User || (m_priv == Priv::Supervisor && (m_mstatus & MSTATUS_TW)))
            return illegal(raw);
        m_pc += d.len;
        if (!wakeup_pending())
            m_wfi = true;
        return true;
    case Op::SFENCE_VMA:
        if (!kPrivileged || m_priv == Priv::User || (m_priv == Priv::Supervisor && (m_mstatus & MSTATUS_TVM)))
            return illegal(raw);
        sfence_vma(d.rs1 ? std::optional<uint64_t>(m_x[d.rs1]) : std::nullopt);
        NEXT();
    case Op::CSRRW:
    case Op::CSRRWI: {
        const auto number = static_cast<uint16_t>(d.imm & 0xfff);
        const uint64_t source = d.op == Op::CSRRW ? a : d.rs1;
        uint64_t old = 0;
        if (!csr_accessible(number, true))
            return illegal(raw);
        if (d.rd && !csr_read(number, old, raw))
            return false;
        if (!csr_write(number, source, raw))
            return false;
        WRITE_RD(old);
        NEXT();
    }
    case Op::CSRRS:
    case Op::CSRRC:
    case Op::CSRRSI:
    case Op::CSRRCI: {
        const auto number = static_cast<uint16_t>(d.imm & 0xfff);
        const bool immediate = d.op == Op::CSRRSI || d.op == Op::CSRRCI;
        const uint64_t mask = immediate ? d.rs1 : a;
        const bool writes = d.rs1 != 0;  // rs1=x0 or zimm=0: no write, no write side effects (§9.1)
        if (writes && !csr_accessible(number, true))
            return illegal(raw);
        uint64_t old = 0;
        if (!csr_read(number, old, raw))
            return false;
        if (writes) {
            const bool set = d.op == Op::CSRRS || d.op == Op::CSRRSI;
            // Privileged 1.12 §3.1.9: the read-modify-write of mip uses only the software-writable
            // SEIP, never the interrupt controller's line, or a set/clear of another bit would
            // latch the line into the software bit (an interrupt storm once the line drops).
            uint64_t base = old;
            if constexpr (kPrivileged)
                if (number == csr::MIP)
                    base = m_mip;
            if (!csr_write(number, set ? (base | mask) : (base & ~mask), raw))
                return false;
        }
        WRITE_RD(old);
        NEXT();
    }
    case Op::MUL: WRITE_RD(a * b); NEXT();
    case Op::MULH: WRITE_RD(mulh(a, b)); NEXT();
    case Op::MULHSU: WRITE_RD(mulhsu(a, b)); NEXT();
    case Op::MULHU: WRITE_RD(mulhu(a, b)); NEXT();
    case Op::DIV: WRITE_RD(div64(a, b)); NEXT();
    case Op::DIVU: WRITE_RD(b == 0 ? ~0ull : a / b); NEXT();
    case Op::REM: WRITE_RD(rem64(a, b)); NEXT();
    case Op::REMU: WRITE_RD(b == 0 ? a : a % b); NEXT();
    case Op::MULW: WRITE_RD(sext32(a * b)); NEXT();
    case Op::DIVW: WRITE_RD(div32(a, b)); NEXT();
    case Op::DIVUW: WRITE_RD(divu32(a, b)); NEXT();
    case Op::REMW: WRITE_RD(rem32(a, b)); NEXT();
    case Op::REMUW: WRITE_RD(remu32(a, b)); NEXT();
    case Op::ADD_UW: WRITE_RD(b + zext32(a)); NEXT();
    case Op::SH1ADD: WRITE_RD(b + (a << 1)); NEXT();
    case Op::SH2ADD: WRITE_RD(b + (a << 2)); NEXT();
    case Op::SH3ADD: WRITE_RD(b + (a << 3)); NEXT();
    case Op::SH1ADD_UW: WRITE_RD(b + (zext32(a) << 1)); NEXT();
    case Op::SH2ADD_UW: WRITE_RD(b + (zext32(a) << 2)); NEXT();
    case Op::SH3ADD_UW: WRITE_RD(b + (zext32(a) << 3)); NEXT();
    case Op::SLLI_UW: WRITE_RD(zext32(a) << (imm & 63)); NEXT();
    case Op::ANDN: WRITE_RD(a & ~b); NEXT();
    case Op::ORN: WRITE_RD(a | ~b); NEXT();
    case Op::XNOR: WRITE_RD(~(a ^ b)); NEXT();
    case Op::CLZ: WRITE_RD(static_cast<uint64_t>(std::countl_zero(a))); NEXT();
    case Op::CLZW: WRITE_RD(static_cast<uint64_t>(std::countl_zero(static_cast<uint32_t>(a)))); NEXT();
    case Op::CTZ: WRITE_RD(static_cast<uint64_t>(std::countr_zero(a))); NEXT();
    case Op::CTZW: WRITE_RD(static_cast<uint64_t>(std::countr_zero(static_cast<uint32_t>(a)))); NEXT();
    case Op::CPOP: WRITE_RD(static_cast<uint64_t>(std::popcount(a))); NEXT();
    case Op::CPOPW: WRITE_RD(static_cast<uint64_t>(std::popcount(static_cast<uint32_t>(a)))); NEXT();
    case Op::MAX: WRITE_RD(s64(a) > s64(b) ? a : b); NEXT();
    case Op::MAXU: WRITE_RD(a > b ? a : b); NEXT();
    case Op::MIN: WRITE_RD(s64(a) < s64(b) ? a : b); NEXT();
    case Op::MINU: WRITE_RD(a < b ? a : b); NEXT();
    case Op::SEXT_B: WRITE_RD(u64(static_cast<int8_t>(a))); NEXT();
    case Op::SEXT_H: WRITE_RD(u64(static_cast<int16_t>(a))); NEXT();
    case Op::ZEXT_H: WRITE_RD(a & 0xffff); NEXT();
    case Op::ROL: WRITE_RD(std::rotl(a, static_cast<int>(b & 63))); NEXT();
    case Op::ROLW: WRITE_RD(sext32(std::rotl(static_cast<uint32_t>(a), static_cast<int>(b & 31)))); NEXT();
    case Op::ROR: WRITE_RD(std::rotr(a, static_cast<int>(b & 63))); NEXT();
    case Op::RORI: WRITE_RD(std::rotr(a, static_cast<int>(imm & 63))); NEXT();
    case Op::RORIW: WRITE_RD(sext32(std::rotr(static_cast<uint32_t>(a), static_cast<int>(imm & 31)))); NEXT();
    case Op::RORW: WRITE_RD(sext32(std::rotr(static_cast<uint32_t>(a), static_cast<int>(b & 31)))); NEXT();
    case Op::ORC_B: WRITE_RD(orc_b(a)); NEXT();
    case Op::REV8: WRITE_RD(__builtin_bswap64(a)); NEXT();
    case Op::BCLR: WRITE_RD(a & ~(1ull << (b & 63))); NEXT();
    case Op::BCLRI: WRITE_RD(a & ~(1ull << (imm & 63))); NEXT();
    case Op::BEXT: WRITE_RD((a >> (b & 63)) & 1); NEXT();
    case Op::BEXTI: WRITE_RD((a >> (imm & 63)) & 1); NEXT();
    case Op::BINV: WRITE_RD(a ^ (1ull << (b & 63))); NEXT();
    case Op::BINVI: WRITE_RD(a ^ (1ull << (imm & 63))); NEXT();
    case Op::BSET: WRITE_RD(a | (1ull << (b & 63))); NEXT();
    case Op::BSETI: WRITE_RD(a | (1ull << (imm & 63))); NEXT();
    default: break;
    }
    if (d.op >= Op::LR_W && d.op <= Op::AMOCAS_Q)
        return execute_amo(d, raw);
    return execute_fp(d, raw);
#undef LOAD
#undef STORE
#undef BRANCH
#undef NEXT
#undef WRITE_RD
}

// The A extension (unprivileged spec chapter 8). One hart runs at a time, so a read-modify-write
// on host memory is atomic with respect to the guest.
template <typename Env>
bool Hart<Env>::execute_amo(const Decoded& d, uint32_t raw)
{
    (void)raw;
    using namespace detail;
    const uint64_t addr = m_x[d.rs1];
    const uint64_t src = m_x[d.rs2];
    if (d.op == Op::AMOCAS_W || d.op == Op::AMOCAS_D || d.op == Op::AMOCAS_Q)
        return execute_amocas(d);
    const bool dword = d.op >= Op::LR_D;
    const unsigned size = dword ? 8 : 4;
    auto finish = [&](uint64_t value) {
        if (d.rd) m_x[d.rd] = value;
        m_pc += d.len;
        return true;
    };

    if (d.op == Op::LR_W || d.op == Op::LR_D) {
        if (addr & (size - 1))
            return raise(Exception::LoadMisaligned, addr);
        uint64_t value = 0;
        if (dword) {
            if (!load<uint64_t>(addr, value)) return false;
        } else {
            int32_t w = 0;
            if (!load<int32_t>(addr, w)) return false;
            value = static_cast<uint64_t>(static_cast<int64_t>(w));
        }
        m_reservation = addr;
        m_reservation_valid = true;
        return finish(value);
    }
    if (addr & (size - 1))
        return raise(Exception::StoreMisaligned, addr);
    if (d.op == Op::SC_W || d.op == Op::SC_D) {
        const bool ok = m_reservation_valid && m_reservation == addr;
        m_reservation_valid = false;
        if (!ok)
            return finish(1);
        const bool stored = dword ? store<uint64_t>(addr, src) : store<uint32_t>(addr, static_cast<uint32_t>(src));
        if (!stored)
            return false;
        return finish(0);
    }

    TlbEntry* e = nullptr;
    if (!translate(addr, Access::Write, e))
        return false;
    const uint64_t paddr = e->paddr_page | (addr & 0xfff);
    uint64_t old = 0;
    if (e->host) {
        old = dword ? load_le<uint64_t>(e->host + (addr & 0xfff)) : sext32(load_le<uint32_t>(e->host + (addr & 0xfff)));
    } else {
        if (!phys_read(paddr, size, old, Access::Write))
            return raise(Exception::StoreAccessFault, addr);
        if (!dword) old = sext32(old);
    }
    uint64_t value = 0;
    const uint64_t s = dword ? src : sext32(src);
    switch (d.op) {
    case Op::AMOSWAP_W: case Op::AMOSWAP_D: value = s; break;
    case Op::AMOADD_W: case Op::AMOADD_D: value = old + s; break;
    case Op::AMOXOR_W: case Op::AMOXOR_D: value = old ^ s; break;
    case Op::AMOAND_W: case Op::AMOAND_D: value = old & s; break;
    case Op::AMOOR_W: case Op::AMOOR_D: value = old | s; break;
    case Op::AMOMIN_W: case Op::AMOMIN_D: value = s64(old) < s64(s) ? old : s; break;
    case Op::AMOMAX_W: case Op::AMOMAX_D: value = s64(old) > s64(s) ? old : s; break;
    case Op::AMOMINU_W: case Op::AMOMINU_D:
        value = (dword ? old < s : zext32(old) < zext32(s)) ? old : s;
        break;
    case Op::AMOMAXU_W: case Op::AMOMAXU_D:
        value = (dword ? old > s : zext32(old) > zext32(s)) ? old : s;
        break;
    default: return illegal(raw);
    }
    if (e->host) {
        if (dword) store_le<uint64_t>(e->host + (addr & 0xfff), value);
        else store_le<uint32_t>(e->host + (addr & 0xfff), static_cast<uint32_t>(value));
    } else if (!phys_write(paddr, size, dword ? value : zext32(value))) {
        return raise(Exception::StoreAccessFault, addr);
    }
    return finish(old);
}

// Zacas 1.0 (atomic compare-and-swap): rd holds the expected value and receives the old one;
// the swap value comes from rs2. AMOCAS.Q works on 128 bits in even register pairs (low half in
// the even register); the x0 pair reads as zero and is not written. The access is a store for
// permissions and faults whether or not the comparison succeeds; it must be naturally aligned.
template <typename Env>
bool Hart<Env>::execute_amocas(const Decoded& d)
{
    const uint64_t addr = m_x[d.rs1];
    const unsigned size = d.op == Op::AMOCAS_W ? 4 : d.op == Op::AMOCAS_D ? 8 : 16;
    if (addr & (size - 1))
        return raise(Exception::StoreMisaligned, addr);
    TlbEntry* e = nullptr;
    if (!translate(addr, Access::Write, e))
        return false;
    const uint64_t paddr = e->paddr_page | (addr & 0xfff);
    auto pair = [&](unsigned r, unsigned half) { return r == 0 ? 0 : m_x[(r + half) & 31]; };
    uint64_t old[2] = {0, 0};
    const unsigned words = size == 16 ? 2 : 1;
    const unsigned word_size = size == 16 ? 8 : size;
    for (unsigned i = 0; i < words; ++i) {
        if (e->host) {
            old[i] = word_size == 4 ? load_le<uint32_t>(e->host + (addr & 0xfff))
                                    : load_le<uint64_t>(e->host + (addr & 0xfff) + 8 * i);
        } else if (!phys_read(paddr + 8 * i, word_size, old[i], Access::Write)) {
            return raise(Exception::StoreAccessFault, addr);
        }
    }
    const uint64_t mask = word_size == 4 ? 0xffffffffull : ~0ull;
    bool equal = (old[0] & mask) == (pair(d.rd, 0) & mask);
    if (words == 2)
        equal = equal && old[1] == pair(d.rd, 1);
    if (equal) {
        for (unsigned i = 0; i < words; ++i) {
            const uint64_t value = pair(d.rs2, i) & mask;
            if (e->host) {
                if (word_size == 4) store_le<uint32_t>(e->host + (addr & 0xfff), static_cast<uint32_t>(value));
                else store_le<uint64_t>(e->host + (addr & 0xfff) + 8 * i, value);
            } else if (!phys_write(paddr + 8 * i, word_size, value)) {
                return raise(Exception::StoreAccessFault, addr);
            }
        }
    }
    if (d.rd) {
        m_x[d.rd] = word_size == 4 ? detail::sext32(old[0]) : old[0];
        if (words == 2)
            m_x[(d.rd + 1) & 31] = old[1];
    }
    m_pc += d.len;
    return true;
}

// The F and D extensions (unprivileged spec chapters 11 and 12). Arithmetic is in fpu.cpp.
template <typename Env>
bool Hart<Env>::execute_fp(const Decoded& d, uint32_t raw)
{
    using namespace detail;
    if (!fp_enabled())
        return illegal(raw);  // mstatus.FS = Off (§3.1.6.6)
    // Dynamic rounding (rm = 7) uses frm; an frm value of 5-7 makes the instruction illegal (§11.2).
    const uint8_t rm_field = d.rm == 7 ? m_frm : d.rm;
    const auto rm = static_cast<fpu::Rounding>(rm_field);
    const bool rm_valid = rm_field <= 4;
    uint32_t flags = 0;
    const uint64_t a = m_x[d.rs1];
    const unsigned rd = d.rd, r1 = d.rs1, r2 = d.rs2, r3 = d.rs3;
    constexpr uint32_t S_SIGN = 0x80000000u;
    constexpr uint64_t D_SIGN = 0x8000000000000000ull;
    auto set_x = [&](uint64_t v) { if (rd) m_x[rd] = v; };
#define NEED_RM() do { if (!rm_valid) return illegal(raw); } while (0)

    switch (d.op) {
    case Op::FLW: {
        uint32_t v = 0;
        if (!load<uint32_t>(a + static_cast<uint64_t>(static_cast<int64_t>(d.imm)), v)) return false;
        set_f32(rd, v);
        break;
    }
    case Op::FLD: {
        uint64_t v = 0;
        if (!load<uint64_t>(a + static_cast<uint64_t>(static_cast<int64_t>(d.imm)), v)) return false;
        set_f64(rd, v);
        break;
    }
    case Op::FSW:
        if (!store<uint32_t>(a + static_cast<uint64_t>(static_cast<int64_t>(d.imm)), static_cast<uint32_t>(m_f[r2]))) return false;
        break;
    case Op::FSD:
        if (!store<uint64_t>(a + static_cast<uint64_t>(static_cast<int64_t>(d.imm)), m_f[r2])) return false;
        break;

    // fmsub/fnmsub/fnmadd are fma with negated operands: -(a*b)-c == (-a)*b + (-c) exactly.
    case Op::FMADD_S: NEED_RM(); set_f32(rd, fpu::f32_fma(f32(r1), f32(r2), f32(r3), rm, flags)); break;
    case Op::FMSUB_S: NEED_RM(); set_f32(rd, fpu::f32_fma(f32(r1), f32(r2), f32(r3) ^ S_SIGN, rm, flags)); break;
    case Op::FNMSUB_S: NEED_RM(); set_f32(rd, fpu::f32_fma(f32(r1) ^ S_SIGN, f32(r2), f32(r3), rm, flags)); break;
    case Op::FNMADD_S: NEED_RM(); set_f32(rd, fpu::f32_fma(f32(r1) ^ S_SIGN, f32(r2), f32(r3) ^ S_SIGN, rm, flags)); break;
    case Op::FADD_S: NEED_RM(); set_f32(rd, fpu::f32_add(f32(r1), f32(r2), rm, flags)); break;
    case Op::FSUB_S: NEED_RM(); set_f32(rd, fpu::f32_sub(f32(r1), f32(r2), rm, flags)); break;
    case Op::FMUL_S: NEED_RM(); set_f32(rd, fpu::f32_mul(f32(r1), f32(r2), rm, flags)); break;
    case Op::FDIV_S: NEED_RM(); set_f32(rd, fpu::f32_div(f32(r1), f32(r2), rm, flags)); break;
    case Op::FSQRT_S: NEED_RM(); set_f32(rd, fpu::f32_sqrt(f32(r1), rm, flags)); break;
    case Op::FSGNJ_S: set_f32(rd, (f32(r1) & ~S_SIGN) | (f32(r2) & S_SIGN)); break;
    case Op::FSGNJN_S: set_f32(rd, (f32(r1) & ~S_SIGN) | (~f32(r2) & S_SIGN)); break;
    case Op::FSGNJX_S: set_f32(rd, f32(r1) ^ (f32(r2) & S_SIGN)); break;
    case Op::FMIN_S: set_f32(rd, fpu::f32_min(f32(r1), f32(r2), flags)); break;
    case Op::FMAX_S: set_f32(rd, fpu::f32_max(f32(r1), f32(r2), flags)); break;
    case Op::FCVT_W_S: NEED_RM(); set_x(sext32(static_cast<uint32_t>(fpu::f32_to_i32(f32(r1), rm, flags)))); break;
    case Op::FCVT_WU_S: NEED_RM(); set_x(sext32(fpu::f32_to_u32(f32(r1), rm, flags))); break;
    case Op::FCVT_L_S: NEED_RM(); set_x(u64(fpu::f32_to_i64(f32(r1), rm, flags))); break;
    case Op::FCVT_LU_S: NEED_RM(); set_x(fpu::f32_to_u64(f32(r1), rm, flags)); break;
    case Op::FMV_X_W: set_x(sext32(m_f[r1])); break;
    case Op::FEQ_S: set_x(fpu::f32_eq(f32(r1), f32(r2), flags)); break;
    case Op::FLT_S: set_x(fpu::f32_lt(f32(r1), f32(r2), flags)); break;
    case Op::FLE_S: set_x(fpu::f32_le(f32(r1), f32(r2), flags)); break;
    case Op::FCLASS_S: set_x(fpu::f32_classify(f32(r1))); break;
    case Op::FCVT_S_W: NEED_RM(); set_f32(rd, fpu::i32_to_f32(static_cast<int32_t>(a), rm, flags)); break;
    case Op::FCVT_S_WU: NEED_RM(); set_f32(rd, fpu::u32_to_f32(static_cast<uint32_t>(a), rm, flags)); break;
    case Op::FCVT_S_L: NEED_RM(); set_f32(rd, fpu::i64_to_f32(s64(a), rm, flags)); break;
    case Op::FCVT_S_LU: NEED_RM(); set_f32(rd, fpu::u64_to_f32(a, rm, flags)); break;
    case Op::FMV_W_X: set_f32(rd, static_cast<uint32_t>(a)); break;

    case Op::FMADD_D: NEED_RM(); set_f64(rd, fpu::f64_fma(m_f[r1], m_f[r2], m_f[r3], rm, flags)); break;
    case Op::FMSUB_D: NEED_RM(); set_f64(rd, fpu::f64_fma(m_f[r1], m_f[r2], m_f[r3] ^ D_SIGN, rm, flags)); break;
    case Op::FNMSUB_D: NEED_RM(); set_f64(rd, fpu::f64_fma(m_f[r1] ^ D_SIGN, m_f[r2], m_f[r3], rm, flags)); break;
    case Op::FNMADD_D: NEED_RM(); set_f64(rd, fpu::f64_fma(m_f[r1] ^ D_SIGN, m_f[r2], m_f[r3] ^ D_SIGN, rm, flags)); break;
    case Op::FADD_D: NEED_RM(); set_f64(rd, fpu::f64_add(m_f[r1], m_f[r2], rm, flags)); break;
    case Op::FSUB_D: NEED_RM(); set_f64(rd, fpu::f64_sub(m_f[r1], m_f[r2], rm, flags)); break;
    case Op::FMUL_D: NEED_RM(); set_f64(rd, fpu::f64_mul(m_f[r1], m_f[r2], rm, flags)); break;
    case Op::FDIV_D: NEED_RM(); set_f64(rd, fpu::f64_div(m_f[r1], m_f[r2], rm, flags)); break;
    case Op::FSQRT_D: NEED_RM(); set_f64(rd, fpu::f64_sqrt(m_f[r1], rm, flags)); break;
    case Op::FSGNJ_D: set_f64(rd, (m_f[r1] & ~D_SIGN) | (m_f[r2] & D_SIGN)); break;
    case Op::FSGNJN_D: set_f64(rd, (m_f[r1] & ~D_SIGN) | (~m_f[r2] & D_SIGN)); break;
    case Op::FSGNJX_D: set_f64(rd, m_f[r1] ^ (m_f[r2] & D_SIGN)); break;
    case Op::FMIN_D: set_f64(rd, fpu::f64_min(m_f[r1], m_f[r2], flags)); break;
    case Op::FMAX_D: set_f64(rd, fpu::f64_max(m_f[r1], m_f[r2], flags)); break;
    case Op::FCVT_W_D: NEED_RM(); set_x(sext32(static_cast<uint32_t>(fpu::f64_to_i32(m_f[r1], rm, flags)))); break;
    case Op::FCVT_WU_D: NEED_RM(); set_x(sext32(fpu::f64_to_u32(m_f[r1], rm, flags))); break;
    case Op::FCVT_L_D: NEED_RM(); set_x(u64(fpu::f64_to_i64(m_f[r1], rm, flags))); break;
    case Op::FCVT_LU_D: NEED_RM(); set_x(fpu::f64_to_u64(m_f[r1], rm, flags)); break;
    case Op::FMV_X_D: set_x(m_f[r1]); break;
    case Op::FEQ_D: set_x(fpu::f64_eq(m_f[r1], m_f[r2], flags)); break;
    case Op::FLT_D: set_x(fpu::f64_lt(m_f[r1], m_f[r2], flags)); break;
    case Op::FLE_D: set_x(fpu::f64_le(m_f[r1], m_f[r2], flags)); break;
    case Op::FCLASS_D: set_x(fpu::f64_classify(m_f[r1])); break;
    case Op::FCVT_D_W: NEED_RM(); set_f64(rd, fpu::i32_to_f64(static_cast<int32_t>(a), rm, flags)); break;
    case Op::FCVT_D_WU: NEED_RM(); set_f64(rd, fpu::u32_to_f64(static_cast<uint32_t>(a), rm, flags)); break;
    case Op::FCVT_D_L: NEED_RM(); set_f64(rd, fpu::i64_to_f64(s64(a), rm, flags)); break;
    case Op::FCVT_D_LU: NEED_RM(); set_f64(rd, fpu::u64_to_f64(a, rm, flags)); break;
    case Op::FMV_D_X: set_f64(rd, a); break;
    case Op::FCVT_S_D: NEED_RM(); set_f32(rd, fpu::f64_to_f32(m_f[r1], rm, flags)); break;
    case Op::FCVT_D_S: NEED_RM(); set_f64(rd, fpu::f32_to_f64(f32(r1), flags)); break;
    default: return illegal(raw);
    }
#undef NEED_RM
    if (flags) {
        m_fflags |= flags;
        mark_fp_dirty();
    }
    m_pc += d.len;
    return true;
}

}  // namespace vireo::riscv
