// Hart behaviour that the assembly ISA tests cannot reach from inside the guest: interrupt lines
// driven by a device, the environment interface, and stopping. A TestEnv gives the hart 64 KiB
// of RAM at 0x8000_0000 and nothing else.
#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <vector>

#include "riscv/hart_impl.hpp"

using namespace vireo::riscv;

namespace {

constexpr uint64_t kBase = 0x8000'0000;

struct TestEnv {
    static constexpr bool kPrivileged = true;
    std::vector<uint8_t> ram = std::vector<uint8_t>(64 * 1024);
    uint64_t time = 0;
    unsigned mmio_reads = 0;

    uint8_t* ram_page(uint64_t paddr, Access)
    {
        return paddr >= kBase && paddr - kBase < ram.size() ? ram.data() + (paddr - kBase) : nullptr;
    }
    bool mmio_read(uint64_t, unsigned, uint64_t& value)
    {
        ++mmio_reads;
        value = 0;
        return false;
    }
    bool mmio_write(uint64_t, unsigned, uint64_t) { return false; }
    uint64_t read_time() { return time; }

    void put(uint64_t addr, const std::vector<uint32_t>& words)
    {
        std::memcpy(ram.data() + (addr - kBase), words.data(), words.size() * 4);
    }
};

// A few encoders, enough for these tests (unprivileged spec chapter 24 formats).
uint32_t csrrs(unsigned rd, uint16_t csr, unsigned rs1) { return (uint32_t{csr} << 20) | (rs1 << 15) | (2u << 12) | (rd << 7) | 0x73; }
uint32_t csrrc(unsigned rd, uint16_t csr, unsigned rs1) { return (uint32_t{csr} << 20) | (rs1 << 15) | (3u << 12) | (rd << 7) | 0x73; }
uint32_t addi(unsigned rd, unsigned rs1, int32_t imm) { return (static_cast<uint32_t>(imm) << 20) | (rs1 << 15) | (rd << 7) | 0x13; }
constexpr uint32_t kWfi = 0x10500073;
constexpr uint32_t kLoop = 0x0000006f;  // jal x0, 0

}  // namespace

// Privileged 1.12 §3.1.9: CSRRS/CSRRC on mip read-modify-write only the software-writable SEIP;
// the interrupt controller's line must not be latched into it.
TEST(HartInterrupts, CsrrsOnMipDoesNotLatchTheExternalSeipLine)
{
    TestEnv env;
    Hart<TestEnv> hart(env);
    env.put(kBase, {addi(5, 0, 2), csrrs(6, csr::MIP, 5), kLoop});  // t0 = SSIP; csrs mip, t0
    hart.set_pc(kBase);
    hart.set_interrupt_line(MIP_SEIP, true);
    hart.run(2);
    EXPECT_EQ(hart.reg(6) & MIP_SEIP, MIP_SEIP) << "the read shows the line";
    hart.set_interrupt_line(MIP_SEIP, false);
    EXPECT_EQ(hart.debug_read_csr(csr::MIP), MIP_SSIP) << "SEIP must drop with the line; SSIP stays set";
}

TEST(HartInterrupts, CsrrcOnMipKeepsTheLineOutOfTheSoftwareBit)
{
    TestEnv env;
    Hart<TestEnv> hart(env);
    env.put(kBase, {addi(5, 0, 2), csrrc(6, csr::MIP, 5), kLoop});  // csrc mip, SSIP
    hart.set_pc(kBase);
    hart.set_interrupt_line(MIP_SEIP, true);
    hart.run(2);
    hart.set_interrupt_line(MIP_SEIP, false);
    EXPECT_EQ(hart.debug_read_csr(csr::MIP), 0u);
}

// §3.3.3: WFI stops the hart's run so the machine can sleep, and an interrupt that becomes pending
// (even while globally disabled) makes the next WFI fall through.
TEST(HartInterrupts, WfiStopsTheRunUntilSomethingIsPending)
{
    TestEnv env;
    Hart<TestEnv> hart(env);
    env.put(kBase, {kWfi, kWfi, kLoop});
    hart.set_pc(kBase);
    hart.debug_write_csr(csr::MIE, MIP_MTIP);
    auto first = hart.run(100);
    EXPECT_EQ(first.reason, StopReason::Wfi);
    EXPECT_EQ(hart.pc(), kBase + 4);
    hart.set_interrupt_line(MIP_MTIP, true);  // mstatus.MIE = 0: pending, not taken
    auto second = hart.run(3);
    EXPECT_EQ(second.reason, StopReason::Budget);
    EXPECT_EQ(hart.pc(), kBase + 8);
}

// An enabled machine timer interrupt is taken before the next instruction, with mcause's
// interrupt bit set and mepc at the interrupted instruction (§3.1.14, §3.1.15).
TEST(HartInterrupts, EnabledTimerInterruptIsTakenAtOnce)
{
    TestEnv env;
    Hart<TestEnv> hart(env);
    env.put(kBase, {kLoop});
    env.put(kBase + 0x100, {kLoop});
    hart.set_pc(kBase);
    hart.debug_write_csr(csr::MTVEC, kBase + 0x100);
    hart.debug_write_csr(csr::MIE, MIP_MTIP);
    hart.debug_write_csr(csr::MSTATUS, MSTATUS_MIE);
    hart.run(5);
    EXPECT_EQ(hart.pc(), kBase);
    hart.set_interrupt_line(MIP_MTIP, true);
    hart.run(1);
    EXPECT_EQ(hart.pc(), kBase + 0x100);
    EXPECT_EQ(hart.debug_read_csr(csr::MCAUSE), (1ull << 63) | 7);
    EXPECT_EQ(hart.debug_read_csr(csr::MEPC), kBase);
    EXPECT_EQ(hart.debug_read_csr(csr::MSTATUS) & MSTATUS_MIE, 0u);
    EXPECT_EQ(hart.debug_read_csr(csr::MSTATUS) & MSTATUS_MPIE, MSTATUS_MPIE);
}

// Unmapped physical memory is an access fault with mtval = the address, never a host crash.
TEST(HartTraps, FetchFromNowhereIsAnAccessFault)
{
    TestEnv env;
    Hart<TestEnv> hart(env);
    env.put(kBase + 0x100, {kLoop});
    hart.debug_write_csr(csr::MTVEC, kBase + 0x100);
    hart.set_pc(0x1234'5678);
    hart.run(1);
    EXPECT_EQ(hart.debug_read_csr(csr::MCAUSE), static_cast<uint64_t>(Exception::InstructionAccessFault));
    EXPECT_EQ(hart.debug_read_csr(csr::MTVAL), 0x1234'5678u);
    EXPECT_EQ(hart.pc(), kBase + 0x100);
}

TEST(HartControl, RequestStopEndsTheRunAfterTheCurrentInstruction)
{
    TestEnv env;
    Hart<TestEnv> hart(env);
    env.put(kBase, {kLoop});
    hart.set_pc(kBase);
    hart.request_stop();
    auto r = hart.run(1000);  // run() clears a stale request first
    EXPECT_EQ(r.reason, StopReason::Budget);
    EXPECT_EQ(r.executed, 1000u);
}
