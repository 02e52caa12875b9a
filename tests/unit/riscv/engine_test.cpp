// The translator against the interpreter (issue 5): the same program, run in slices of many
// sizes, must leave both harts in the same state after every slice — registers, pc, memory, and
// the counters (instret and cycle, which the program also reads itself), with the same count of
// instructions executed. Slice sizes that end inside blocks check that the budget is exact.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "riscv/hart_impl.hpp"

using namespace vireo::riscv;

namespace {

constexpr uint64_t kBase = 0x8000'0000;

struct FlatEnv {
    static constexpr bool kPrivileged = true;
    std::vector<uint8_t> ram = std::vector<uint8_t>(64 * 1024);

    uint8_t* ram_page(uint64_t paddr, Access)
    {
        return paddr >= kBase && paddr - kBase < ram.size() ? ram.data() + (paddr - kBase) : nullptr;
    }
    bool mmio_read(uint64_t, unsigned, uint64_t& value) { value = 0; return false; }
    bool mmio_write(uint64_t, unsigned, uint64_t) { return false; }
    uint64_t read_time() { return 0; }
};

// The process VM's kind of hart: U-mode only, every trap to on_trap() (none is expected here),
// RAM a flat arena (guest address A at host base + A, as the sandbox's address space).
struct UserEnv : FlatEnv {
    static constexpr bool kPrivileged = false;
    FlatArena flat_arena() { return {reinterpret_cast<uint8_t*>(reinterpret_cast<uintptr_t>(ram.data()) - kBase), 1ull << 32}; }
    uint64_t traps = 0;
    void on_trap(Hart<UserEnv>& hart, uint64_t, uint64_t)
    {
        ++traps;
        hart.request_stop();
    }
};

uint32_t r_type(unsigned funct3, unsigned rd, unsigned rs1, unsigned rs2) { return (rs2 << 20) | (rs1 << 15) | (funct3 << 12) | (rd << 7) | 0x33; }
uint32_t addi(unsigned rd, unsigned rs1, int32_t imm) { return (static_cast<uint32_t>(imm) << 20) | (rs1 << 15) | (rd << 7) | 0x13; }
uint32_t ld(unsigned rd, unsigned rs1, int32_t imm) { return (static_cast<uint32_t>(imm) << 20) | (rs1 << 15) | (3u << 12) | (rd << 7) | 0x03; }
uint32_t sd(unsigned rs2, unsigned rs1, int32_t imm)
{
    const auto i = static_cast<uint32_t>(imm);
    return ((i >> 5) << 25) | (rs2 << 20) | (rs1 << 15) | (3u << 12) | ((i & 31) << 7) | 0x23;
}
uint32_t bne(unsigned rs1, unsigned rs2, int32_t offset)
{
    const auto o = static_cast<uint32_t>(offset);
    return (((o >> 12) & 1) << 31) | (((o >> 5) & 63) << 25) | (rs2 << 20) | (rs1 << 15) | (1u << 12) |
           (((o >> 1) & 15) << 8) | (((o >> 11) & 1) << 7) | 0x63;
}
uint32_t jal0(int32_t offset)   // jal x0, offset
{
    const auto o = static_cast<uint32_t>(offset);
    return (((o >> 20) & 1) << 31) | (((o >> 1) & 0x3ff) << 21) | (((o >> 11) & 1) << 20) | (((o >> 12) & 0xff) << 12) | 0x6f;
}
uint32_t csrr(unsigned rd, uint16_t csr) { return (uint32_t{csr} << 20) | (2u << 12) | (rd << 7) | 0x73; }
constexpr uint32_t kLoopForever = 0x0000006f;   // jal x0, 0
uint32_t fp_load(unsigned funct3, unsigned rd, unsigned rs1, int32_t imm) { return (static_cast<uint32_t>(imm) << 20) | (rs1 << 15) | (funct3 << 12) | (rd << 7) | 0x07; }
uint32_t fp_store(unsigned funct3, unsigned rs2, unsigned rs1, int32_t imm)
{
    const auto i = static_cast<uint32_t>(imm);
    return ((i >> 5) << 25) | (rs2 << 20) | (rs1 << 15) | (funct3 << 12) | ((i & 31) << 7) | 0x27;
}
constexpr unsigned kW = 2, kD = 3;   // FLW/FSW, FLD/FSD

// Sums a countdown through memory, mixing in instret and cycle as read by the program, then
// writes the next array element from a register the translator keeps in a host one (a0).
std::vector<uint32_t> program()
{
    return {
        addi(10, 0, 0),              // a0 = 0
        addi(12, 0, 300),            // a2 = 300 (a1 = the array, set by the test)
        sd(12, 11, 0),               // loop: *a1 = a2
        ld(13, 11, 0),               // a3 = *a1
        r_type(0, 10, 10, 13),       // a0 += a3
        csrr(14, csr::MINSTRET),     // a4 = instret
        r_type(4, 10, 10, 14),       // a0 ^= a4
        csrr(15, csr::MCYCLE),       // a5 = cycle
        r_type(0, 10, 10, 15),       // a0 += a5
        sd(10, 11, 8),               // a1[1] = a0
        addi(11, 11, 8),             // a1 += 8
        addi(12, 12, -1),            // a2 -= 1
        bne(12, 0, -40),             // back to loop
        kLoopForever,
    };
}

// In the process VM, FP loads and stores are translated inline: words NaN-boxed, doublewords
// whole, one of each across a page boundary (the slow path), values changing every round.
std::vector<uint32_t> fp_program()
{
    return {
        addi(12, 0, 40),             // a2 = 40 (a1 = the array, a6 = 4 bytes before a page's end)
        ld(13, 11, 0),               // loop: a3 = a1[0]
        addi(13, 13, 77),            // a3 += 77
        sd(13, 11, 0),               // a1[0] = a3
        fp_load(kD, 1, 11, 0),       // f1 = a1[0]
        fp_store(kD, 1, 11, 8),      // a1[1] = f1
        fp_load(kW, 2, 11, 4),       // f2 = the high word of a1[0], NaN-boxed
        fp_store(kW, 2, 11, 16),     // the low word of a1[2] = f2
        fp_store(kD, 1, 16, 0),      // across the page boundary
        fp_load(kD, 3, 16, 0),       // and back, into f3
        fp_load(kW, 4, 16, 2),       // a word across it too
        fp_store(kW, 4, 11, 20),
        addi(12, 12, -1),            // a2 -= 1
        bne(12, 0, -48),             // back to loop
        kLoopForever,
    };
}

// A loop whose 32-bit ADD straddles the end of the first page (flat memory translates it).
std::vector<uint32_t> crossing_program()
{
    std::vector<uint8_t> bytes(0x1010);
    auto put32 = [&](size_t at, uint32_t w) { std::memcpy(&bytes[at], &w, 4); };
    put32(0x000, addi(12, 0, 300));                          // a2 = 300
    put32(0x004, jal0(0xfec));                               // j 0xff0
    put32(0xff0, addi(10, 10, 1));                           // loop: a0 += 1
    put32(0xff4, addi(11, 11, 3));                           // a1 += 3
    bytes[0xff8] = 0x01; bytes[0xff9] = 0x00;                // c.nop
    put32(0xffa, addi(13, 13, 5));                           // a3 += 5
    put32(0xffe, r_type(0, 14, 14, 10));                     // a4 += a0, across the page's end
    put32(0x1002, addi(12, 12, -1));                         // a2 -= 1
    put32(0x1006, bne(12, 0, -0x16));                        // back to loop
    put32(0x100a, kLoopForever);
    std::vector<uint32_t> words(bytes.size() / 4 + 1);
    std::memcpy(words.data(), bytes.data(), bytes.size());
    return words;
}

template <typename Env>
struct Machine {
    Env env;
    Hart<Env> hart{env};

