// The translator's code generation (see translator.hpp for how translated code behaves).
#include "riscv/jit/translator.hpp"

#include <signal.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <utility>
#include <vector>

#include <xbyak/xbyak.h>

#include "base/log.hpp"
#include "riscv/alu.hpp"
#include "riscv/csr.hpp"
#include "riscv/fpu.hpp"
#include "riscv/jit/fast_encoder.hpp"

namespace vireo::riscv::jit {

namespace {

constexpr size_t kCodeBytes = 64ull << 20;     // reserved, committed by the kernel as it is touched
constexpr size_t kHeadroom = 256ull << 10;      // more than the largest block can need
constexpr int32_t kRegBias = 128;               // rbx = &x[0] + 128, so every x[i] is a disp8

// Operations whose value is a pure function of (rs1 value, rs2 value or immediate), emitted as a call.
using PureFn = uint64_t (*)(uint64_t, uint64_t);
PureFn pure_function(Op op)
{
    using namespace detail;
    switch (op) {
    case Op::MULHSU: return [](uint64_t a, uint64_t b) -> uint64_t { return mulhsu(a, b); };
    case Op::DIV: return [](uint64_t a, uint64_t b) -> uint64_t { return div64(a, b); };
    case Op::DIVU: return [](uint64_t a, uint64_t b) -> uint64_t { return b == 0 ? ~0ull : a / b; };
    case Op::REM: return [](uint64_t a, uint64_t b) -> uint64_t { return rem64(a, b); };
    case Op::REMU: return [](uint64_t a, uint64_t b) -> uint64_t { return b == 0 ? a : a % b; };
    case Op::DIVW: return [](uint64_t a, uint64_t b) -> uint64_t { return div32(a, b); };
    case Op::DIVUW: return [](uint64_t a, uint64_t b) -> uint64_t { return divu32(a, b); };
    case Op::REMW: return [](uint64_t a, uint64_t b) -> uint64_t { return rem32(a, b); };
    case Op::REMUW: return [](uint64_t a, uint64_t b) -> uint64_t { return remu32(a, b); };
    case Op::CLZ: return [](uint64_t a, uint64_t) -> uint64_t { return static_cast<uint64_t>(std::countl_zero(a)); };
    case Op::CLZW: return [](uint64_t a, uint64_t) -> uint64_t { return static_cast<uint64_t>(std::countl_zero(static_cast<uint32_t>(a))); };
    case Op::CTZ: return [](uint64_t a, uint64_t) -> uint64_t { return static_cast<uint64_t>(std::countr_zero(a)); };
    case Op::CTZW: return [](uint64_t a, uint64_t) -> uint64_t { return static_cast<uint64_t>(std::countr_zero(static_cast<uint32_t>(a))); };
    case Op::CPOP: return [](uint64_t a, uint64_t) -> uint64_t { return static_cast<uint64_t>(std::popcount(a)); };
    case Op::CPOPW: return [](uint64_t a, uint64_t) -> uint64_t { return static_cast<uint64_t>(std::popcount(static_cast<uint32_t>(a))); };
    case Op::ORC_B: return [](uint64_t a, uint64_t) -> uint64_t { return orc_b(a); };
    case Op::BCLR: case Op::BCLRI: return [](uint64_t a, uint64_t b) -> uint64_t { return a & ~(1ull << (b & 63)); };
    case Op::BEXT: case Op::BEXTI: return [](uint64_t a, uint64_t b) -> uint64_t { return (a >> (b & 63)) & 1; };
    case Op::BINV: case Op::BINVI: return [](uint64_t a, uint64_t b) -> uint64_t { return a ^ (1ull << (b & 63)); };
    case Op::BSET: case Op::BSETI: return [](uint64_t a, uint64_t b) -> uint64_t { return a | (1ull << (b & 63)); };
    default: return nullptr;
    }
}

bool uses_immediate(Op op)
{
    return op == Op::BCLRI || op == Op::BEXTI || op == Op::BINVI || op == Op::BSETI;
}

// Operations Emitter::emit_alu translates inline (besides pure_function's, which it calls).
bool inline_alu(Op op)
{
    switch (op) {
    case Op::ADDI: case Op::XORI: case Op::ORI: case Op::ANDI:
    case Op::SLLI: case Op::SRLI: case Op::SRAI: case Op::RORI:
    case Op::ADDIW: case Op::SLLIW: case Op::SRLIW: case Op::SRAIW: case Op::RORIW:
    case Op::SLTI: case Op::SLTIU: case Op::SLLI_UW:
    case Op::ADD: case Op::SUB: case Op::SLL: case Op::SLT: case Op::SLTU: case Op::XOR:
    case Op::SRL: case Op::SRA: case Op::OR: case Op::AND:
    case Op::ADDW: case Op::SUBW: case Op::SLLW: case Op::SRLW: case Op::SRAW:
    case Op::MUL: case Op::MULH: case Op::MULHU: case Op::MULW:
    case Op::ADD_UW: case Op::SH1ADD: case Op::SH2ADD: case Op::SH3ADD:
    case Op::SH1ADD_UW: case Op::SH2ADD_UW: case Op::SH3ADD_UW:
    case Op::ANDN: case Op::ORN: case Op::XNOR: case Op::MAX: case Op::MAXU: case Op::MIN: case Op::MINU:
    case Op::SEXT_B: case Op::SEXT_H: case Op::ZEXT_H: case Op::ROL: case Op::ROLW: case Op::ROR:
    case Op::RORW: case Op::REV8:
        return true;
    default:
        return false;
    }
}

}  // namespace

bool ends_block(const Decoded& d, bool privileged)
{
    switch (d.op) {
    case Op::BEQ: case Op::BNE: case Op::BLT: case Op::BGE: case Op::BLTU: case Op::BGEU:
        return false;
    case Op::JAL: case Op::JALR:
    case Op::ILLEGAL: case Op::EBREAK: case Op::MRET: case Op::SRET: case Op::WFI:
    case Op::SFENCE_VMA: case Op::FENCE_I:
        return true;
    case Op::CSRRW: case Op::CSRRS: case Op::CSRRC: case Op::CSRRWI: case Op::CSRRSI: case Op::CSRRCI: {
        // Most CSR accesses (sstatus around every spinlock, sscratch, time) change nothing translated
        // code depends on: what they do to interrupts, the data TLB context or the counters, the
        // helper sees and leaves for. Those that change how code is fetched (satp, PMP) or what
        // translated code counts (mcountinhibit) end the block, so chaining's rule holds: a chain
        // never outlives a change of mapping.
        const auto number = static_cast<uint16_t>(d.imm & 0xfff);
        return number == csr::SATP || number == csr::MCOUNTINHIBIT ||
               (number >= csr::PMPCFG0 && number <= csr::PMPADDR63);
    }
    case Op::ECALL:
        return privileged;
    default:
        return false;
    }
}

bool selectable(Op op)
{
    // (MULH and MULHU are not: they use rdx)
    return op == Op::LUI || op == Op::AUIPC || (inline_alu(op) && op != Op::MULH && op != Op::MULHU);
}

Shadow select_shadow(std::span<const Instruction> code, size_t branch)
{
    const Decoded& d = code[branch].d;
    if (!is_conditional_branch(d.op) || d.imm <= static_cast<int32_t>(d.len))
        return {};
    const int64_t jumped = d.imm - d.len;   // the bytes between the branch and its target
    Shadow shadow;
    int64_t bytes = 0;
    for (size_t i = branch + 1; i < code.size() && bytes < jumped; ++i) {
        if (!shadow.add(code[i].d))
            return {};
        bytes += code[i].d.len;
    }
    return bytes == jumped ? shadow : Shadow();
}

bool BlockFormer::take(Instruction& in, uint64_t offset)
{
    const Decoded& d = in.d;
    if (m_select.open && (offset > m_select.target || !m_select.shadow.add(d)))
        m_select.open = false;   // its branch is one after all
    const bool followed = follows_call(in, offset);
    const bool ends = !followed && take_decoded(d, offset);
    if (!rd_is_offset(d.op) && d.rd) {   // (an FP destination counts too: it only makes the guesses fewer)
        m_written |= 1u << d.rd;
        if (d.rd == 1)
            m_return_at = followed ? static_cast<int64_t>(m_page_offset + offset) + d.len : -1;
    }
    return ends;
}

bool BlockFormer::follows_call(Instruction& in, uint64_t offset)
{
    const Decoded& d = in.d;
    if (!m_regs || m_calls == kMaxCalls || (m_branches == kMaxBranches && !m_select.open))
        return false;
    const int64_t here = static_cast<int64_t>(m_page_offset + offset);   // (offset may be "negative")
    int64_t target = -1;   // in the page
    if (d.op == Op::JAL && d.rd == 1) {
        target = here + d.imm;
    } else if (d.op == Op::JALR && d.rd == 0 && d.rs1 == 1 && m_return_at >= 0) {
        target = (m_return_at + d.imm) & ~int64_t{1};
    } else if (d.op == Op::JALR && d.rd == 1 && !((m_written >> d.rs1) & 1)) {
        const uint64_t to = (m_regs[d.rs1] + static_cast<uint64_t>(static_cast<int64_t>(d.imm))) & ~uint64_t{1};
        if ((to >> 12) == (m_page >> 12))
            target = static_cast<int64_t>(to & 0xfff);
    }
    if (target < 0 || target >= 4096 || target == static_cast<int64_t>(m_page_offset))   // (never to its start)
        return false;
    if (d.op == Op::JALR)
        in.follow = static_cast<int32_t>(target - here);
    ++m_calls;
    return true;
}

bool BlockFormer::take_decoded(const Decoded& d, uint64_t offset)
{
    if (d.op == Op::JAL && d.rd == 0 && m_jumps < kMaxJumps && !(m_branches == kMaxBranches && !m_select.open)) {
        const auto target = static_cast<int64_t>(m_page_offset + offset) + d.imm;
        if (target >= 0 && target < 4096 && offset + static_cast<uint64_t>(static_cast<int64_t>(d.imm)) != 0) {
            ++m_jumps;
            return false;
        }
    }
    if (!is_conditional_branch(d.op))
        return ends_block(d, m_privileged) || (m_branches == kMaxBranches && !m_select.open);
    if (m_branches == kMaxBranches)
        return true;   // after a shadow that turned out not to be one
    const bool forward = d.imm > 0;
    const uint64_t target = forward ? offset + static_cast<uint64_t>(d.imm) : ~0ull;
    m_targets[m_branches++] = target;
    m_select.open = forward && d.imm > static_cast<int32_t>(d.len) && d.imm <= static_cast<int32_t>(d.len + kMaxShadow * 4);
    m_select.target = target;
    m_select.shadow = Shadow();
    return m_branches == kMaxBranches && !m_select.open;
}

using namespace Xbyak::util;

class Emitter : public FastEncoder {
public:
    Emitter(size_t size, void* memory, const Layout& layout, const Translator::JumpSet* jumps,
            std::vector<std::pair<const uint8_t*, const uint8_t*>>& faults)
        : FastEncoder(size, memory), m_l(layout), m_jumps(jumps), m_faults(faults),
          m_inline_fp(!layout.privileged), m_host_fma(__builtin_cpu_supports("fma"))
    {
        for (unsigned i = 0; i < 32; ++i) {
            m_mem64[i] = std::make_unique<Xbyak::Address>(qword[rbx + reg_disp(i)]);
            m_mem32[i] = std::make_unique<Xbyak::Address>(dword[rbx + reg_disp(i)]);
            m_mem16[i] = std::make_unique<Xbyak::Address>(word[rbx + reg_disp(i)]);
            m_mem8[i] = std::make_unique<Xbyak::Address>(byte[rbx + reg_disp(i)]);
        }
        for (const auto& [guest, host] : kMapped)
            map_guest(guest, host);
    }

