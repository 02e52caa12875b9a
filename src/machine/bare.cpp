// The bare-metal machine: one hart, RAM, a CLINT and HTIF. See bare.hpp.
#include "machine/bare.hpp"

#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>

#include "base/bytes.hpp"
#include "base/file.hpp"
#include "elf/elf.hpp"
#include "machine/clint.hpp"
#include "machine/htif.hpp"
#include "memory/guest_memory.hpp"
#include "riscv/hart_impl.hpp"

namespace vireo::machine {

namespace {

constexpr uint64_t kRamBase = 0x8000'0000;
// mtime advances one tick per this many instructions: deterministic, so tests repeat exactly.
constexpr uint64_t kInstructionsPerTick = 10;
// The hart runs in slices; devices (the timer) are updated between slices.
constexpr uint64_t kSlice = 1000;

class BareEnv;
using BareHart = riscv::Hart<BareEnv>;

class BareEnv {
public:
    static constexpr bool kPrivileged = true;

    BareEnv(memory::GuestMemory& ram, Htif& htif) : m_ram(ram), m_htif(htif), m_clint(1)
    {
        m_tohost_page = htif.tohost_address() & ~0xfffull;
    }

    void attach(BareHart& hart) { m_hart = &hart; }
    Clint& clint() { return m_clint; }

    uint8_t* ram_page(uint64_t paddr, riscv::Access access)
    {
        // Stores to the page holding tohost go through mmio_write so HTIF sees them at once;
        // loads and fetches from it stay direct.
        if (access == riscv::Access::Write && paddr == m_tohost_page)
            return nullptr;
        return m_ram.host_address(paddr);
    }

    bool mmio_read(uint64_t paddr, unsigned size, uint64_t& value)
    {
        if (paddr >= Clint::kBase && paddr - Clint::kBase < Clint::kSize)
            return m_clint.read(paddr - Clint::kBase, size, value);
        if ((paddr & ~0xfffull) == m_tohost_page && m_ram.contains(paddr, size)) {
            uint8_t bytes[8] = {};
            (void)m_ram.read(paddr, std::span<uint8_t>(bytes, size));
            value = load_le<uint64_t>(bytes);
            return true;
        }
        return false;
    }

    bool mmio_write(uint64_t paddr, unsigned size, uint64_t value)
    {
        if (paddr >= Clint::kBase && paddr - Clint::kBase < Clint::kSize) {
            if (!m_clint.write(paddr - Clint::kBase, size, value))
                return false;
            update_lines();
            return true;
        }
        if ((paddr & ~0xfffull) == m_tohost_page && m_ram.contains(paddr, size)) {
            uint8_t bytes[8];
            store_le<uint64_t>(bytes, value);
            (void)m_ram.write(paddr, std::span<const uint8_t>(bytes, size));
            const uint64_t tohost = m_htif.tohost_address();
            if (paddr <= tohost + 7 && paddr + size > tohost) {
                // A 64-bit command may arrive as one store, or as two 32-bit ones (low half last
                // in RV32 code); act once the doubleword is non-zero after a store to its low half.
                if (paddr == tohost) {
                    uint8_t word[8];
                    (void)m_ram.read(tohost, word);
                    m_htif.handle(load_le<uint64_t>(word));
                    if (m_htif.exited() && m_hart)
                        m_hart->request_stop();
                }
            }
            return true;
        }
        return false;
    }

    uint64_t read_time() { return m_clint.mtime(); }

    void update_lines()
    {
        if (!m_hart)
            return;
        m_hart->set_interrupt_line(riscv::MIP_MTIP, m_clint.timer_pending(0));
        m_hart->set_interrupt_line(riscv::MIP_MSIP, m_clint.software_pending(0));
    }

private:
    memory::GuestMemory& m_ram;
    Htif& m_htif;
    Clint m_clint;
    BareHart* m_hart = nullptr;
    uint64_t m_tohost_page = 0;
};

std::string hex(uint64_t v)
{
    char buffer[24];
    std::snprintf(buffer, sizeof buffer, "0x%lx", static_cast<unsigned long>(v));
    return buffer;
}

Result<void> load_segments(const elf::Image& image, memory::GuestMemory& ram, const std::string& path)
{
    for (const auto& seg : image.loads) {
        if (seg.mem_size == 0)
            continue;
        if (!ram.contains(seg.paddr, seg.mem_size))
            return Error::message(path + ": segment at " + hex(seg.paddr) + " (" + std::to_string(seg.mem_size) +
                                  " bytes) is outside RAM " + hex(ram.base()) + "-" + hex(ram.end() - 1));
        TRY(ram.write(seg.paddr, image.bytes.subspan(seg.file_offset, seg.file_size)));
        // The rest (.bss) is already zero: RAM starts zeroed.
    }
    return {};
}

}  // namespace

Result<BareOutcome> run_bare(const BareConfig& config)
{
    auto bytes = TRY(read_file(config.elf_path));
    auto image = TRY(elf::parse(bytes, config.elf_path));
    auto tohost = image.symbol("tohost");
    if (!tohost)
        return Error::message(config.elf_path + ": no 'tohost' symbol: a --bare program reports its result through HTIF");

    auto ram = TRY(memory::GuestMemory::create(kRamBase, config.mem_size));
    TRY(load_segments(image, ram, config.elf_path));
    if (!ram.contains(*tohost, 8))
        return Error::message(config.elf_path + ": 'tohost' at " + hex(*tohost) + " is outside RAM");

    Htif htif(ram, *tohost, image.symbol("fromhost"));
    BareEnv env(ram, htif);
    auto hart = std::make_unique<BareHart>(env, 0);
    env.attach(*hart);
    hart->set_pc(image.entry);
    hart->set_reg(10, 0);  // a0 = hart id, as Spike and OpenSBI expect
    hart->set_trace(config.trace);
    if (config.before_guest_runs)
        TRY(config.before_guest_runs());

    BareOutcome outcome;
    const auto start = std::chrono::steady_clock::now();
    uint64_t tick_remainder = 0;
    uint64_t slices = 0;
    for (;;) {
        uint64_t slice = kSlice;
        if (config.max_instructions) {
            if (outcome.instructions >= config.max_instructions) {
                outcome.kind = BareOutcome::Kind::InstructionLimit;
                break;
            }
            slice = std::min(slice, config.max_instructions - outcome.instructions);
        }
        const auto result = hart->run(slice);
        outcome.instructions += result.executed;
        if (htif.exited()) {
            outcome.kind = BareOutcome::Kind::Exited;
            outcome.exit_code = htif.exit_code();
            break;
        }
        // Advance time by what was executed; in WFI with a timer armed, skip ahead to it.
        tick_remainder += result.executed;
        auto& clint = env.clint();
        clint.set_mtime(clint.mtime() + tick_remainder / kInstructionsPerTick);
        tick_remainder %= kInstructionsPerTick;
        if (result.reason == riscv::StopReason::Wfi && !hart->wakeup_pending()) {
            const uint64_t deadline = clint.next_deadline();
            if (deadline != ~0ull && deadline > clint.mtime())
                clint.set_mtime(deadline);
        }
        env.update_lines();
        if (config.timeout_seconds > 0 && (++slices % 64) == 0) {
            const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
            if (elapsed.count() >= config.timeout_seconds) {
                outcome.kind = BareOutcome::Kind::Timeout;
                break;
            }
        }
    }
    std::fflush(stdout);
    return outcome;
}

}  // namespace vireo::machine