    Machine(Engine engine, const std::vector<uint32_t>& code)
    {
        std::memcpy(env.ram.data(), code.data(), code.size() * 4);
        hart.set_engine(engine);
        hart.set_pc(kBase);
        hart.set_reg(11, kBase + 0x4000);
        hart.set_reg(16, kBase + 0x6000 - 4);
    }
};

// Runs `code` on both engines in slices of `slice` instructions; returns the translating hart's
// machine for the caller's own checks.
template <typename Env>
void expect_engines_agree(const std::vector<uint32_t>& code, uint64_t slice)
{
    Machine<Env> interp(Engine::Interpreter, code), jit(Engine::Jit, code);
    uint64_t total = 0;
    while (total < 5000) {
        const RunResult a = interp.hart.run(slice);
        const RunResult b = jit.hart.run(slice);
        total += a.executed;
        ASSERT_EQ(a.executed, b.executed) << "after " << total;
        ASSERT_EQ(interp.hart.pc(), jit.hart.pc()) << "after " << total;
        for (unsigned i = 0; i < 32; ++i) {
            ASSERT_EQ(interp.hart.reg(i), jit.hart.reg(i)) << "x" << i << " after " << total;
            ASSERT_EQ(interp.hart.freg(i), jit.hart.freg(i)) << "f" << i << " after " << total;
        }
        ASSERT_EQ(interp.hart.instret(), jit.hart.instret()) << "after " << total;
        ASSERT_EQ(interp.hart.cycle(), jit.hart.cycle()) << "after " << total;
        ASSERT_EQ(interp.hart.debug_read_csr(csr::MSTATUS), jit.hart.debug_read_csr(csr::MSTATUS)) << "after " << total;
        ASSERT_EQ(interp.env.ram, jit.env.ram) << "after " << total;
    }
    EXPECT_EQ(jit.hart.reg(12), 0u) << "the loop ran to its end";
    EXPECT_GT(jit.hart.blocks_translated(), 0u) << "the translator really ran";
}

}  // namespace

class EnginesAgree : public ::testing::TestWithParam<uint64_t> {};

TEST_P(EnginesAgree, AfterEverySlice)
{
    expect_engines_agree<FlatEnv>(program(), GetParam());
}

TEST_P(EnginesAgree, OnAnInstructionAcrossAPageInTheProcessVm)
{
    expect_engines_agree<UserEnv>(crossing_program(), GetParam());
    Machine<UserEnv> jit(Engine::Jit, crossing_program());
    jit.hart.run(5000);
    EXPECT_EQ(jit.env.traps, 0u);
    EXPECT_EQ(jit.hart.reg(14), 300u * 301u / 2u);
}

TEST_P(EnginesAgree, OnFpLoadsAndStoresInTheProcessVm)
{
    expect_engines_agree<UserEnv>(fp_program(), GetParam());
    Machine<UserEnv> jit(Engine::Jit, fp_program());
    jit.hart.run(5000);
    EXPECT_EQ(jit.env.traps, 0u);
    EXPECT_EQ(jit.hart.freg(2) >> 32, 0xffffffffu) << "FLW NaN-boxes";
    EXPECT_NE(jit.hart.freg(3), 0u);
}

INSTANTIATE_TEST_SUITE_P(SliceSizes, EnginesAgree, ::testing::Values(1, 2, 3, 7, 11, 64, 333, 1000, 5000));