    // enter(hart, regs, entry): saves the host's callee-saved registers, sets up rbx and jumps
    // into translated code; `exit` undoes it and returns to the dispatcher.
    void emit_trampoline(const void*& enter, const void*& exit)
    {
        emit_fp_constants();
        align(16);
        enter = getCurr();
        push(rbx); push(rbp); push(r12); push(r13); push(r14); push(r15);
        sub(rsp, 8);
        lea(rbx, ptr[rsi + kRegBias]);
        if (m_inline_fp) {   // the host's MXCSR is kept at [rsp]; translated code runs with kGuestMxcsr
            stmxcsr(dword[rsp]);
            ldmxcsr(dword[rip + m_guest_mxcsr]);
        }
        fill();
        jmp(rdx);
        // Two ways out: exit_sync stores the guest registers that live in host registers; exit
        // (after a helper that left) does not, because memory then holds the truth.
        align(16);
        m_exit_sync = getCurr();
        spill();
        align(16);
        exit = getCurr();
        m_exit = exit;
        if (m_inline_fp) {
            fold_fp_flags(dword[rsp + 4], rcx);
            ldmxcsr(dword[rsp]);
        }
        add(rsp, 8);
        pop(r15); pop(r14); pop(r13); pop(r12); pop(rbp); pop(rbx);
        ret();
        if (m_l.flat_base) {
            align(8);
            m_flat_mask = getCurr();
            dq(m_l.flat_mask);
        }
        if (!m_l.chain_across_pages)
            emit_paged_lookup();
        else
            emit_second_way();
        emit_helper_thunks();
    }

    // The calls of the hart's helpers, shared by every block so that a block's cold paths stay
    // small (less code to emit, less to cache): each stores the guest registers that live in host
    // registers, calls the helper with the hart and the arguments the caller left in rsi, rdx, rcx
    // and rdi (rdi standing for r8, which holds a guest register until the spill), loads them back
    // and returns the helper's status in eax.
    void emit_helper_thunks()
    {
        auto thunk = [&](const void* fn, bool fourth_argument) {
            align(16);
            const void* at = getCurr();
            spill();
            if (fourth_argument)
                mov(r8, rdi);
            lea(rdi, ptr[field(m_l.hart)]);
            sub(rsp, 8);   // entered with rsp 8 off the 16-byte alignment the call needs
            // The helper may read or write fflags (an interpreted instruction, a guest signal's
            // frame): the flags inline FP code raised go there first, and whatever the call leaves
            // in MXCSR is dropped after it.
            if (m_inline_fp)
                fold_fp_flags(dword[rsp], r9);
            call_fn(fn);
            if (m_inline_fp)
                ldmxcsr(dword[rip + m_guest_mxcsr]);
            add(rsp, 8);
            fill();
            ret();
            return at;
        };
        for (size_t i = 0; i < m_l.load.size(); ++i)
            m_load_thunk[i] = thunk(reinterpret_cast<const void*>(m_l.load[i]), false);
        for (size_t i = 0; i < m_l.store.size(); ++i)
            m_store_thunk[i] = thunk(reinterpret_cast<const void*>(m_l.store[i]), true);
        for (size_t i = 0; i < m_l.fp_load.size(); ++i)
            m_fp_load_thunk[i] = thunk(reinterpret_cast<const void*>(m_l.fp_load[i]), false);
        m_exec_thunk = thunk(reinterpret_cast<const void*>(m_l.exec_one), true);
    }

    // Paged memory: jumps to the pc in rax go through here. The fetch TLB gives the target's
    // physical address (a miss, or a page of device memory, leaves to the dispatcher, which walks
    // the page table), and the jump table the block for that (virtual, physical) pair. Everything
    // else about entering the block (budget, pending interrupts) is as for a chained jump: the
    // helpers that can change it leave instead of continuing.
    void emit_paged_lookup()
    {
        static_assert(kTlbEntrySize == 32);
        Xbyak::Label miss;
        align(16);
        m_lookup = getCurr();
        mov(rcx, rax);
        shr(rcx, 12);                                 // the virtual page number
        mov(edx, ecx);
        and_(edx, kTlbEntries - 1);
        shl(edx, 5);
        add(rdx, qword[field(m_l.itlb)]);
        cmp(rcx, qword[rdx + kTlbTagOffset]);
        jne(miss, T_NEAR);
        cmp(qword[rdx + kTlbHostOffset], 0);
        je(miss, T_NEAR);
        mov(esi, eax);
        and_(esi, 0xfff);
        or_(rsi, qword[rdx + kTlbPaddrOffset]);       // the physical address
        jump_entry_to_rdx();
        for (const size_t way : {0u, 1u}) {
            Xbyak::Label next;
            const size_t at = way * sizeof(Translator::JumpEntry);
            cmp(rax, qword[rdx + at]);
            jne(next, T_NEAR);
            cmp(rsi, qword[rdx + at + offsetof(Translator::JumpEntry, paddr)]);
            jne(next, T_NEAR);
            jmp(qword[rdx + at + offsetof(Translator::JumpEntry, entry)]);
            L(next);
        }
        L(miss);
        mov(qword[field(m_l.pc)], rax);
        jmp(m_exit_sync, T_NEAR);
    }

    // Flat memory: an indirect jump whose target (rax) is not its set's (rdx) first way comes here
    // (see exit_indirect()).
    void emit_second_way()
    {
        align(16);
        m_second_way = getCurr();
        constexpr size_t second = sizeof(Translator::JumpEntry);
        cmp(rax, qword[rdx + second]);
        const uint8_t* miss = jcc_forward(kJne);
        jmp(qword[rdx + second + offsetof(Translator::JumpEntry, entry)]);
        patch_rel32(miss, getCurr());
        mov(qword[field(m_l.pc)], rax);
        jmp(m_exit_sync, T_NEAR);
    }

    // After emit_block(): where a block with the same plan enters the block, and the plan.
    const void* borrowing_entry() const { return m_loop_head; }
    uint64_t plan() const { return m_plan; }
    // The block's code; `loop`: the loop of its page it lies on, if any (flat memory).
    // `plan`: a call variant's, its caller's (see CallContext), in place of its own.
    const void* emit_block(uint64_t vpc, uint64_t paddr, std::span<const Instruction> code, const LoopRegisters* loop,
                           uint64_t plan = 0)
    {
        m_cold.clear();
        m_cold_helpers.clear();
        m_side_exits.clear();
        m_other_targets.clear();
        m_missed_calls.clear();
        m_vpc0 = vpc;
        m_paddr0 = paddr;
        align(16);
        m_entry = getCurr();
        if (plan)
            take_plan(plan);
        else
            plan_borrows(vpc, code, loop);
        borrow();
        m_loop_head = getCurr();
        // The whole block is paid for at entry (one check: sub and jb, a single fused operation);
        // a helper that leaves early gives the rest back, and so does a conditional branch in the
        // middle of the block just before it, taking it again when it falls through, so that its
        // taken side has paid exactly for what ran and can be chained straight to its target.
        // (Paying after each branch instead, with a check, made corelike's list sort, a loop
        // through a few superblocks, 18% slower: branches cost even when never taken.)
        m_count = static_cast<unsigned>(code.size());
        sub(kBudget, m_count);
        m_no_budget = jcc_forward(kJb);

        m_code = code;
        m_index = 0;
        m_base_reg = 0;
        m_next_in_rax = 0;
        m_fp_dirty = false;
        m_select = {};
        uint64_t pc = vpc;
        bool ended = false;
        for (const Instruction& in : code) {
            m_pc = pc;
            m_in_rax = std::exchange(m_next_in_rax, 0);
            ended = emit(in);
            if (m_select.shadow.count() && m_index == m_select.last)
                end_select();
            pc = next_in_block(in, pc, m_index + 1 == m_count);
            ++m_index;
        }
        if (!ended)
            exit_direct(pc);   // the block stopped at its size limit or the page's end
        patch_rel32(m_no_budget, getCurr());
        add(kBudget, m_count);
        unborrow_code();
        mov(rax, vpc);
        mov(qword[field(m_l.pc)], rax);
        jmp(m_exit_sync, T_NEAR);
        for (const SideExit& side : m_side_exits) {
            if (m_borrows.empty()) {
                exit_stub(side.jump, side.target);
                continue;
            }
            // The branch itself goes straight to a block with the same plan (link()); to any
            // other, through the moves back to the usual mapping.
            const uint8_t* unborrowing = getCurr();
            patch_rel32(side.jump, unborrowing);
            unborrow_code();
            db(0xE9); dd(0);
            exit_stub(getCurr() - 4, side.target, m_plan ? side.jump : nullptr, unborrowing);
        }
        m_side_exits.clear();
        for (const uint8_t* jump : m_other_targets) {
            patch_rel32(jump, getCurr());
            exit_indirect();
        }
        m_other_targets.clear();
        for (const MissedCall& call : m_missed_calls)
            call_missed(call);
        m_missed_calls.clear();
        for (ColdAccess& cold : m_cold)
            emit_cold(cold);
        m_cold.clear();
        for (ColdHelper& cold : m_cold_helpers)
            emit_cold_helper(cold);
        m_cold_helpers.clear();
        use_mapping(false);
        m_borrows.clear();
        return m_entry;
    }

private:
    // The slow paths of the block's loads and stores: where the inline lookup's jump to it is to be
    // patched, and where it goes back to.
    struct ColdAccess {
        const uint8_t* slow_field = nullptr;
        const uint8_t* done = nullptr;
        uint64_t pc = 0, info = 0;
        const void* thunk = nullptr;
        const uint8_t* fault_at = nullptr;   // a guarded access: the instruction that may fault
        bool store = false, fp = false;   // fp: the stored value is FP register rs2
        bool guarded = false;
        unsigned rs2 = 0;
        unsigned base = 0;        // a guarded access through rdi: its base register and offset
        int32_t imm = 0;
        unsigned keep_base = 0;   // m_base_reg after the access, to set rdi for again
        bool add_base = false;    // the access went to [rdi + rdx + imm]: rdi += rdx after it
        unsigned in_rax = 0;      // a load whose value the hot path leaves in rax too (m_in_rax)
    };

    // A taken conditional branch (a superblock's, in the middle: the block goes on with the
    // instructions after it; or the block's last): the rel32 field of its jump, and where it goes.
    // Its stub comes after the block's code.
    struct SideExit {
        const uint8_t* jump = nullptr;
        uint64_t target = 0;
    };
    std::vector<SideExit> m_side_exits;
    // Followed JALRs' jumps taken for a target other than the expected one (to exit_indirect());
    // those of calls in a block with a plan, with the return address (to call_missed()).
    std::vector<const uint8_t*> m_other_targets;
    struct MissedCall {
        const uint8_t* jump = nullptr;
        uint64_t returns_to = 0;
    };
    std::vector<MissedCall> m_missed_calls;
    // A memory-kept register the previous instruction loaded, whose value rax still holds when
    // this one starts (m_in_rax; 0: none): compare() takes it from there.
    unsigned m_in_rax = 0, m_next_in_rax = 0;
    const uint8_t* m_no_budget = nullptr;   // the rel32 field of the entry's jump without budget
    std::span<const Instruction> m_code;   // the block's instructions

    // A select (see Shadow): rsi and rdi keep the registers its shadow writes, dl whether its
    // branch is taken; after the shadow, a taken branch puts them back and gives its instructions
    // back to the budget.
    struct Select {
        Shadow shadow;        // (empty: no select under way)
        unsigned last = 0;    // the index of the shadow's last instruction
    } m_select;

