#include "machine/plic.hpp"

namespace vireo::machine {

class Plic::SourceLine final : public bus::InterruptLine {
public:
    SourceLine(Plic& plic, unsigned id) : m_plic(plic), m_id(id) {}
    void set_level(bool high) override { m_plic.set_source(m_id, high); }

private:
    Plic& m_plic;
    unsigned m_id;
};

Plic::Plic(unsigned harts, Output output) : m_output(std::move(output)), m_contexts(2 * harts)
{
    m_lines.resize(kSources);
}

Plic::~Plic() = default;

bus::InterruptLine& Plic::line(unsigned id)
{
    if (!m_lines.at(id))
        m_lines[id] = std::make_unique<SourceLine>(*this, id);
    return *m_lines[id];
}

void Plic::set_source(unsigned id, bool level)
{
    if (id == 0 || id >= kSources)
        return;
    m_level[id] = level;
    // A level-triggered gateway forwards a request while the line is high and the source is
    // not being serviced (§2.3); lowering the line withdraws it.
    m_pending[id] = level && !m_claimed[id];
    update();
}

unsigned Plic::best_pending(const Context& c) const
{
    unsigned best = 0;
    uint32_t best_priority = c.threshold;
    for (unsigned id = 1; id < kSources; ++id) {
        // Ties go to the lowest id (§2.7); priority 0 never interrupts.
        if (m_pending[id] && enabled(c, id) && m_priority[id] > best_priority) {
            best = id;
            best_priority = m_priority[id];
        }
    }
    return best;
}

uint32_t Plic::claim(Context& c)
{
    const unsigned id = best_pending(c);
    if (id) {
        m_pending[id] = false;
        m_claimed[id] = true;
        update();
    }
    return id;
}

void Plic::complete(Context& c, uint32_t id)
{
    // §2.9: a completion for a source not enabled for this context is ignored.
    if (id == 0 || id >= kSources || !enabled(c, id) || !m_claimed[id])
        return;
    m_claimed[id] = false;
    m_pending[id] = m_level[id];
    update();
}

void Plic::update()
{
    for (unsigned i = 0; i < m_contexts.size(); ++i) {
        Context& c = m_contexts[i];
        const bool level = best_pending(c) != 0;
        if (level != c.level) {
            c.level = level;
            m_output(i, level);
        }
    }
}

bool Plic::read(uint64_t offset, unsigned size, uint64_t& value)
{
    if (size != 4 || (offset & 3))
        return false;
    value = 0;
    if (offset < 4 * kSources) {
        value = m_priority[offset / 4];
        return true;
    }
    if (offset >= 0x1000 && offset < 0x1000 + kSources / 8) {
        const auto word = static_cast<unsigned>((offset - 0x1000) / 4);
        uint32_t bits = 0;
        for (unsigned b = 0; b < 32; ++b)
            if (m_pending[word * 32 + b])
                bits |= 1u << b;
        value = bits;
        return true;
    }
    if (offset >= 0x2000 && offset < 0x2000 + 0x80 * m_contexts.size()) {
        const auto ctx = static_cast<unsigned>((offset - 0x2000) / 0x80);
        const auto word = static_cast<unsigned>(((offset - 0x2000) % 0x80) / 4);
        value = word < m_contexts[ctx].enable.size() ? m_contexts[ctx].enable[word] : 0;
        return true;
    }
    if (offset >= 0x20'0000 && offset < 0x20'0000 + 0x1000 * m_contexts.size()) {
        const auto ctx = static_cast<unsigned>((offset - 0x20'0000) / 0x1000);
        const uint64_t reg = (offset - 0x20'0000) % 0x1000;
        if (reg == 0)
            value = m_contexts[ctx].threshold;
        else if (reg == 4)
            value = claim(m_contexts[ctx]);
        return true;
    }
    return offset < kSize;  // reserved space reads as zero
}

bool Plic::write(uint64_t offset, unsigned size, uint64_t value)
{
    if (size != 4 || (offset & 3))
        return false;
    const auto v = static_cast<uint32_t>(value);
    if (offset < 4 * kSources) {
        if (offset != 0)  // source 0 does not exist
            m_priority[offset / 4] = v & kMaxPriority;
        update();
        return true;
    }
    if (offset >= 0x2000 && offset < 0x2000 + 0x80 * m_contexts.size()) {
        const auto ctx = static_cast<unsigned>((offset - 0x2000) / 0x80);
        const auto word = static_cast<unsigned>(((offset - 0x2000) % 0x80) / 4);
        if (word < m_contexts[ctx].enable.size()) {
            m_contexts[ctx].enable[word] = word == 0 ? (v & ~1u) : v;  // source 0 cannot be enabled
            update();
        }
        return true;
    }
    if (offset >= 0x20'0000 && offset < 0x20'0000 + 0x1000 * m_contexts.size()) {
        const auto ctx = static_cast<unsigned>((offset - 0x20'0000) / 0x1000);
        const uint64_t reg = (offset - 0x20'0000) % 0x1000;
        if (reg == 0) {
            m_contexts[ctx].threshold = v & kMaxPriority;
            update();
        } else if (reg == 4) {
            complete(m_contexts[ctx], v);
        }
        return true;
    }
    return offset < kSize;  // writes to read-only or reserved registers are ignored
}

}  // namespace vireo::machine
