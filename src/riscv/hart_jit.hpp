// Hart<Env>: the glue between the hart and the translator (riscv/jit/translator.hpp): the dispatch
// loop that finds or makes the block for the pc and runs it, and the helpers translated code calls.
// Included by hart_impl.hpp only.
#pragma once

#include "base/bytes.hpp"
#include "riscv/hart.hpp"

namespace vireo::riscv {

template <typename Env>
jit::Layout Hart<Env>::jit_layout()
{
    const auto* base = reinterpret_cast<const char*>(m_x.data());
    auto offset = [&](const void* field) { return static_cast<int32_t>(reinterpret_cast<const char*>(field) - base); };
    jit::Layout l;
    l.pc = offset(&m_pc);
    l.budget = offset(&m_budget_left);
    l.dtlb_read = offset(&m_dtlb_read);
    l.dtlb_write = offset(&m_dtlb_write);
    l.itlb = offset(&m_itlb);
    l.exit_slot = offset(&m_jit_exit_slot);
    l.hart = offset(this);
    l.exec_one = &jit_exec_one;
    l.load = {&jit_load<int8_t>, &jit_load<int16_t>, &jit_load<int32_t>, &jit_load<uint64_t>,
              &jit_load<uint8_t>, &jit_load<uint16_t>, &jit_load<uint32_t>};
    l.store = {&jit_store<uint8_t>, &jit_store<uint16_t>, &jit_store<uint32_t>, &jit_store<uint64_t>};
    l.fp_load = {&jit_load<uint32_t, true>, &jit_load<uint64_t, true>};
    l.f = offset(&m_f);
    l.mstatus = offset(&m_mstatus);
    l.fflags = offset(&m_fflags);
    l.frm = offset(&m_frm);
    if constexpr (kFlatArena) {
        const FlatArena arena = m_env.flat_arena();
        l.flat_base = reinterpret_cast<uint64_t>(arena.base);
        l.flat_mask = arena.size - 1;
        l.guarded_loads = arena.guarded;
        l.guarded_stores = arena.guarded && arena.guarded_writes;
    }
    l.privileged = kPrivileged;
    // Flat memory never changes under translated code without a flush: chains may cross pages.
    l.chain_across_pages = !kPrivileged;
    return l;
}

// A new translator (the first, or one for a moved arena); false, and the interpreter from now on,
// when it could not have memory for its code.
template <typename Env>
bool Hart<Env>::jit_start()
{
    m_jit = std::make_unique<jit::Translator>(jit_layout());
    if (m_jit->ok())
        return true;
    m_jit.reset();
    m_engine = Engine::Interpreter;
    return false;
}

template <typename Env>
RunResult Hart<Env>::run_jit(uint64_t budget)
{
    if (!m_jit && !jit_start())
        return run_interp(budget);
    // Translated code counts every instruction in cycle and instret: inhibited counters, and
    // tracing, are the interpreter's.
    if (m_trace || (m_mcountinhibit & 5))
        return run_interp(budget);

    m_stop_requested = false;
    update_interrupt_check();
    m_budget_left = budget;
    uint64_t link_slot = 0;   // the unchained exit translated code last left by, if any
    while (m_budget_left > 0 && !m_stop_requested && !(m_mcountinhibit & 5)) {
        if (m_jit_flush_pending) [[unlikely]] {
            m_jit_flush_pending = false;
            link_slot = 0;
            if (!m_jit_arena_moved) {
                m_jit->invalidate();
            } else {
                m_jit_arena_moved = false;
                if (!jit_start())
                    break;   // the rest of the budget in the interpreter, below
            }
        }
        const uint64_t flushes = m_jit->flushes();
        // Left by a followed call's exit for another target (see jit::CallContext): its variant.
        // None is formed for a callee on another page than the caller (its return could not be
        // followed): the exit then goes through the jump table.
        jit::CallContext call;
        bool missed_call = link_slot && m_jit->missed_call(link_slot, call);
        if (missed_call && (call.returns_to >> 12) != (m_pc >> 12)) {
            m_jit->give_up(link_slot);
            missed_call = false;
        }
        const jit::Block* block = m_interrupt_check ? nullptr : jit_block(missed_call ? &call : nullptr);
        if (m_jit->flushes() != flushes)
            link_slot = 0;
        if (block && block->count <= m_budget_left) [[likely]] {
            if (link_slot)
                m_jit->link(link_slot, *block);
            m_jit_exit_slot = 0;
            m_jit_mark = m_budget_left;
            m_jit->run(this, m_x.data(), *block);
            jit_sync();
            link_slot = m_jit_exit_slot;
        } else {
            // Interpret: one instruction, or while the code is cold (not run often enough yet to
            // be worth translating: most of a boot runs once) until control leaves the straight
            // line, as a block would.
            link_slot = 0;
            for (unsigned n = 0; n < jit::kMaxBlock; ++n) {
                const uint64_t before = m_pc;
                step();
                const uint64_t advance = m_pc - before;
                if (!m_jit_cold || m_budget_left == 0 || m_stop_requested || m_wfi || m_interrupt_check ||
                    (advance != 2 && advance != 4))
                    break;
            }
            m_jit_cold = false;
        }
        if (m_wfi) [[unlikely]] {
            m_wfi = false;
            return {StopReason::Wfi, budget - m_budget_left};
        }
    }
    while (m_budget_left > 0 && !m_stop_requested) {   // counters were inhibited on the way
        step();
        if (m_wfi) [[unlikely]] {
            m_wfi = false;
            return {StopReason::Wfi, budget - m_budget_left};
        }
    }
    return {m_stop_requested ? StopReason::Requested : StopReason::Budget, budget - m_budget_left};
}

// The block for the current pc, translated now if needed; nullptr when the interpreter must take
// the next instruction (its page is not in the fetch TLB yet, or it crosses the page's end).
// `call`: a followed call's other target is at pc, on the caller's page: its variant once warm
// (else the block).
template <typename Env>
const jit::Block* Hart<Env>::jit_block(const jit::CallContext* call)
{
    const uint64_t vpn = m_pc >> 12;
    const TlbEntry& e = m_tlb[m_fetch_ctx][static_cast<unsigned>(Access::Execute)][vpn % kTlbSize];
    if (e.tag != vpn || !e.host) [[unlikely]]
        return nullptr;
    const uint64_t offset = m_pc & 0xfff;
    const uint64_t paddr = e.paddr_page | offset;
    if (call) {
        if (const jit::Block* b = m_jit->find_variant(m_pc, paddr, e.host + offset, *call))
            return b;
        if (!m_jit->warm_variant(m_pc, paddr, *call))
            call = nullptr;
    }
    if (!call) {
        if (const jit::Block* b = m_jit->find(m_pc, paddr, e.host + offset)) [[likely]]
            return b;
        if (!m_jit->warm(m_pc, paddr)) {
            m_jit_cold = true;
            return nullptr;
        }
    }
    if (m_jit->nearly_full())
        m_jit->flush();

    auto& code = m_jit_code;
    size_t n = 0;
    uint64_t at = offset;
    uint64_t begin = offset, end = offset;   // the bytes the instructions span (a jump may go back)
    bool crosses_page = false;
    // In the process VM blocks follow calls (guessing a JALR's target from the registers now).
    jit::BlockFormer former(kPrivileged, m_pc, kPrivileged ? nullptr : m_x.data(), call ? call->returns_to : 0);
    while (n < code.size() && at < 4096 && !former.stops_before(at - offset)) {
        uint32_t raw = load_le<uint16_t>(e.host + at);
        if (!is_compressed(raw)) {
            if (at + 4 > 4096) {
                // Crosses into the next page, which may not even be mapped. With flat memory the
                // instruction is taken (as the block's last) when that page is executable RAM
                // right after this one: a hot loop through such an instruction would otherwise
                // come back to the dispatcher and the interpreter on every round.
                if constexpr (kFlatArena)
                    crosses_page = m_env.ram_page((m_pc & ~0xfffull) + 4096, Access::Execute) == e.host + 4096;
                if (!crosses_page)
                    break;
            }
            raw = load_le<uint32_t>(e.host + at);
        }
        jit::Instruction& in = code[n++] = {decode(raw), raw};
        const bool ends = former.take(in, at - offset);
        begin = std::min(begin, at);
        end = std::max(end, at + in.d.len);
        if (ends || crosses_page)
            break;
        at = jit::next_in_block(in, at, false);
    }
    if (n == 0)
        return nullptr;
    return m_jit->translate(m_pc, paddr, {code.data(), n}, {e.host + begin, end - begin}, crosses_page,
                            static_cast<int32_t>(begin) - static_cast<int32_t>(offset), e.host, call);
}

// Counting with translated code: blocks only take instructions off the budget; what was taken
// since the mark has run and retired (helpers make the exceptions exact), so it goes to cycle and
// instret here.
template <typename Env>
void Hart<Env>::jit_sync()
{
    const uint64_t ran = m_jit_mark - m_budget_left;
    m_cycle += ran;
    m_instret += ran;
    m_jit_mark = m_budget_left;
}

// A helper starts: give back the block's instructions from this one on (the block paid for all
// of them), and settle the counters, so that the state is exactly the interpreter's before it.
template <typename Env>
void Hart<Env>::jit_begin_helper(uint64_t info)
{
    m_budget_left += jit::info_paid(info) - jit::info_index(info);
    jit_sync();
}

// A helper goes back into its block: pay again for the instructions after it.
template <typename Env>
void Hart<Env>::jit_resume(uint64_t info)
{
    m_budget_left -= jit::info_paid(info) - jit::info_index(info) - 1;
}

template <typename Env>
uint64_t Hart<Env>::jit_exec_one(void* hart, uint64_t lo, uint64_t hi, uint64_t pc, uint64_t info)
{
    auto& h = *static_cast<Hart*>(hart);
    h.jit_begin_helper(info);
    h.m_pc = pc;
    const Decoded d = jit::unpack_decoded(lo, hi);
    const auto raw = static_cast<uint32_t>(hi >> 32);
    --h.m_budget_left;
    ++h.m_cycle;
    if (h.execute(d, raw)) {
        if (!h.m_instret_written)
            ++h.m_instret;
        else
            h.m_instret_written = false;
    }
    h.m_jit_mark = h.m_budget_left;
    const bool go_on = h.m_pc == pc + d.len && !h.m_stop_requested && !h.m_interrupt_check && !h.m_wfi &&
                       !h.m_jit_flush_pending;
    if (!go_on)
        return jit::kLeave;
    h.jit_resume(info);
    return jit::kContinue;
}

// The slow paths of translated loads and stores: a TLB miss, device memory, a page-crossing
// access, or a fault (then the trap is taken here and translated code leaves). kFp: FLW/FLD,
// whose value goes to an FP register.
template <typename Env>
template <typename T, bool kFp>
uint64_t Hart<Env>::jit_load(void* hart, uint64_t vaddr, uint64_t pc, uint64_t info)
{
    auto& h = *static_cast<Hart*>(hart);
    h.jit_begin_helper(info);
    h.m_pc = pc;
    --h.m_budget_left;
    ++h.m_cycle;
    T value{};
    const bool ok = h.template load_slow<T>(vaddr, value);
    if (ok)
        ++h.m_instret;
    h.m_jit_mark = h.m_budget_left;
    if (!ok)
        return jit::kLeave;   // trapped
    if constexpr (kFp) {
        if constexpr (sizeof(T) == 4)
            h.set_f32(jit::info_rd(info), value);
        else
            h.set_f64(jit::info_rd(info), value);
    } else if (const unsigned rd = jit::info_rd(info)) {
        h.m_x[rd] = static_cast<uint64_t>(value);
    }
    return h.jit_after_access(pc, info);
}

template <typename Env>
template <typename T>
uint64_t Hart<Env>::jit_store(void* hart, uint64_t vaddr, uint64_t value, uint64_t pc, uint64_t info)
{
    auto& h = *static_cast<Hart*>(hart);
    h.jit_begin_helper(info);
    h.m_pc = pc;
    --h.m_budget_left;
    ++h.m_cycle;
    const bool ok = h.template store_slow<T>(vaddr, static_cast<T>(value));
    if (ok)
        ++h.m_instret;
    h.m_jit_mark = h.m_budget_left;
    if (!ok)
        return jit::kLeave;   // trapped
    return h.jit_after_access(pc, info);
}

// After a slow access that retired: a device may have stopped the run or raised an interrupt.
template <typename Env>
uint64_t Hart<Env>::jit_after_access(uint64_t pc, uint64_t info)
{
    if (m_stop_requested || m_interrupt_check || m_jit_flush_pending) {
        m_pc = pc + jit::info_len(info);
        return jit::kLeave;
    }
    jit_resume(info);
    return jit::kContinue;
}

}  // namespace vireo::riscv