    void begin_select(const Decoded& branch, const Shadow& shadow)
    {
        m_select = {shadow, m_index + shadow.count()};
        m_base_reg = 0;   // rdi is taken
        const std::span<const uint8_t> written = shadow.written();
        for (size_t i = 0; i < written.size(); ++i)
            mov(i ? rdi : rsi, x(written[i]));
        compare(branch.rs1, branch.rs2);
        switch (branch.op) {
        case Op::BEQ: sete(dl); break;
        case Op::BNE: setne(dl); break;
        case Op::BLT: setl(dl); break;
        case Op::BGE: setge(dl); break;
        case Op::BLTU: setb(dl); break;
        default: setae(dl); break;
        }
    }
    void end_select()
    {
        test(dl, dl);
        const std::span<const uint8_t> written = m_select.shadow.written();
        for (size_t i = 0; i < written.size(); ++i) {
            const Xbyak::Reg64& saved = i ? rdi : rsi;
            if (m_host64[written[i]]) {
                cmovnz(*m_host64[written[i]], saved);
            } else {
                mov(rax, x(written[i]));
                cmovnz(rax, saved);
                mov(x(written[i]), rax);
            }
        }
        movzx(edx, dl);
        if (m_select.shadow.count() > 1)
            imul(edx, edx, static_cast<int>(m_select.shadow.count()));
        add(kBudget, rdx);
        m_select = {};
    }
    const uint8_t* m_entry = nullptr;
    const uint8_t* m_loop_head = nullptr;   // after the entry's borrow(): where a loop goes round

    static size_t disp(int32_t d) { return static_cast<size_t>(static_cast<int64_t>(d)); }
    static size_t reg_disp(unsigned i) { return disp(static_cast<int32_t>(i) * 8 - kRegBias); }
    Xbyak::RegExp field(int32_t offset) { return rbx + disp(offset - kRegBias); }

    // Guest register i as an operand: its host register while translated code runs, if it has
    // one, else its slot in the hart's array (x0's slot always holds 0).
    const Xbyak::Operand& x(unsigned i) { return m_host64[i] ? static_cast<const Xbyak::Operand&>(*m_host64[i]) : *m_mem64[i]; }
    const Xbyak::Operand& x32(unsigned i) { return m_host32[i] ? static_cast<const Xbyak::Operand&>(*m_host32[i]) : *m_mem32[i]; }
    const Xbyak::Operand& x16(unsigned i) { return m_host16[i] ? static_cast<const Xbyak::Operand&>(*m_host16[i]) : *m_mem16[i]; }
    const Xbyak::Operand& x8(unsigned i) { return m_host8[i] ? static_cast<const Xbyak::Operand&>(*m_host8[i]) : *m_mem8[i]; }

    // Stores the host-register guest registers to the hart's array, and loads them back.
    void spill()
    {
        for (const auto& [guest, host] : kMapped)
            mov(*m_mem64[guest], host);
        mov(qword[field(m_l.budget)], kBudget);
    }
    void fill()
    {
        for (const auto& [guest, host] : kMapped)
            mov(host, *m_mem64[guest]);
        mov(kBudget, qword[field(m_l.budget)]);
    }
    // Around a call of a pure function: keep the caller-saved host registers that hold guest ones.
    void save_volatile() { push(r8); push(r9); push(r10); push(r11); }
    void restore_volatile() { pop(r11); pop(r10); pop(r9); pop(r8); }

    void call_fn(const void* fn)
    {
        mov(rax, reinterpret_cast<uint64_t>(fn));
        call(rax);
    }

    void store_rd(unsigned rd, const Xbyak::Reg64& r)
    {
        if (rd)
            mov(x(rd), r);
    }

    // ---- Borrowed host registers (a block that loops to its own start) ----
    // Such a block keeps its busiest memory-kept guest registers in the host registers of mapped
    // guest registers it never names: its entry stores those (borrow), the loop runs on without
    // a trip through memory for them, and every way out (exits, the no-budget path, helper calls
    // and slow paths, which spill and fill the usual mapping) puts the usual mapping back
    // (unborrow) first. A mapped register the block names anyway lives in memory meanwhile
    // (x() follows the mapping), so the choice only affects speed.
    struct Borrow {
        unsigned guest;       // the memory-kept guest register now in `host`
        unsigned displaced;   // the mapped guest register whose host register it is
        Xbyak::Reg64 host;
    };
    std::vector<Borrow> m_borrows;
    bool m_borrowed = false;   // the mapping x() follows is the borrowing one

    void map_guest(unsigned guest, const Xbyak::Reg64& host)
    {
        m_host64[guest] = std::make_unique<Xbyak::Reg64>(host);
        m_host32[guest] = std::make_unique<Xbyak::Reg32>(host.cvt32());
        m_host16[guest] = std::make_unique<Xbyak::Reg16>(host.cvt16());
        m_host8[guest] = std::make_unique<Xbyak::Reg8>(host.cvt8());
    }
    void unmap_guest(unsigned guest)
    {
        m_host64[guest].reset();
        m_host32[guest].reset();
        m_host16[guest].reset();
        m_host8[guest].reset();
    }

    // A block on a loop of its page (`loop`, see PageLoops) takes the plan of the whole loop, from
    // the loop's register counts, so that its blocks agree (m_plan, the same for the same plan);
    // any other block that loops to its own start, a plan of its own (m_plan 0: it links to no
    // other block past their moves).
    uint64_t m_plan = 0;
    void plan_borrows(uint64_t vpc, std::span<const Instruction> code, const LoopRegisters* loop)
    {
        m_borrows.clear();
        m_borrowed = false;
        m_plan = 0;
        if (loop) {
            borrow_for(loop->uses, loop->writes);
            // The plan, exactly: a byte per borrow (at most eight), guest register and the index
            // of the lending host register in kMapped (a guest register is never x0: no byte is 0).
            for (const Borrow& b : m_borrows) {
                unsigned lender = 0;
                while (kMapped[lender].first != b.displaced)
                    ++lender;
                m_plan = (m_plan << 8) | (b.guest << 3) | lender;
            }
            return;
        }
        bool loops = false;
        LoopRegisters registers;
        uint64_t pc = vpc;
        for (const Instruction& in : code) {
            const Decoded& d = in.d;
            if (is_conditional_branch(d.op) && pc + static_cast<uint64_t>(static_cast<int64_t>(d.imm)) == vpc)
                loops = true;
            count_registers(registers, d);
            pc = next_in_block(in, pc, &in == &code.back());
        }
        if (loops)
            borrow_for(registers.uses, registers.writes);
    }
    // Borrows by `plan` (an m_plan of another block's).
    void take_plan(uint64_t plan)
    {
        m_borrows.clear();
        m_borrowed = false;
        m_plan = plan;
        for (int shift = 56; shift >= 0; shift -= 8)
            if (const auto borrow = static_cast<unsigned>(plan >> shift) & 0xff) {
                const auto& [displaced, host] = kMapped[borrow & 7];
                m_borrows.push_back({borrow >> 3, displaced, host});
            }
    }
    // Memory-kept registers the loop writes (whose every round would otherwise wait for the store
    // before), named at least twice, busiest first. (Registers it only reads gain little: their
    // loads hit the cache and wait for nothing; borrowing them made corelike's list search, a loop
    // of a few rounds per entry, slower.)
    template <typename Counts>
    void borrow_for(const Counts& uses, const Counts& writes)
    {
        std::vector<unsigned> wanted;
        for (unsigned r = 1; r < 32; ++r)
            if (!m_host64[r] && writes[r] && uses[r] >= 2)
                wanted.push_back(r);
        std::stable_sort(wanted.begin(), wanted.end(), [&](unsigned a, unsigned b) { return uses[a] > uses[b]; });
        size_t next = 0;
        for (const auto& [guest, host] : kMapped)
            if (!uses[guest] && next < wanted.size())
                m_borrows.push_back({wanted[next++], guest, host});
    }
    // Makes x() follow the borrowing mapping (`borrowing`) or the usual one.
    void use_mapping(bool borrowing)
    {
        if (m_borrows.empty() || m_borrowed == borrowing)
            return;
        for (const Borrow& b : m_borrows) {
            unmap_guest(borrowing ? b.displaced : b.guest);
            map_guest(borrowing ? b.guest : b.displaced, b.host);
        }
        m_borrowed = borrowing;
    }
    // The code that takes the borrowing mapping (`borrowing`) or puts the usual one back: each
    // host register's guest goes to its slot and the other comes from its own. No flags or scratch
    // registers touched.
    void move_borrowed(bool borrowing)
    {
        for (const Borrow& b : m_borrows) {
            mov(*m_mem64[borrowing ? b.displaced : b.guest], b.host);
            mov(b.host, *m_mem64[borrowing ? b.guest : b.displaced]);
        }
    }
    void unborrow_code() { move_borrowed(false); }
    void borrow() { move_borrowed(true); use_mapping(true); }
    void unborrow() { move_borrowed(false); use_mapping(false); }

    // Leaves the block for `target` by a direct jump the dispatcher may later point at the target's
    // block (chaining); until then it jumps to the stub right after it. The stub's slot is a
    // Translator::ExitSlot.
    void exit_direct(uint64_t target)
    {
        const uint8_t* same_plan = nullptr;
        if (m_plan) {   // jmp rel32: to the next instruction, or to a block with the same plan (link())
            db(0xE9); dd(0);
            same_plan = getCurr() - 4;
        }
        unborrow_code();
        db(0xE9); dd(0);                           // jmp rel32: to the stub until chained
        exit_stub(getCurr() - 4, target, same_plan, same_plan ? same_plan + 4 : nullptr);
    }

    // The stub of a direct exit to `target` whose jump's rel32 field is `jump_field` (a jmp, or a
    // conditional jump): it leaves to the dispatcher, which chains the exit to the target's block
    // by pointing the field there (Translator::link). Written with its rip-relative displacements
    // patched by hand rather than with xbyak labels, whose bookkeeping (hash maps, allocations)
    // cost more than the rest of an exit. A block with a register plan (m_plan) exits to a block
    // with the same plan by another jump, `same_plan` (its rel32 field), before the moves back to
    // the usual mapping; until linked, that one leads to `unborrowing`, the moves.
    void exit_stub(const uint8_t* jump_field, uint64_t target, const uint8_t* same_plan = nullptr,
                   const uint8_t* unborrowing = nullptr)
    {
        const uint8_t* stub = getCurr();
        patch_rel32(jump_field, stub);
        const uint8_t* slot_field = nullptr;
        mov(rax, target);
        if (m_lookup && (target >> 12) != (m_vpc0 >> 12))
            jmp(m_lookup, T_NEAR);   // never chained: another page may be mapped differently next time
        else
            slot_field = leave_by_slot();
        align(8);
        const uint8_t* slot = getCurr();
        dq(reinterpret_cast<uint64_t>(jump_field));
        dq(m_vpc0 >> 12);
        dq((m_paddr0 >> 12) | (same_plan ? Translator::ExitSlot::kGoesOn : 0));
        dq(reinterpret_cast<uint64_t>(stub));   // what invalidate() points the jump back at
        if (same_plan) {   // (most blocks have no plan: their slots end here)
            dq(reinterpret_cast<uint64_t>(same_plan));
            dq(m_plan);
            dq(reinterpret_cast<uint64_t>(unborrowing));
        }
        if (slot_field)
            patch_rel32(slot_field, slot);
    }

