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
    l.instret = offset(&m_instret);
    l.cycle = offset(&m_cycle);
    l.dtlb_read = offset(&m_dtlb_read);
    l.dtlb_write = offset(&m_dtlb_write);
    l.exit_slot = offset(&m_jit_exit_slot);
    l.exec_one = &jit_exec_one;
    l.load = {&jit_load<int8_t>, &jit_load<int16_t>, &jit_load<int32_t>, &jit_load<uint64_t>,
              &jit_load<uint8_t>, &jit_load<uint16_t>, &jit_load<uint32_t>};
    l.store = {&jit_store<uint8_t>, &jit_store<uint16_t>, &jit_store<uint32_t>, &jit_store<uint64_t>};
    l.privileged = kPrivileged;
    // Flat memory never changes under translated code without a flush: chains may cross pages.
    l.chain_across_pages = !kPrivileged;
    return l;
}

template <typename Env>
RunResult Hart<Env>::run_jit(uint64_t budget)
{
    if (!m_jit) {
        m_jit = std::make_unique<jit::Translator>(jit_layout());
        if (!m_jit->ok()) {
            m_jit.reset();
            m_engine = Engine::Interpreter;
            return run_interp(budget);
        }
    }
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
            m_jit->invalidate();
            m_jit_flush_pending = false;
            link_slot = 0;
        }
        const uint64_t flushes = m_jit->flushes();
        const jit::Block* block = m_interrupt_check ? nullptr : jit_block();
        if (m_jit->flushes() != flushes)
            link_slot = 0;
        if (block && block->count <= m_budget_left) [[likely]] {
            if (link_slot)
                m_jit->link(link_slot, *block);
            m_jit_exit_slot = 0;
            m_jit->run(this, m_x.data(), *block);
            link_slot = m_jit_exit_slot;
        } else {
            step();
            link_slot = 0;
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
template <typename Env>
const jit::Block* Hart<Env>::jit_block()
{
    const uint64_t vpn = m_pc >> 12;
    const TlbEntry& e = m_tlb[m_fetch_ctx][static_cast<unsigned>(Access::Execute)][vpn % kTlbSize];
    if (e.tag != vpn || !e.host) [[unlikely]]
        return nullptr;
    const uint64_t offset = m_pc & 0xfff;
    const uint64_t paddr = e.paddr_page | offset;
    if (const jit::Block* b = m_jit->find(m_pc, paddr, e.host + offset)) [[likely]]
        return b;
    if (m_jit->nearly_full())
        m_jit->flush();

    std::array<jit::Instruction, jit::kMaxBlock> code;
    size_t n = 0;
    uint64_t at = offset;
    while (n < code.size() && at < 4096) {
        uint32_t raw = load_le<uint16_t>(e.host + at);
        if (!is_compressed(raw)) {
            if (at + 4 > 4096)
                break;   // crosses into the next page, which may not even be mapped
            raw = load_le<uint32_t>(e.host + at);
        }
        code[n] = {decode(raw), raw};
        at += code[n].d.len;
        if (jit::ends_block(code[n++].d.op, kPrivileged))
            break;
    }
    if (n == 0)
        return nullptr;
    return m_jit->translate(m_pc, paddr, {code.data(), n}, {e.host + offset, at - offset});
}

template <typename Env>
void Hart<Env>::jit_settle(uint64_t ran, uint64_t retired)
{
    m_budget_left = m_budget_left > ran ? m_budget_left - ran : 0;
    m_cycle += ran;
    m_instret += retired;
}

template <typename Env>
uint64_t Hart<Env>::jit_exec_one(void* hart, uint64_t lo, uint64_t hi, uint64_t pc, uint64_t ran_before)
{
    auto& h = *static_cast<Hart*>(hart);
    h.jit_settle(ran_before, ran_before);
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
    const bool go_on = h.m_pc == pc + d.len && !h.m_stop_requested && !h.m_interrupt_check && !h.m_wfi &&
                       !h.m_jit_flush_pending;
    return go_on ? jit::kContinue : jit::kLeave;
}

// The slow paths of translated loads and stores: a TLB miss, device memory, a page-crossing
// access, or a fault (then the trap is taken here and translated code leaves).
template <typename Env>
template <typename T>
uint64_t Hart<Env>::jit_load(void* hart, uint64_t vaddr, uint64_t pc, uint64_t info)
{
    auto& h = *static_cast<Hart*>(hart);
    const unsigned before = jit::info_ran_before(info);
    h.m_pc = pc;
    T value{};
    if (!h.template load_slow<T>(vaddr, value)) {
        h.jit_settle(before + 1, before);
        return jit::kLeave;
    }
    if (const unsigned rd = jit::info_rd(info))
        h.m_x[rd] = static_cast<uint64_t>(value);
    if (h.m_stop_requested || h.m_interrupt_check || h.m_jit_flush_pending) {
        h.jit_settle(before + 1, before + 1);
        h.m_pc = pc + jit::info_len(info);
        return jit::kLeave;
    }
    return jit::kContinue;
}

template <typename Env>
template <typename T>
uint64_t Hart<Env>::jit_store(void* hart, uint64_t vaddr, uint64_t value, uint64_t pc, uint64_t info)
{
    auto& h = *static_cast<Hart*>(hart);
    const unsigned before = jit::info_ran_before(info);
    h.m_pc = pc;
    if (!h.template store_slow<T>(vaddr, static_cast<T>(value))) {
        h.jit_settle(before + 1, before);
        return jit::kLeave;
    }
    if (h.m_stop_requested || h.m_interrupt_check || h.m_jit_flush_pending) {
        h.jit_settle(before + 1, before + 1);
        h.m_pc = pc + jit::info_len(info);
        return jit::kLeave;
    }
    return jit::kContinue;
}

}  // namespace vireo::riscv
