// The PLIC (RISC-V platform-level interrupt controller spec 1.0.0), as on QEMU's virt board:
// sources 1..kSources-1, two contexts per hart (2h = M-mode, 2h+1 = S-mode), level-triggered
// gateways. Register map (§3): priorities at 0x0, pending bits at 0x1000, enables at 0x2000 +
// 0x80*context, threshold and claim/complete at 0x200000 + 0x1000*context. 32-bit accesses only.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "bus/bus.hpp"

namespace vireo::machine {

class Plic final : public bus::MmioDevice {
public:
    static constexpr uint64_t kBase = 0x0c00'0000;
    static constexpr uint64_t kSize = 0x60'0000;
    static constexpr unsigned kSources = 96;   // riscv,ndev = 95 usable sources (1..95)
    static constexpr unsigned kMaxPriority = 7;

    // `output(context, level)` drives a hart's MEIP (even context) or SEIP (odd context).
    using Output = std::function<void(unsigned context, bool level)>;
    Plic(unsigned harts, Output output);
    ~Plic() override;

    bool read(uint64_t offset, unsigned size, uint64_t& value) override;
    bool write(uint64_t offset, unsigned size, uint64_t value) override;

    // Sets the level of source `id` (1..kSources-1); out-of-range ids are ignored.
    void set_source(unsigned id, bool level);
    // An InterruptLine a device can hold, wired to source `id`.
    bus::InterruptLine& line(unsigned id);

    unsigned contexts() const { return static_cast<unsigned>(m_contexts.size()); }

private:
    struct Context {
        std::array<uint32_t, kSources / 32> enable{};
        uint32_t threshold = 0;
        bool level = false;
    };
    class SourceLine;

    bool enabled(const Context& c, unsigned id) const { return (c.enable[id / 32] >> (id % 32)) & 1; }
    unsigned best_pending(const Context& c) const;
    uint32_t claim(Context& c);
    void complete(Context& c, uint32_t id);
    void update();

    Output m_output;
    std::array<uint32_t, kSources> m_priority{};
    std::array<bool, kSources> m_level{};
    std::array<bool, kSources> m_pending{};
    std::array<bool, kSources> m_claimed{};
    std::vector<Context> m_contexts;
    std::vector<std::unique_ptr<SourceLine>> m_lines;
};

}  // namespace vireo::machine