    // Leaves for the pc in rax, telling the dispatcher by which slot (m_l.exit_slot); returns the
    // rel32 field to point at the slot once it is emitted.
    const uint8_t* leave_by_slot()
    {
        mov(qword[field(m_l.pc)], rax);
        db(0x48); db(0x8D); db(0x05); dd(0);   // lea rax, [rip + slot]
        const uint8_t* slot_field = getCurr() - 4;
        mov(qword[field(m_l.exit_slot)], rax);
        jmp(m_exit_sync, T_NEAR);
        return slot_field;
    }

    // A conditional jump forward (0F cc rel32) whose target is patched later; returns its rel32
    // field. Used instead of xbyak labels, as in exit_direct().
    static constexpr uint8_t kJb = 0x82, kJae = 0x83, kJe = 0x84, kJne = 0x85, kJp = 0x8A, kJl = 0x8C, kJge = 0x8D;
    const uint8_t* jcc_forward(uint8_t condition)
    {
        db(0x0F);
        db(condition);
        const uint8_t* field = getCurr();
        dd(0);
        return field;
    }

    // Points the rel32 field at `field` (the last four bytes of its instruction) at `target`.
    static void patch_rel32(const uint8_t* field, const uint8_t* target)
    {
        const auto rel = static_cast<int32_t>(target - (field + 4));
        std::memcpy(const_cast<uint8_t*>(field), &rel, sizeof rel);
    }

    // Leaves the block for the pc in rax.
    void exit_indirect()
    {
        unborrow_code();   // (keeps rax)
        if (m_lookup) {
            jmp(m_lookup, T_NEAR);
            return;
        }
        // Flat memory: the virtual address is the physical one.
        jump_entry_to_rdx();
        cmp(rax, qword[rdx]);
        patch_rel32(jcc_forward(kJne), m_second_way);
        jmp(qword[rdx + offsetof(Translator::JumpEntry, entry)]);
    }

    // A followed call's jump taken for another target (in rax), in a block with a plan: to its
    // variant when the target is the one the slot was linked for, else to the dispatcher (until
    // linked) or the jump table. See Translator::CallSlot.
    void call_missed(const MissedCall& call)
    {
        patch_rel32(call.jump, getCurr());
        db(0x48); db(0xB9); dq(1);   // mov rcx, imm64: the variant's target
        const uint8_t* target = getCurr() - 8;
        cmp(rax, rcx);
        const uint8_t* variant = jcc_forward(kJe);   // (to the next instruction until linked)
        db(0xE9); dd(0);
        const uint8_t* other = getCurr() - 4;
        const uint8_t* learn = getCurr();
        patch_rel32(other, learn);
        unborrow_code();
        const uint8_t* slot_field = leave_by_slot();
        const uint8_t* indirect = getCurr();
        exit_indirect();
        align(8);
        patch_rel32(slot_field, getCurr());
        dq(reinterpret_cast<uint64_t>(other));
        dq(Translator::CallSlot::kCall);
        dq(reinterpret_cast<uint64_t>(target));
        dq(reinterpret_cast<uint64_t>(variant));
        dq(reinterpret_cast<uint64_t>(learn));
        dq(reinterpret_cast<uint64_t>(indirect));
        dq(call.returns_to);
        dq(m_plan);
    }

    // rdx = the jump-table set for the pc in rax (Translator::jump_index); clobbers rcx.
    void jump_entry_to_rdx()
    {
        static_assert(sizeof(Translator::JumpSet) == 64);
        mov(ecx, eax);
        shr(ecx, 1);
        and_(ecx, Translator::kJumpSets - 1);
        shl(ecx, 6);
        mov(rdx, reinterpret_cast<uint64_t>(m_jumps));
        add(rdx, rcx);
    }

    // After a thunk: leave if the helper says so.
    void leave_if_helper_says()
    {
        test(eax, eax);
        patch_rel32(jcc_forward(kJne), static_cast<const uint8_t*>(m_exit));
    }

    // Emits one instruction; returns true when it ended the block.
    bool emit(const Instruction& in)
    {
        const Decoded& d = in.d;
        const auto imm = static_cast<int64_t>(d.imm);
        const auto imm32 = static_cast<uint32_t>(d.imm);
        const unsigned sh = static_cast<unsigned>(d.imm) & 63;
        const unsigned sh32 = static_cast<unsigned>(d.imm) & 31;
        switch (d.op) {
        case Op::LUI: if (d.rd) mov(x(d.rd), static_cast<uint64_t>(imm)); break;
        case Op::AUIPC: if (d.rd) { mov(rax, m_pc + static_cast<uint64_t>(imm)); mov(x(d.rd), rax); } break;
        case Op::JAL: {
            if (d.rd) { mov(rax, m_pc + d.len); mov(x(d.rd), rax); }
            if (m_index + 1 < m_count) {   // followed: the block goes on at its target
                m_next_in_rax = d.rd ? 0 : m_in_rax;   // (a call's link took rax)
                break;
            }
            exit_direct(m_pc + static_cast<uint64_t>(imm));
            return true;
        }
        case Op::JALR: {
            sum_to(rax, d.rs1, d.imm);
            and_(rax, ~1u);
            if (d.rd) { mov(rcx, m_pc + d.len); mov(x(d.rd), rcx); }
            if (in.follow && m_index + 1 < m_count) {
                // Followed (BlockFormer): the block goes on at the expected target; another one
                // leaves through the jump table, giving back the instructions after this one.
                const unsigned unrun = m_count - m_index - 1;
                add(kBudget, unrun);
                mov(rcx, m_pc + static_cast<uint64_t>(static_cast<int64_t>(in.follow)));
                cmp(rax, rcx);
                if (d.rd == 1 && m_plan)
                    m_missed_calls.push_back({jcc_forward(kJne), m_pc + d.len});
                else
                    m_other_targets.push_back(jcc_forward(kJne));
                sub(kBudget, unrun);
                break;
            }
            exit_indirect();
            return true;
        }
        case Op::BEQ: case Op::BNE: case Op::BLT: case Op::BGE: case Op::BLTU: case Op::BGEU: {
            if (const Shadow shadow = select_shadow(m_code, m_index); shadow.count()) {
                begin_select(d, shadow);
                break;
            }
            const unsigned unrun = m_count - m_index - 1;   // the block's instructions after this one
            if (unrun)
                add(kBudget, unrun);   // given back for the taken side (before the compare's flags)
            compare(d.rs1, d.rs2);
            const uint8_t condition = d.op == Op::BEQ ? kJe : d.op == Op::BNE ? kJne : d.op == Op::BLT ? kJl
                                      : d.op == Op::BGE ? kJge : d.op == Op::BLTU ? kJb : kJae;
            const uint64_t target = m_pc + static_cast<uint64_t>(imm);
            const uint8_t* taken = jcc_forward(condition);
            if (target == m_vpc0)
                patch_rel32(taken, m_loop_head);   // a loop to the block's own start: round again
            else
                m_side_exits.push_back({taken, target});
            if (!unrun) {   // the block's last
                exit_direct(m_pc + d.len);
                return true;
            }
            sub(kBudget, unrun);   // the block goes on with the next instruction
            break;
        }
        case Op::LB: case Op::LH: case Op::LW: case Op::LD: case Op::LBU: case Op::LHU: case Op::LWU:
            emit_load(d);
            break;
        // Stores and FP accesses write no x register (a 32-bit store's rd field holds offset bits).
        case Op::SB: case Op::SH: case Op::SW: case Op::SD:
            emit_store(d);
            return false;
        case Op::FLW: case Op::FLD: case Op::FSW: case Op::FSD:
            if (m_l.privileged)   // the FPU may be off (mstatus.FS): the interpreter's checks
                emit_helper(in);
            else if (d.op == Op::FLW || d.op == Op::FLD)
                emit_fp_load(d);
            else
                emit_fp_store(d);
            return false;
        case Op::FENCE: break;
        default:
            if (m_inline_fp && emit_fp(in))
                break;
            if (!emit_alu(d, imm, imm32, sh, sh32)) {
                emit_helper(in);
                return ends_block(d, m_l.privileged);
            }
            break;
        }
        if (d.rd == m_base_reg)   // x[rd] written: rdi no longer follows it
            m_base_reg = 0;
        return false;
    }

