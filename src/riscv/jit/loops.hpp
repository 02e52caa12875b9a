// The loops of a page of guest code, for the translator's register plans (issue 5): which
// instructions lie on a loop together — the strongly connected parts of the page's control flow,
// where a call is taken as returning to the instruction after it and an indirect jump leads
// nowhere — and how often each loop names each guest register. Every block that starts on the same
// loop gets the same answer, so the blocks of a loop can agree on which guest registers live in
// which host registers (Emitter::plan_borrows) and jump to each other without converting.
//
// Only a guess about speed: code that changed since the page was read, or bytes that are not
// instructions, give other counts, never wrong code.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <unordered_map>
#include <vector>

#include "riscv/decode.hpp"

namespace vireo::riscv::jit {

// How often a loop's instructions name each guest register (as rd, rs1 or rs2) and write it.
struct LoopRegisters {
    std::array<uint16_t, 32> uses{}, writes{};
};

// Counts the x registers `d` names in `r` (only the fields that name one: not an immediate's bits,
// nor an FP register).
void count_registers(LoopRegisters& r, const Decoded& d);

// What an analysis works with, kept from one to the next (a page's worth of it per analysis would
// cost more than the analysis: most translations ask about a few instructions).
struct LoopScratch {
    std::vector<int32_t> order = std::vector<int32_t>(2048, -1), low = std::vector<int32_t>(2048, 0);
    std::vector<uint8_t> on_stack = std::vector<uint8_t>(2048, 0);
    std::vector<Decoded> decoded = std::vector<Decoded>(2048);
    std::vector<unsigned> stack, visited;
};

class PageLoops {
public:
    // At most this many loops a page (a guest can write a page of 2048 one-instruction loops):
    // the rest count as none. Bounds a page's analysis to 4 KiB + kMaxLoops * 128 bytes.
    static constexpr size_t kMaxLoops = 64;
    // The loop the instruction at `offset` in `page` (4 KiB of guest code) lies on, or nullptr when
    // it lies on none. Analyses what `offset` reaches the first time it is asked.
    const LoopRegisters* loop_at(std::span<const uint8_t, 4096> page, unsigned offset, LoopScratch& scratch);

private:
    static constexpr int16_t kUnknown = -1, kNone = -2;
    void analyse(std::span<const uint8_t, 4096> page, unsigned start, LoopScratch& scratch);
    std::array<int16_t, 2048> m_loop_of = filled(kUnknown);   // per 2-byte offset: kUnknown, kNone or a loop
    std::vector<LoopRegisters> m_loops;

    static std::array<int16_t, 2048> filled(int16_t v)
    {
        std::array<int16_t, 2048> a;
        a.fill(v);
        return a;
    }
};

// PageLoops by physical page, for as long as the translated code (forget() on any code change),
// and for at most kMaxPages pages (then it starts again: a guest translating code on ever more
// pages must not make the host's memory grow without bound).
class LoopIndex {
public:
    static constexpr size_t kMaxPages = 1024;
    const LoopRegisters* loop_at(uint64_t paddr, std::span<const uint8_t, 4096> page)
    {
        if (m_pages.size() >= kMaxPages && !m_pages.contains(paddr >> 12))
            m_pages.clear();
        auto& loops = m_pages[paddr >> 12];
        if (!loops)
            loops = std::make_unique<PageLoops>();
        return loops->loop_at(page, static_cast<unsigned>(paddr & 0xfff), m_scratch);
    }
    void forget() { m_pages.clear(); }
    size_t pages() const { return m_pages.size(); }

private:
    std::unordered_map<uint64_t, std::unique_ptr<PageLoops>> m_pages;
    LoopScratch m_scratch;
};

}  // namespace vireo::riscv::jit