    // Register-to-register work. Returns false for operations it does not emit inline.
    bool emit_alu(const Decoded& d, int64_t imm, uint32_t imm32, unsigned sh, unsigned sh32)
    {
        if (PureFn fn = pure_function(d.op)) {
            if (!d.rd) return true;
            m_base_reg = 0;   // rdi is taken
            mov(rdi, x(d.rs1));
            if (uses_immediate(d.op)) mov(esi, static_cast<uint32_t>(imm & 63)); else mov(rsi, x(d.rs2));
            save_volatile();
            call_fn(reinterpret_cast<const void*>(fn));
            restore_volatile();
            mov(x(d.rd), rax);
            return true;
        }
        if (!inline_alu(d.op))
            return false;
        if (!d.rd)
            return true;   // no effect beyond the pc
        // The result is built in `t`: rd's host register when it has one (fewer moves, and no trip
        // through memory), else rax, stored at the end. An operation whose second operand is read
        // after t is first written builds in rd's register only if that cannot overwrite it
        // (commutative ones swap their operands when rd is the second).
        const bool commutative = d.op == Op::ADD || d.op == Op::XOR || d.op == Op::OR || d.op == Op::AND ||
                                 d.op == Op::MUL || d.op == Op::ADDW || d.op == Op::MULW;
        unsigned a = d.rs1, b = d.rs2;
        if (commutative && d.rd == b && d.rd != a)
            std::swap(a, b);
        const bool reads_b = commutative || d.op == Op::SUB || d.op == Op::SUBW || d.op == Op::ADD_UW;
        auto target = [&](bool reads_b_later) -> const Xbyak::Reg64& {
            if (!m_host64[d.rd] || (reads_b_later && d.rd == b && a != b))
                return rax;
            return *m_host64[d.rd];
        };
        switch (d.op) {
        case Op::ADDI:
            if (d.rs1 == 0) { mov(x(d.rd), static_cast<uint64_t>(imm)); return true; }
            if (d.rd == d.rs1) { if (imm) add(x(d.rd), imm32); return true; }
            break;
        case Op::XORI: case Op::ORI: case Op::ANDI:
            if (d.rd == d.rs1) {
                if (d.op == Op::XORI) xor_(x(d.rd), imm32); else if (d.op == Op::ORI) or_(x(d.rd), imm32); else and_(x(d.rd), imm32);
                return true;
            }
            break;
        default:
            break;
        }
        const Xbyak::Reg64& t = target(reads_b);
        const Xbyak::Reg32 t32 = t.cvt32();
        auto from = [&](unsigned r) { copy_to(t, r); };
        auto w_result = [&] { movsxd(t, t32); };
        switch (d.op) {
        case Op::ADDI: sum_to(t, d.rs1, d.imm); break;
        case Op::XORI: from(d.rs1); xor_(t, imm32); break;
        case Op::ORI: from(d.rs1); or_(t, imm32); break;
        case Op::ANDI: from(d.rs1); and_(t, imm32); break;
        case Op::SLLI: from(d.rs1); shl(t, static_cast<int>(sh)); break;
        case Op::SRLI: from(d.rs1); shr(t, static_cast<int>(sh)); break;
        case Op::SRAI: from(d.rs1); sar(t, static_cast<int>(sh)); break;
        case Op::RORI: from(d.rs1); ror(t, static_cast<int>(sh)); break;
        case Op::ADDIW: from(d.rs1); add(t32, imm32); w_result(); break;
        case Op::SLLIW: from(d.rs1); shl(t32, static_cast<int>(sh32)); w_result(); break;
        case Op::SRLIW: from(d.rs1); shr(t32, static_cast<int>(sh32)); w_result(); break;
        case Op::SRAIW: from(d.rs1); sar(t32, static_cast<int>(sh32)); w_result(); break;
        case Op::RORIW: from(d.rs1); ror(t32, static_cast<int>(sh32)); w_result(); break;
        case Op::SLLI_UW: mov(t32, x32(d.rs1)); shl(t, static_cast<int>(sh)); break;
        case Op::SLTI: case Op::SLTIU:
            xor_(ecx, ecx);
            cmp(x(d.rs1), imm32);
            if (d.op == Op::SLTI) setl(cl); else setb(cl);
            mov(x(d.rd), rcx);
            return true;
        // x0 as an operand of these is the identity (C.MV is ADD rd, x0, rs2).
        case Op::ADD: case Op::XOR: case Op::OR:
            if (a == 0 || b == 0) {
                const unsigned r = a | b;
                if (r == d.rd)
                    return true;
                if (r == 0) { mov(x(d.rd), uint64_t{0}); return true; }
                if (m_host64[r] || m_host64[d.rd]) { mov(x(d.rd), x(r)); return true; }
                from(r);
                break;
            }
            from(a);
            if (d.op == Op::ADD) add(t, x(b)); else if (d.op == Op::XOR) xor_(t, x(b)); else or_(t, x(b));
            break;
        case Op::SUB: from(a); if (b) sub(t, x(b)); break;
        case Op::AND: from(a); and_(t, x(b)); break;
        case Op::SLL: case Op::SRL: case Op::SRA: case Op::ROL: case Op::ROR:
        case Op::SLLW: case Op::SRLW: case Op::SRAW: case Op::ROLW: case Op::RORW: {
            mov(rcx, x(d.rs2));   // first: the result may be built in rs2's register
            const Xbyak::Reg64& u = target(false);
            copy_to(u, d.rs1);
            const bool w = d.op == Op::SLLW || d.op == Op::SRLW || d.op == Op::SRAW || d.op == Op::ROLW || d.op == Op::RORW;
            const Xbyak::Reg32 u32 = u.cvt32();
            const Xbyak::Operand& v = w ? static_cast<const Xbyak::Operand&>(u32) : u;
            switch (d.op) {
            case Op::SLL: case Op::SLLW: shl(v, cl); break;
            case Op::SRL: case Op::SRLW: shr(v, cl); break;
            case Op::SRA: case Op::SRAW: sar(v, cl); break;
            case Op::ROL: case Op::ROLW: rol(v, cl); break;
            default: ror(v, cl); break;
            }
            if (w) movsxd(u, u32);
            if (u == rax) mov(x(d.rd), rax);
            return true;
        }
        case Op::SLT: case Op::SLTU:
            xor_(ecx, ecx);
            compare(d.rs1, d.rs2);
            if (d.op == Op::SLT) setl(cl); else setb(cl);
            mov(x(d.rd), rcx);
            return true;
        case Op::ADDW: from(a); add(t32, x32(b)); w_result(); break;
        case Op::SUBW: from(a); sub(t32, x32(b)); w_result(); break;
        case Op::MUL: from(a); imul(t, x(b)); break;
        case Op::MULW: from(a); imul(t32, x32(b)); w_result(); break;
        case Op::MULH: case Op::MULHU:
            mov(rax, x(d.rs1));
            if (d.op == Op::MULH) imul(x(d.rs2)); else mul(x(d.rs2));
            mov(x(d.rd), rdx);
            return true;
        case Op::ADD_UW:   // the zero-extension changes t: never in rs2's register
            if (t != rax && d.rd == b) { mov(eax, x32(a)); add(rax, x(b)); mov(x(d.rd), rax); return true; }
            mov(t32, x32(a)); add(t, x(b)); break;
        case Op::SH1ADD: case Op::SH2ADD: case Op::SH3ADD:
        case Op::SH1ADD_UW: case Op::SH2ADD_UW: case Op::SH3ADD_UW: {
            const bool uw = d.op == Op::SH1ADD_UW || d.op == Op::SH2ADD_UW || d.op == Op::SH3ADD_UW;
            const int scale = (d.op == Op::SH1ADD || d.op == Op::SH1ADD_UW) ? 2 : (d.op == Op::SH2ADD || d.op == Op::SH2ADD_UW) ? 4 : 8;
            if (uw) mov(eax, x32(d.rs1)); else mov(rax, x(d.rs1));
            mov(rcx, x(d.rs2));
            const Xbyak::Reg64& u = target(false);
            lea(u, ptr[rcx + rax * scale]);
            if (u == rax) mov(x(d.rd), rax);
            return true;
        }
        case Op::ANDN: mov(rax, x(d.rs2)); not_(rax); and_(rax, x(d.rs1)); mov(x(d.rd), rax); return true;
        case Op::ORN: mov(rax, x(d.rs2)); not_(rax); or_(rax, x(d.rs1)); mov(x(d.rd), rax); return true;
        case Op::XNOR: mov(rax, x(d.rs1)); xor_(rax, x(d.rs2)); not_(rax); mov(x(d.rd), rax); return true;
        case Op::MIN: case Op::MAX: case Op::MINU: case Op::MAXU:
            mov(rax, x(d.rs1)); mov(rcx, x(d.rs2)); cmp(rax, rcx);
            if (d.op == Op::MIN) cmovg(rax, rcx);
            else if (d.op == Op::MAX) cmovl(rax, rcx);
            else if (d.op == Op::MINU) cmova(rax, rcx);
            else cmovb(rax, rcx);
            mov(x(d.rd), rax);
            return true;
        case Op::SEXT_B: movsx(t, x8(d.rs1)); break;
        case Op::SEXT_H: movsx(t, x16(d.rs1)); break;
        case Op::ZEXT_H: movzx(t32, x16(d.rs1)); break;
        case Op::REV8: from(d.rs1); bswap(t); break;
        default: return false;
        }
        if (t == rax)
            mov(x(d.rd), rax);
        return true;
    }

    // The inline TLB lookup: returns the host address (in registers) or jumps to `slow`. An entry's fast_page
    // is the page's virtual address when it maps RAM; misaligned accesses keep low bits in the
    // compared value, so they (and with them every page-crossing access) miss and take the slow
    // path. rsi holds the virtual address and is kept for the slow path.
    Xbyak::RegExp tlb_lookup(int32_t table_field, unsigned size, const uint8_t*& slow_field)
    {
        static_assert(kTlbEntrySize == 32);
        // The table's address is loaded beside the index, and the entry's host page beside the
        // page offset: the loads' address generation adds them, so a chain of dependent loads (a
        // linked list) waits two additions less per load.
        mov(rdx, qword[field(table_field)]);
        mov(ecx, esi);
        shr(ecx, 7);
        and_(ecx, (kTlbEntries - 1) << 5);          // ((vaddr >> 12) % entries) * 32
        mov(rax, rsi);
        and_(rax, ~0xfffu | (size - 1));            // sign-extended: the page, and any misalignment
        cmp(rax, qword[rdx + rcx + kTlbFastPageOffset]);
        slow_field = jcc_forward(kJne);
        if (m_l.flat_base) {
            // A flat arena: the entry's host page is flat_base + the page, so the address does not
            // wait for the entry (a chain of dependent loads then runs at the speed of the loads:
            // the check beside it is a predicted branch). Masked, so that not even a
            // mispredicted path reaches outside the arena.
            masked_address_to_rdx();
            mov(rax, m_l.flat_base);
            return rax + rdx;
        }
        mov(rax, qword[rdx + rcx + kTlbHostOffset]);
        and_(esi, 0xfff);                           // past the slow path's jump: rsi is free
        return rax + rsi;
    }

    // rdx = the address in rsi masked to the flat arena (Layout::flat_mask).
    void masked_address_to_rdx()
    {
        mov(rdx, rsi);
        mask_rdx();
    }
    void mask_rdx()
    {
        db(0x48); db(0x23); db(0x15);            // and rdx, [rip + the mask]
        dd(static_cast<uint32_t>(static_cast<int32_t>(static_cast<const uint8_t*>(m_flat_mask) - (getCurr() + 4))));
    }

    // In a guarded arena, a run of accesses through the same base register checks it once: rdi then
    // holds the host address of guest register m_base_reg's value (checked to lie in the arena and
    // masked to it), and each access goes to [rdi + imm]. An address up to 2 KiB outside the arena
    // lands in its guard pages (sandbox::layout::kGuard) and faults like any other. A base that is
    // not in the arena goes to the slow path: its accesses all fault (the guest's lowest and highest
    // pages are never mapped), so no access ever continues after it with rdi unchecked. Anything
    // that writes the base register or rdi (helpers, calls) forgets it.
    unsigned m_base_reg = 0;
    void base_to_rdi(unsigned r, const uint8_t** slow_field, bool add_later = false)
    {
        mov(rdx, x(r));
        mask_rdx();
        if (slow_field) {
            cmp(rdx, x(r));
            *slow_field = jcc_forward(kJne);
        }
        mov(rdi, m_l.flat_base);
        if (!add_later)
            add(rdi, rdx);
    }

    // A guarded arena (Layout::guarded_loads, guarded_stores): no TLB. The address is checked to
    // lie in the arena (masked as well, so that not even a mispredicted path reaches outside it);
    // the host's protection checks the rest (the access is recorded by access_here()).
    Xbyak::RegExp guarded_address(const uint8_t*& slow_field)
    {
        masked_address_to_rdx();
        cmp(rdx, rsi);
        slow_field = jcc_forward(kJne);
        mov(rax, m_l.flat_base);
        return rax + rdx;
    }
    // Where a load or store of `size` bytes at the address in rsi goes, after a jump to the slow path
    // (cold) when it may not go there directly. The caller emits the access itself right after
    // access_here().
    Xbyak::RegExp access_address(const Decoded& d, unsigned size, ColdAccess& cold)
    {
        cold.guarded = cold.store ? m_l.guarded_stores : m_l.guarded_loads;
        if (cold.guarded && d.rs1 != 0) {
            cold.base = d.rs1;
            cold.imm = d.imm;
            if (m_base_reg != d.rs1) {
                // The first access through this base goes to [arena + masked base + imm], formed
                // by its address generation (one addition less between a loaded pointer and the
                // load through it); rdi becomes the base's host address after it (after_access).
                base_to_rdi(d.rs1, &cold.slow_field, true);
                m_base_reg = d.rs1;
                cold.keep_base = m_base_reg;
                cold.add_base = true;
                return rdi + rdx + disp(d.imm);
            }
            cold.keep_base = m_base_reg;
            return rdi + disp(d.imm);
        }
        address_to_rsi(d);
        cold.keep_base = m_base_reg;
        if (cold.guarded)
            return guarded_address(cold.slow_field);
        return tlb_lookup(cold.store ? m_l.dtlb_write : m_l.dtlb_read, size, cold.slow_field);
    }
    // The next instruction is the access: a guarded one's host fault resumes at its slow path.
    void access_here(ColdAccess& cold)
    {
        if (cold.guarded)
            cold.fault_at = getCurr();
    }
    // Right after the access instruction (before cold.done: the slow path sets rdi itself).
    void after_access(const ColdAccess& cold)
    {
        if (cold.add_base)
            add(rdi, rdx);
    }

    // Where a load puts its value: rd's host register if it has one, else rax (stored by the caller).
    const Xbyak::Reg64& load_target(unsigned rd) { return rd && m_host64[rd] ? *m_host64[rd] : rax; }

    // The record of an access's slow path (emitted after the block by emit_cold()).
    ColdAccess& new_cold(const Decoded& d, const void* thunk, bool store)
    {
        ColdAccess& cold = m_cold.emplace_back();
        cold.pc = m_pc;
        cold.info = pack_info(m_index, d.len, store ? 0 : d.rd, m_count);
        cold.thunk = thunk;
        cold.store = store;
        cold.rs2 = d.rs2;
        return cold;
    }

    // r = guest register rs (nothing to do when rs lives in r).
    void copy_to(const Xbyak::Reg64& r, unsigned rs)
    {
        if (!(m_host64[rs] && *m_host64[rs] == r))
            mov(r, x(rs));
    }
    // The flags of guest registers rs1 - rs2, compared where they are (one may be in memory; x0's
    // slot holds 0); clobbers rax at most.
    void compare(unsigned rs1, unsigned rs2)
    {
        if (m_in_rax && (rs1 == m_in_rax || rs2 == m_in_rax)) {
            // Just loaded: compared in rax, not through a store to its slot and a load back (which
            // delays the branch, a data-dependent one such as a merge's, by a store forwarding).
            if (rs1 != m_in_rax)
                cmp(x(rs1), rax);
            else if (rs2 == 0)
                test(rax, rax);
            else
                cmp(rax, rs2 == m_in_rax ? static_cast<const Xbyak::Operand&>(rax) : x(rs2));
            return;
        }
        if (rs2 == 0 && m_host64[rs1]) {
            test(*m_host64[rs1], *m_host64[rs1]);   // the flags of a compare with 0 (CF and OF clear)
        } else if (rs2 == 0) {
            cmp(x(rs1), 0u);
        } else if (m_host64[rs1] || m_host64[rs2]) {
            cmp(x(rs1), x(rs2));
        } else {
            mov(rax, x(rs1));
            cmp(rax, x(rs2));
        }
    }
    // r = guest register rs + imm.
    void sum_to(const Xbyak::Reg64& r, unsigned rs, int32_t imm)
    {
        if (imm && m_host64[rs]) {
            lea(r, ptr[*m_host64[rs] + disp(imm)]);
            return;
        }
        copy_to(r, rs);
        if (imm) add(r, static_cast<uint32_t>(imm));
    }
    void address_to_rsi(const Decoded& d) { sum_to(rsi, d.rs1, d.imm); }

    void emit_load(const Decoded& d)
    {
        static constexpr Op kOrder[] = {Op::LB, Op::LH, Op::LW, Op::LD, Op::LBU, Op::LHU, Op::LWU};
        unsigned which = 0;
        while (kOrder[which] != d.op) ++which;
        static constexpr unsigned kSize[] = {1, 2, 4, 8, 1, 2, 4};
        const unsigned size = kSize[which];

        ColdAccess& cold = new_cold(d, m_load_thunk[which], false);
        const Xbyak::RegExp at = access_address(d, size, cold);
        const Xbyak::Reg64& to = load_target(d.rd);
        access_here(cold);
        switch (d.op) {
        case Op::LB: movsx(to, byte[at]); break;
        case Op::LBU: movzx(to.cvt32(), byte[at]); break;
        case Op::LH: movsx(to, word[at]); break;
        case Op::LHU: movzx(to.cvt32(), word[at]); break;
        case Op::LW: movsxd(to, dword[at]); break;
        case Op::LWU: mov(to.cvt32(), dword[at]); break;
        default: mov(to, qword[at]); break;
        }
        after_access(cold);
        if (to == rax) {
            store_rd(d.rd, rax);
            if (d.rd)
                m_next_in_rax = cold.in_rax = d.rd;
        }
        cold.done = getCurr();
    }

    void emit_store(const Decoded& d)
    {
        static constexpr Op kOrder[] = {Op::SB, Op::SH, Op::SW, Op::SD};
        unsigned which = 0;
        while (kOrder[which] != d.op) ++which;
        const unsigned size = 1u << which;

        ColdAccess& cold = new_cold(d, m_store_thunk[which], true);
        const Xbyak::RegExp at = access_address(d, size, cold);
        const Xbyak::Reg64& from = m_host64[d.rs2] ? *m_host64[d.rs2] : rcx;
        if (from == rcx)
            mov(rcx, x(d.rs2));
        access_here(cold);
        switch (size) {
        case 1: mov(byte[at], from.cvt8()); break;
        case 2: mov(word[at], from.cvt16()); break;
        case 4: mov(dword[at], from.cvt32()); break;
        default: mov(qword[at], from); break;
        }
        after_access(cold);
        cold.done = getCurr();
    }

    // FLW/FLD and FSW/FSD where the FPU is always on. FLW NaN-boxes; a load marks the FP state
    // dirty (mstatus.FS, as set_f32/set_f64 do).
    Xbyak::Address f(unsigned i) { return qword[field(m_l.f + static_cast<int32_t>(i) * 8)]; }
    void emit_fp_load(const Decoded& d)
    {
        const bool single = d.op == Op::FLW;
        ColdAccess& cold = new_cold(d, m_fp_load_thunk[single ? 0 : 1], false);
        const Xbyak::RegExp at = access_address(d, single ? 4 : 8, cold);
        access_here(cold);
        if (single) {
            mov(eax, dword[at]);
            after_access(cold);
            mov(rcx, 0xffffffff00000000ull);
            or_(rax, rcx);
        } else {
            mov(rax, qword[at]);
            after_access(cold);
        }
        mov(f(d.rd), rax);
        set_fs_dirty();
        cold.done = getCurr();
    }
    void emit_fp_store(const Decoded& d)
    {
        const bool single = d.op == Op::FSW;
        ColdAccess& cold = new_cold(d, m_store_thunk[single ? 2 : 3], true);
        cold.fp = true;
        const Xbyak::RegExp at = access_address(d, single ? 4 : 8, cold);
        mov(rcx, f(d.rs2));
        access_here(cold);
        if (single) mov(dword[at], ecx); else mov(qword[at], rcx);
        after_access(cold);
        cold.done = getCurr();
    }

    // ---- F and D on the host's SSE (the process VM, where the FPU is always on) ----
    // Inline only what the host computes exactly as RISC-V does: double-precision arithmetic in
    // round-to-nearest-even (a static rm of RNE, or DYN with frm checked at run time), whose result
    // is not a NaN (RISC-V returns the canonical NaN where x86 propagates payloads), compares,
    // sign injection, moves and conversions whose result is in range. Everything else, and each
    // of those cases, runs the interpreter's instruction from a cold path (ColdHelper).
    //
    // Exception flags: translated code runs with kGuestMxcsr (every exception masked, RNE, no
    // flush-to-zero), so x86 raises into MXCSR's sticky flags what RISC-V raises into fflags. They
    // are ORed into fflags (fold_fp_flags) before every interpreted instruction, which may read or
    // write fflags, and when translated code exits; MXCSR's flags are cleared after each such
    // instruction and the host's MXCSR is back when the dispatcher runs.
    static constexpr uint32_t kGuestMxcsr = 0x1f80;

    struct ColdHelper {
        std::vector<const uint8_t*> slow;   // the jumps to this path
        const uint8_t* done = nullptr;
        Instruction in;
        uint64_t pc = 0;
        unsigned index = 0, keep_base = 0;
    };

    void emit_fp_constants()
    {
        align(4);
        L(m_guest_mxcsr);
        dd(kGuestMxcsr);
        // MXCSR's flags (IE DE ZE OE UE PE, bits 0-5) to fflags (NX UF OF DZ NV, bits 0-4); DE
        // (a denormal operand) has no RISC-V counterpart.
        L(m_mxcsr_to_fflags);
        for (uint32_t m = 0; m < 64; ++m) {
            uint32_t flags = 0;
            if (m & 1) flags |= fpu::FFLAG_NV;
            if (m & 4) flags |= fpu::FFLAG_DZ;
            if (m & 8) flags |= fpu::FFLAG_OF;
            if (m & 16) flags |= fpu::FFLAG_UF;
            if (m & 32) flags |= fpu::FFLAG_NX;
            db(static_cast<uint8_t>(flags));
        }
    }
    // fflags |= MXCSR's flags (and mstatus.FS dirty when there are any); uses eax, tmp and slot.
    void fold_fp_flags(const Xbyak::Address& slot, const Xbyak::Reg64& tmp)
    {
        stmxcsr(slot);
        mov(eax, slot);
        and_(eax, 0x3f);
        lea(tmp, ptr[rip + m_mxcsr_to_fflags]);
        movzx(eax, byte[tmp + rax]);
        test(eax, eax);
        const uint8_t* none = jcc_forward(kJe);
        or_(dword[field(m_l.fflags)], eax);
        set_fs_dirty();
        patch_rel32(none, getCurr());
    }

    ColdHelper& new_cold_helper(const Instruction& in)
    {
        ColdHelper& cold = m_cold_helpers.emplace_back();
        cold.in = in;
        cold.pc = m_pc;
        cold.index = m_index;
        cold.keep_base = m_base_reg;
        return cold;
    }
    void emit_cold_helper(ColdHelper& cold)
    {
        for (const uint8_t* field : cold.slow)
            patch_rel32(field, getCurr());
        unborrow();
        call_exec_one(cold.in, cold.pc, cold.index);
        back_from_slow_path(cold.keep_base);
        jmp(cold.done, T_NEAR);
    }
    // After a slow path's call: leave if the helper says so, else the block's mapping again, and
    // rdi for the base register the hot path kept there (the call took rdi).
    void back_from_slow_path(unsigned keep_base)
    {
        leave_if_helper_says();
        borrow();
        if (keep_base)
            base_to_rdi(keep_base, nullptr);
    }

    // Dynamic rounding (rm = DYN): to the slow path unless frm is RNE when the instruction runs.
    void require_frm_rne(const Decoded& d, ColdHelper& cold)
    {
        if (d.rm == 7) {
            cmp(byte[field(m_l.frm)], 0);
            cold.slow.push_back(jcc_forward(kJne));
        }
    }
    // mstatus.FS = dirty (as Hart::mark_fp_dirty); clobbers rax. mark_fp_dirty() does it once a block.
    void set_fs_dirty()
    {
        mov(rax, MSTATUS_FS_DIRTY | MSTATUS_SD);
        or_(qword[field(m_l.mstatus)], rax);
    }
    void mark_fp_dirty()
    {
        if (m_fp_dirty)
            return;
        m_fp_dirty = true;
        set_fs_dirty();
    }
    // xmm0 holds a result: to the slow path if it is a NaN, else to f[rd].
    void store_f64_unless_nan(unsigned rd, ColdHelper& cold)
    {
        ucomisd(xmm0, xmm0);
        cold.slow.push_back(jcc_forward(kJp));
        movsd(f(rd), xmm0);
    }

    // Emits d inline if it can (false: the caller emits the interpreter's helper instead).
    bool emit_fp(const Instruction& in)
    {
        const Decoded& d = in.d;
        switch (d.op) {
        case Op::FADD_D: case Op::FSUB_D: case Op::FMUL_D: case Op::FDIV_D: case Op::FSQRT_D:
        case Op::FMADD_D: case Op::FMSUB_D: case Op::FNMSUB_D: case Op::FNMADD_D:
        case Op::FCVT_D_L: case Op::FCVT_D_W:
        case Op::FCVT_W_D: case Op::FCVT_L_D:
            break;
        case Op::FSGNJ_D: case Op::FSGNJN_D: case Op::FSGNJX_D: {
            mark_fp_dirty();
            mov(rax, f(d.rs1));
            if (d.rs1 == d.rs2) {   // fmv.d, fneg.d, fabs.d
                if (d.op == Op::FSGNJN_D) btc(rax, 63);
                else if (d.op == Op::FSGNJX_D) btr(rax, 63);
            } else {
                mov(rcx, f(d.rs2));
                if (d.op == Op::FSGNJN_D) not_(rcx);
                shr(rcx, 63);
                shl(rcx, 63);
                if (d.op == Op::FSGNJX_D) {
                    xor_(rax, rcx);
                } else {
                    btr(rax, 63);
                    or_(rax, rcx);
                }
            }
            mov(f(d.rd), rax);
            return true;
        }
        case Op::FMV_X_D:
            if (d.rd) { mov(rax, f(d.rs1)); mov(x(d.rd), rax); }
            return true;
        case Op::FMV_D_X:
            mark_fp_dirty();
            copy_to(rax, d.rs1);
            mov(f(d.rd), rax);
            return true;
        case Op::FEQ_D: case Op::FLT_D: case Op::FLE_D:
            // ucomisd raises invalid for signaling NaNs only (feq), comisd for any NaN (flt, fle);
            // an unordered compare sets ZF, PF and CF, so each condition below is false for it.
            if (d.op == Op::FEQ_D) {
                movsd(xmm0, f(d.rs1));
                ucomisd(xmm0, f(d.rs2));
                setnp(al);
                sete(cl);
                and_(al, cl);
            } else {
                movsd(xmm0, f(d.rs2));
                comisd(xmm0, f(d.rs1));   // rs2 > rs1 (flt) or rs2 >= rs1 (fle)
                if (d.op == Op::FLT_D) seta(al); else setae(al);
            }
            if (d.rd) { movzx(eax, al); mov(x(d.rd), rax); }
            return true;
        default:
            return false;
        }

        const bool fma = d.op == Op::FMADD_D || d.op == Op::FMSUB_D || d.op == Op::FNMSUB_D || d.op == Op::FNMADD_D;
        if (fma && !m_host_fma)
            return false;
        const bool to_int = d.op == Op::FCVT_W_D || d.op == Op::FCVT_L_D;
        const bool truncate = to_int && d.rm == 1;   // RTZ, as C's casts are compiled
        if (!truncate && d.rm != 0 && d.rm != 7 && !(d.op == Op::FCVT_D_W && d.rm <= 4))
            return false;   // another static rounding mode (or a reserved one)
        ColdHelper& cold = new_cold_helper(in);
        if (!truncate)
            require_frm_rne(d, cold);
        switch (d.op) {
        case Op::FADD_D: case Op::FSUB_D: case Op::FMUL_D: case Op::FDIV_D:
            mark_fp_dirty();
            movsd(xmm0, f(d.rs1));
            if (d.op == Op::FADD_D) addsd(xmm0, f(d.rs2));
            else if (d.op == Op::FSUB_D) subsd(xmm0, f(d.rs2));
            else if (d.op == Op::FMUL_D) mulsd(xmm0, f(d.rs2));
            else divsd(xmm0, f(d.rs2));
            store_f64_unless_nan(d.rd, cold);
            break;
        case Op::FSQRT_D:
            mark_fp_dirty();
            sqrtsd(xmm0, f(d.rs1));
            store_f64_unless_nan(d.rd, cold);
            break;
        case Op::FMADD_D: case Op::FMSUB_D: case Op::FNMSUB_D: case Op::FNMADD_D:
            // xmm0 = ±(rs1 * rs2) ± rs3; fnmsub is -(a*b)+c (x86's fnmadd), fnmadd -(a*b)-c.
            mark_fp_dirty();
            vmovsd(xmm0, f(d.rs1));
            vmovsd(xmm1, f(d.rs2));
            if (d.op == Op::FMADD_D) vfmadd213sd(xmm0, xmm1, f(d.rs3));
            else if (d.op == Op::FMSUB_D) vfmsub213sd(xmm0, xmm1, f(d.rs3));
            else if (d.op == Op::FNMSUB_D) vfnmadd213sd(xmm0, xmm1, f(d.rs3));
            else vfnmsub213sd(xmm0, xmm1, f(d.rs3));
            store_f64_unless_nan(d.rd, cold);
            break;
        case Op::FCVT_D_W: case Op::FCVT_D_L:   // never a NaN; W is exact
            mark_fp_dirty();
            xorps(xmm0, xmm0);
            copy_to(rax, d.rs1);
            if (d.op == Op::FCVT_D_W) cvtsi2sd(xmm0, eax); else cvtsi2sd(xmm0, rax);
            movsd(f(d.rd), xmm0);
            break;
        case Op::FCVT_W_D: case Op::FCVT_L_D:
            // Out of range or NaN, x86 gives the "integer indefinite" (the most negative value)
            // where RISC-V saturates: that value goes to the slow path, which also gets a genuine
            // minimum right.
            if (d.op == Op::FCVT_W_D) {
                if (truncate) cvttsd2si(eax, f(d.rs1)); else cvtsd2si(eax, f(d.rs1));
                cmp(eax, 0x80000000u);
                cold.slow.push_back(jcc_forward(kJe));
                movsxd(rax, eax);
            } else {
                if (truncate) cvttsd2si(rax, f(d.rs1)); else cvtsd2si(rax, f(d.rs1));
                mov(rcx, rax);
                neg(rcx);   // overflows for the most negative value only
                cold.slow.push_back(jcc_forward(0x80));   // jo
            }
            if (d.rd) mov(x(d.rd), rax);
            break;
        default:
            break;
        }
        cold.done = getCurr();
        return true;
    }

    // A load's or store's slow path, emitted after the block's hot code: the arguments its
    // thunk takes besides the address (in rsi), then back to the instruction after the access.
    void emit_cold(ColdAccess& cold)
    {
        if (cold.slow_field)   // (none for an access through a base checked before it)
            patch_rel32(cold.slow_field, getCurr());
        if (cold.fault_at)
            m_faults.emplace_back(cold.fault_at, getCurr());
        unborrow();   // the thunk spills and fills the usual host registers (keeps rsi)
        if (cold.base)
            sum_to(rsi, cold.base, cold.imm);   // the hot path left the address in rdi only
        if (cold.store) {
            if (cold.fp) mov(rdx, f(cold.rs2)); else mov(rdx, x(cold.rs2));
            mov(rcx, cold.pc);
            mov(rdi, cold.info);
        } else {
            mov(rdx, cold.pc);
            mov(rcx, cold.info);
        }
        call(cold.thunk);
        back_from_slow_path(cold.keep_base);
        if (cold.in_rax)
            mov(rax, *m_mem64[cold.in_rax]);   // the helper wrote it to memory
        jmp(cold.done, T_NEAR);
    }

    // Anything else: the interpreter's definition, through the hart's exec_one.
    void emit_helper(const Instruction& in)
    {
        m_base_reg = 0;   // rdi is taken, and the helper may write any register
        unborrow();
        call_exec_one(in, m_pc, m_index);
        if (ends_block(in.d, m_l.privileged)) {
            jmp(m_exit, T_NEAR);
            use_mapping(true);   // (nothing follows in the block)
        } else {
            leave_if_helper_says();
            borrow();
        }
    }

    // Calls the interpreter's definition of instruction `in` (at pc, the block's index-th) through
    // the exec thunk; clobbers the scratch registers, rdi among them.
    void call_exec_one(const Instruction& in, uint64_t pc, unsigned index)
    {
        mov(rsi, pack_fields(in.d));
        mov(rdx, static_cast<uint32_t>(in.d.imm) | (static_cast<uint64_t>(in.raw) << 32));
        mov(rcx, pc);
        mov(rdi, pack_info(index, in.d.len, in.d.rd, m_count));
        call(m_exec_thunk);
    }

    // Guest registers that live in host registers while translated code runs: the stack pointer,
    // s0 and a0-a5, the busiest in compiled RISC-V code. rbx (the register array, and through it
    // the hart) is taken; rax, rcx, rdx, rsi and rdi are scratch.
    static inline const std::array<std::pair<unsigned, Xbyak::Reg64>, 8> kMapped{{
        {2, Xbyak::util::rbp}, {8, Xbyak::util::r12}, {10, Xbyak::util::r14}, {11, Xbyak::util::r15},
        {12, Xbyak::util::r8}, {13, Xbyak::util::r9}, {14, Xbyak::util::r10}, {15, Xbyak::util::r11}}};
    // The budget lives in r13 too (a chain of blocks would otherwise wait on memory for it).
    static inline const Xbyak::Reg64 kBudget = Xbyak::util::r13;

    const Layout& m_l;
    const Translator::JumpSet* m_jumps;
    std::vector<std::pair<const uint8_t*, const uint8_t*>>& m_faults;
    const void* m_exit = nullptr;
    const void* m_lookup = nullptr;   // paged memory: emit_paged_lookup()
    const uint8_t* m_second_way = nullptr;   // flat memory: emit_second_way()
    const void* m_flat_mask = nullptr;   // a flat arena: where Layout::flat_mask is kept
    std::array<const void*, 7> m_load_thunk{};   // emit_helper_thunks()
    std::array<const void*, 4> m_store_thunk{};
    std::array<const void*, 2> m_fp_load_thunk{};
    const void* m_exec_thunk = nullptr;
    const void* m_exit_sync = nullptr;
    uint64_t m_vpc0 = 0, m_paddr0 = 0, m_pc = 0;
    unsigned m_index = 0;   // this instruction's index in the block
    unsigned m_count = 0;   // the block's size
    std::array<std::unique_ptr<Xbyak::Address>, 32> m_mem64, m_mem32, m_mem16, m_mem8;
    std::array<std::unique_ptr<Xbyak::Reg64>, 32> m_host64;
    std::array<std::unique_ptr<Xbyak::Reg32>, 32> m_host32;
    std::array<std::unique_ptr<Xbyak::Reg16>, 32> m_host16;
    std::array<std::unique_ptr<Xbyak::Reg8>, 32> m_host8;
    std::deque<ColdAccess> m_cold;
    std::deque<ColdHelper> m_cold_helpers;
    const bool m_inline_fp;   // F and D arithmetic inline (emit_fp)
    const bool m_host_fma;
    bool m_fp_dirty = false;   // this block has marked mstatus.FS dirty
    Xbyak::Label m_guest_mxcsr, m_mxcsr_to_fflags;
};

// Guarded loads and stores (Layout::guarded_*) fault when the guest cannot read (write) the page:
// the handler resumes such a fault at the access's slow path, which raises the guest's own fault
// (or, for a page the guest may access after all, such as a stack page not yet grown, performs it).
// Every other SIGSEGV goes to whatever handled it before (ASan's, or the default: a crash).
namespace {

struct sigaction g_previous_segv {};

void on_segv(int signal, siginfo_t* info, void* context)
{
    auto* uc = static_cast<ucontext_t*>(context);
    if (const Translator* running = Translator::t_running) {
        const auto rip = static_cast<uintptr_t>(uc->uc_mcontext.gregs[REG_RIP]);
        if (const void* resume = running->fault_resume(rip)) {
            uc->uc_mcontext.gregs[REG_RIP] = static_cast<greg_t>(reinterpret_cast<uintptr_t>(resume));
            return;
        }
    }
    if (g_previous_segv.sa_flags & SA_SIGINFO) {
        g_previous_segv.sa_sigaction(signal, info, context);
    } else if (g_previous_segv.sa_handler != SIG_DFL && g_previous_segv.sa_handler != SIG_IGN) {
        g_previous_segv.sa_handler(signal);
    } else {
        // Not ours and nobody else's: the default action, once the faulting instruction runs again.
        ::signal(SIGSEGV, SIG_DFL);
    }
}

void install_fault_handler()
{
    static std::once_flag once;
    std::call_once(once, [] {
        struct sigaction action {};
        action.sa_sigaction = on_segv;
        action.sa_flags = SA_SIGINFO;
        sigemptyset(&action.sa_mask);
        if (::sigaction(SIGSEGV, &action, &g_previous_segv) != 0)
            LOG_WARN("translator: cannot install the SIGSEGV handler guarded accesses need");
    });
}

}  // namespace

const void* Translator::fault_resume(uintptr_t rip) const
{
    if (rip < reinterpret_cast<uintptr_t>(m_memory) || rip >= reinterpret_cast<uintptr_t>(m_memory) + m_capacity)
        return nullptr;
    const auto* at = reinterpret_cast<const uint8_t*>(rip);
    const auto it = std::lower_bound(m_faults.begin(), m_faults.end(), at,
                                     [](const std::pair<const uint8_t*, const uint8_t*>& f, const uint8_t* a) { return f.first < a; });
    return it != m_faults.end() && it->first == at ? it->second : nullptr;
}

Translator::Translator(const Layout& layout) : m_layout(layout)
{
    void* memory = mmap(nullptr, kCodeBytes, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (memory == MAP_FAILED) {
        LOG_WARN("translator: cannot map %zu MiB for translated code; interpreting instead", kCodeBytes >> 20);
        return;
    }
    m_memory = static_cast<uint8_t*>(memory);
    m_capacity = kCodeBytes;
    m_jumps = std::make_unique<JumpSet[]>(kJumpSets);
    m_warm = m_layout.privileged ? kWarm : kWarmProcess;
    if (const char* warm = std::getenv("VIREO_JIT_WARM"))
        m_warm = static_cast<uint8_t>(std::clamp(std::atoi(warm), 0, 255));
    m_emitter = std::make_unique<Emitter>(m_capacity, m_memory, m_layout, m_jumps.get(), m_faults);
    if (m_layout.guarded_loads || m_layout.guarded_stores)
        install_fault_handler();
    start();
}

Translator::~Translator()
{
    // A debugging aid: VIREO_JIT_DUMP=FILE writes the code buffer, to read with
    // objdump -D -b binary -mi386:x86-64 --adjust-vma=<the address printed>. Together with
    // --no-seccomp: a confined process opens no new files (src/confine/confine.hpp).
    if (const char* dump = std::getenv("VIREO_JIT_DUMP"); dump && m_memory) {
        if (FILE* f = std::fopen(dump, "wb")) {
            std::fwrite(m_memory, 1, m_emitter->getSize(), f);
            std::fclose(f);
            std::fprintf(stderr, "translator: code at %p written to %s\n", static_cast<void*>(m_memory), dump);
        }
    }
    if (std::getenv("VIREO_JIT_PERFMAP") && m_memory)
        write_perf_map();
    if (std::getenv("VIREO_JIT_STATS"))
        std::fprintf(stderr, "translator: %llu blocks translated, %llu invalidations, %llu flushes, %llu entries from the dispatcher\n",
                     static_cast<unsigned long long>(m_translated), static_cast<unsigned long long>(m_invalidations),
                     static_cast<unsigned long long>(m_flushes),
                     static_cast<unsigned long long>(m_runs));
    m_emitter.reset();
    if (m_memory)
        munmap(m_memory, m_capacity);
}

// /tmp/perf-PID.map, the file perf reads to name code it finds in no binary: one line per block
// ("start size guest_<pc>"), appended to, since every hart (and sandbox thread) has a translator.
void Translator::write_perf_map() const
{
    char name[64];
    std::snprintf(name, sizeof name, "/tmp/perf-%d.map", static_cast<int>(::getpid()));
    FILE* f = std::fopen(name, "a");
    if (!f)
        return;
    std::vector<const Block*> sorted;
    for (const Block& b : m_blocks)
        sorted.push_back(&b);
    std::sort(sorted.begin(), sorted.end(), [](const Block* a, const Block* b) { return a->entry < b->entry; });
    const uint8_t* buffer_end = m_memory + m_emitter->getSize();
    for (size_t i = 0; i < sorted.size(); ++i) {
        const auto* start = static_cast<const uint8_t*>(sorted[i]->entry);
        const auto* end = i + 1 < sorted.size() ? static_cast<const uint8_t*>(sorted[i + 1]->entry) : buffer_end;
        std::fprintf(f, "%lx %lx guest_%llx\n", reinterpret_cast<unsigned long>(start), static_cast<unsigned long>(end - start),
                     static_cast<unsigned long long>(sorted[i]->vpc));
    }
    std::fclose(f);
}

void Translator::start()
{
    const void* enter = nullptr;
    m_emitter->emit_trampoline(enter, m_exit);
    m_enter = reinterpret_cast<void (*)(void*, uint64_t*, const void*)>(const_cast<void*>(enter));
}

void Translator::flush()
{
    m_emitter->reset();
    m_blocks.clear();
    m_index.clear();
    m_variants.clear();
    m_recent.fill(nullptr);
    m_heat.fill(0);
    m_bytes.clear();
    m_linked.clear();
    m_faults.clear();
    m_loops.forget();
    forget_jumps();
    ++m_flushes;
    start();
}

bool Translator::nearly_full() const
{
    return m_emitter->getSize() + kHeadroom > m_capacity;
}

void Translator::forget_jumps()
{
    if (m_jumps_used.size() < kJumpSets / 4) {
        for (uint16_t index : m_jumps_used)
            m_jumps[index] = JumpSet{};
    } else {
        std::fill(m_jumps.get(), m_jumps.get() + kJumpSets, JumpSet{});
    }
    m_jumps_used.clear();
}

// Points the direct jump whose rel32 field is at `field` to `target` (both in the code buffer,
// 64 MiB).
void Translator::point_jump(uint64_t field, uint64_t target)
{
    const auto rel = static_cast<int32_t>(static_cast<int64_t>(target) - static_cast<int64_t>(field + 4));
    std::memcpy(reinterpret_cast<uint8_t*>(field), &rel, sizeof rel);
}

void Translator::invalidate()
{
    for (uint64_t slot : m_linked) {
        const auto& exit = *reinterpret_cast<const ExitSlot*>(slot);
        if (exit.vpage == CallSlot::kCall) {
            const auto& call = *reinterpret_cast<const CallSlot*>(slot);
            const uint64_t none = 1;
            std::memcpy(reinterpret_cast<uint8_t*>(call.target), &none, sizeof none);
            point_jump(call.other, call.learn);
            continue;
        }
        point_jump(exit.jump, exit.stub);
        if (exit.ppage & ExitSlot::kGoesOn)
            point_jump(exit.same_plan, exit.unborrowing);
    }
    m_linked.clear();
    m_loops.forget();
    forget_jumps();
    ++m_epoch;
    ++m_invalidations;
}

const Block* Translator::revalidate(Block& block, const uint8_t* code)
{
    if (!block.crosses_page && std::memcmp(code + block.bytes_from, m_bytes.data() + block.bytes_at, block.byte_count) == 0) {
        block.epoch = m_epoch;
        return &block;
    }
    // Changed: forget it (its code stays in the buffer, unreachable, until the next flush).
    if (block.returns_to) {
        auto [from, to] = m_variants.equal_range({block.vpc, block.paddr});
        for (auto it = from; it != to; ++it)
            if (it->second == &block) {
                m_variants.erase(it);
                break;
            }
        return nullptr;
    }
    m_index.erase({block.vpc, block.paddr});
    Block*& recent = m_recent[recent_index(block.vpc, block.paddr)];
    if (recent == &block)
        recent = nullptr;
    return nullptr;
}

Block* Translator::find_slow(uint64_t vpc, uint64_t paddr)
{
    auto it = m_index.find({vpc, paddr});
    if (it == m_index.end())
        return nullptr;
    m_recent[recent_index(vpc, paddr)] = it->second;
    return it->second;
}

const Block* Translator::translate(uint64_t vpc, uint64_t paddr, std::span<const Instruction> code,
                                   std::span<const uint8_t> bytes, bool crosses_page, int32_t bytes_from,
                                   const uint8_t* page, const CallContext* call)
{
    const LoopRegisters* loop = page && m_layout.chain_across_pages
                                    ? m_loops.loop_at(paddr, std::span<const uint8_t, 4096>(page, 4096))
                                    : nullptr;
    const void* entry = nullptr;
    try {
        entry = m_emitter->emit_block(vpc, paddr, code, loop, call ? call->plan : 0);
    } catch (const Xbyak::Error& e) {
        // A bug of ours, not the guest's: say so once, and let the interpreter run this code.
        static bool said = false;
        if (!said)
            LOG_WARN("translator: cannot translate the block at 0x%llx (%s); interpreting it",
                     static_cast<unsigned long long>(vpc), e.what());
        said = true;
        flush();
        return nullptr;
    }
    Block& b = m_blocks.emplace_back();
    b.vpc = vpc;
    b.paddr = paddr;
    b.count = static_cast<uint32_t>(code.size());
    b.entry = entry;
    b.borrowing_entry = m_emitter->borrowing_entry();
    b.plan = m_emitter->plan();
    b.epoch = m_epoch;
    b.bytes_at = static_cast<uint32_t>(m_bytes.size());
    b.byte_count = static_cast<uint32_t>(bytes.size());
    b.bytes_from = bytes_from;
    b.crosses_page = crosses_page;
    m_bytes.insert(m_bytes.end(), bytes.begin(), bytes.end());
    ++m_translated;
    if (call) {
        b.returns_to = call->returns_to;
        m_variants.insert({{vpc, paddr}, &b});
        return &b;
    }
    m_index[{vpc, paddr}] = &b;
    m_recent[recent_index(vpc, paddr)] = &b;
    return &b;
}

bool Translator::missed_call(uint64_t slot, CallContext& call) const
{
    const auto& exit = *reinterpret_cast<const CallSlot*>(slot);
    if (exit.kind != CallSlot::kCall)
        return false;
    call = {exit.returns_to, exit.plan};
    return true;
}

const Block* Translator::find_variant(uint64_t vpc, uint64_t paddr, const uint8_t* code, const CallContext& call)
{
    auto [from, to] = m_variants.equal_range({vpc, paddr});
    for (auto it = from; it != to; ++it) {
        Block& b = *it->second;
        if (b.returns_to == call.returns_to && b.plan == call.plan)
            return b.epoch == m_epoch ? &b : revalidate(b, code);
    }
    return nullptr;
}

void Translator::give_up(uint64_t slot)
{
    const auto& call = *reinterpret_cast<const CallSlot*>(slot);
    point_jump(call.other, call.indirect);
    m_linked.push_back(slot);
}

void Translator::link(uint64_t slot, const Block& block)
{
    const auto& exit = *reinterpret_cast<const ExitSlot*>(slot);
    if (exit.vpage == CallSlot::kCall) {   // only to the variant formed for it
        const auto& call = *reinterpret_cast<const CallSlot*>(slot);
        if (!block.returns_to || block.returns_to != call.returns_to || block.plan != call.plan)
            return;
        std::memcpy(reinterpret_cast<uint8_t*>(call.target), &block.vpc, sizeof block.vpc);
        point_jump(call.variant, reinterpret_cast<uint64_t>(block.borrowing_entry));
        point_jump(call.other, call.indirect);
        m_linked.push_back(slot);
        return;
    }
    if (!m_layout.chain_across_pages &&
        ((block.vpc >> 12) != exit.vpage || (block.paddr >> 12) != (exit.ppage & ~ExitSlot::kGoesOn)))
        return;
    if ((exit.ppage & ExitSlot::kGoesOn) && exit.plan == block.plan)
        point_jump(exit.same_plan, reinterpret_cast<uint64_t>(block.borrowing_entry));
    else
        point_jump(exit.jump, reinterpret_cast<uint64_t>(block.entry));
    m_linked.push_back(slot);
}

}  // namespace vireo::riscv::jit
