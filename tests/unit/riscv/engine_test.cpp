// The translator against the interpreter (issue 5): the same program, run in slices of many
// sizes, must leave both harts in the same state after every slice — registers, pc, memory, and
// the counters (instret and cycle, which the program also reads itself), with the same count of
// instructions executed. Slice sizes that end inside blocks check that the budget is exact.
#include <gtest/gtest.h>

#include <array>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "riscv/hart_impl.hpp"
#include "riscv/jit/loops.hpp"

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
uint32_t i_type(uint32_t opcode, unsigned funct3, unsigned rd, unsigned rs1, uint32_t imm12)
{
    return (imm12 << 20) | (rs1 << 15) | (funct3 << 12) | (rd << 7) | opcode;
}
uint32_t branch(unsigned funct3, unsigned rs1, unsigned rs2, int32_t offset) { return (bne(rs1, rs2, offset) & ~(7u << 12)) | (funct3 << 12); }
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

// Superblocks (jit::BlockFormer): a block from 0x00 whose first branch, a loop back to 0x08, is a
// side exit; the block from 0x08, whose first branch loops to its own start without leaving and
// whose second one ends it; a block from 0x28 whose first branch, forward, is a side exit; a CSR
// `helper`, an instruction translated as a call of the interpreter's, after a side exit.
std::vector<uint32_t> superblock_program(uint32_t helper)
{
    return {
        addi(12, 0, 20),                   // 0x00: a2 = 20
        addi(13, 0, 6),                    // 0x04: a3 = 6
        addi(12, 12, -1),                  // 0x08: inner: a2 -= 1
        r_type(0, 10, 10, 12),             // 0x0c: a0 += a2
        helper,                            // 0x10: a4 = instret, or an atomic's result
        r_type(4, 10, 10, 14),             // 0x14: a0 ^= a4
        bne(12, 0, -0x10),                 // 0x18: back to inner while a2
        addi(13, 13, -1),                  // 0x1c: a3 -= 1
        i_type(0x13, 7, 5, 13, 1),         // 0x20: t0 = a3 & 1
        branch(0, 5, 0, 0x1c),             // 0x24: if even, to 0x40
        branch(0, 13, 0, 0x20),            // 0x28: next: if a3 == 0, to the end (0x48)
        addi(12, 0, 20),                   // 0x2c: a2 = 20
        sd(10, 11, 0),                     // 0x30: *a1 = a0
        addi(11, 11, 8),                   // 0x34: a1 += 8
        jal0(-0x30),                       // 0x38: to inner
        addi(0, 0, 0),                     // 0x3c: nop
        addi(10, 10, 3),                   // 0x40: a0 += 3
        jal0(-0x1c),                       // 0x44: to next
        kLoopForever,                      // 0x48
    };
}

// Selects (jit::Shadow): short forward branches over register-only instructions, translated
// without a jump. A CRC step whose shadow writes a host-register guest (a0) and one kept in memory
// (t1); a four-instruction shadow writing two memory-kept ones; a branch over five, which is a
// branch (a side exit) and not a select. The data (a3) is a pseudo-random sequence, so the branches
// go both ways.
std::vector<uint32_t> select_program()
{
    const uint32_t mul = (1u << 25) | r_type(0, 13, 13, 15);
    return {
        addi(12, 0, 180),                  // 0x00: a2 = 180 rounds
        addi(14, 0, 0x500),                // 0x04: a4 = 0x500
        i_type(0x13, 1, 14, 14, 5),        // 0x08: a4 <<= 5
        addi(14, 14, 1),                   // 0x0c: a4 = 0xa001, the polynomial
        addi(15, 0, 0x41),                 // 0x10: a5 = 65
        addi(13, 0, 7),                    // 0x14: a3 = 7
        mul,                               // 0x18: loop: a3 *= a5
        addi(13, 13, 0x39),                // 0x1c: a3 += 57
        r_type(4, 5, 13, 10),              // 0x20: t0 = a3 ^ a0
        i_type(0x13, 7, 5, 5, 1),          // 0x24: t0 &= 1
        i_type(0x13, 5, 10, 10, 1),        // 0x28: a0 >>= 1
        branch(0, 5, 0, 12),               // 0x2c: if t0 == 0, to 0x38 (a select)
        r_type(4, 10, 10, 14),             // 0x30: a0 ^= a4
        addi(6, 6, 1),                     // 0x34: t1 += 1
        i_type(0x13, 5, 7, 13, 3),         // 0x38: t2 = a3 >> 3
        i_type(0x13, 7, 7, 7, 7),          // 0x3c: t2 &= 7
        branch(6, 7, 15, 20),              // 0x40: if t2 <u a5, to 0x54 (a select: always taken)
        r_type(0, 9, 9, 13),               // 0x44: s1 += a3
        i_type(0x13, 1, 9, 9, 1),          // 0x48: s1 <<= 1
        i_type(0x13, 4, 9, 9, 0x55),       // 0x4c: s1 ^= 0x55
        (0x20u << 25) | r_type(0, 6, 6, 9),// 0x50: t1 -= s1
        branch(0, 7, 0, 20),               // 0x54: if t2 == 0, to 0x68 (a select)
        r_type(0, 9, 9, 13),               // 0x58: s1 += a3
        i_type(0x13, 1, 9, 9, 1),          // 0x5c: s1 <<= 1
        i_type(0x13, 4, 9, 9, 0x55),       // 0x60: s1 ^= 0x55
        (0x20u << 25) | r_type(0, 6, 6, 9),// 0x64: t1 -= s1
        i_type(0x13, 7, 7, 13, 16),        // 0x68: t2 = a3 & 16
        branch(1, 7, 0, 24),               // 0x6c: if t2 != 0, to 0x84 (five: a branch)
        addi(9, 9, 3),                     // 0x70: s1 += 3, five times
        addi(9, 9, 3),
        addi(9, 9, 3),
        addi(9, 9, 3),
        addi(9, 9, 3),
        addi(12, 12, -1),                  // 0x84: a2 -= 1
        bne(12, 0, -0x70),                 // 0x88: back to loop
        kLoopForever,
    };
}

// Borrowed host registers (a block that loops to its own start keeps memory-kept guest registers
// it writes, t0, t1 and s1 here, in host registers of mapped ones it does not name): a loop
// with a store and a load moving through memory (slow paths on TLB misses), a `helper` (an instruction the interpreter
// runs), a side exit every eighth round to a block that comes back, and budget exits anywhere.
std::vector<uint32_t> borrow_program(uint32_t helper)
{
    return {
        addi(5, 0, 0),                     // 0x00: t0 = 0
        addi(6, 0, 90),                    // 0x04: t1 = 90
        addi(9, 0, 0),                     // 0x08: s1 = 0
        r_type(0, 5, 5, 6),                // 0x0c: loop: t0 += t1
        sd(5, 11, 0),                      // 0x10: *a1 = t0
        ld(9, 11, 0),                      // 0x14: s1 = *a1
        helper,                            // 0x18: a4 = instret, or an atomic's result
        r_type(4, 5, 5, 9),                // 0x1c: t0 ^= s1
        addi(11, 11, 0x88),                // 0x20: a1 += 136 (a new page now and then: TLB misses)
        i_type(0x13, 7, 7, 6, 7),          // 0x24: t2 = t1 & 7
        branch(0, 7, 0, 0x18),             // 0x28: if t2 == 0, to 0x40
        addi(6, 6, -1),                    // 0x2c: next: t1 -= 1
        bne(6, 0, -0x24),                  // 0x30: back to loop
        sd(5, 11, 8),                      // 0x34: a1[1] = t0
        jal0(0x14),                        // 0x38: to the end (0x4c)
        addi(0, 0, 0),                     // 0x3c: nop
        addi(9, 9, 5),                     // 0x40: s1 += 5
        r_type(0, 5, 5, 9),                // 0x44: t0 += s1
        jal0(-0x1c),                       // 0x48: to next (0x2c)
        kLoopForever,                      // 0x4c
    };
}

// The same in the process VM with an FP instruction whose result the translator leaves to the
// interpreter from a cold path (inf + -inf: a NaN) inside the borrowing loop.
std::vector<uint32_t> fp_borrow_program()
{
    const uint32_t fmv_d_x_f1 = (0x79u << 25) | (7u << 15) | (1u << 7) | 0x53;   // fmv.d.x f1, t2
    const uint32_t fmv_d_x_f2 = (0x79u << 25) | (7u << 15) | (2u << 7) | 0x53;   // fmv.d.x f2, t2
    const uint32_t fadd_d = (1u << 25) | (2u << 20) | (1u << 15) | (3u << 7) | 0x53;   // fadd.d f3, f1, f2 (RNE)
    return {
        addi(6, 0, 40),                    // 0x00: t1 = 40
        addi(7, 0, 0x7ff),                 // 0x04: t2 = 0x7ff
        i_type(0x13, 1, 7, 7, 52),         // 0x08: t2 <<= 52: +inf
        fmv_d_x_f1,                        // 0x0c: f1 = +inf
        addi(7, 0, -1),                    // 0x10: t2 = -1
        i_type(0x13, 1, 7, 7, 52),         // 0x14: t2 <<= 52: -inf
        fmv_d_x_f2,                        // 0x18: f2 = -inf
        fadd_d,                            // 0x1c: loop: f3 = f1 + f2, a NaN
        fp_store(kD, 3, 11, 16),           // 0x20: a1[2] = f3
        addi(5, 5, 3),                     // 0x24: t0 += 3
        r_type(0, 5, 5, 6),                // 0x28: t0 += t1
        addi(6, 6, -1),                    // 0x2c: t1 -= 1
        bne(6, 0, -0x14),                  // 0x30: back to loop
        kLoopForever,
    };
}

// Jumps a block follows (jit::BlockFormer): forward over code that never runs, to a detour after
// the loop and back; loads into memory-kept registers compared at once, in a side exit and in a
// select, after a followed jump, and after a load's slow path (a6: across a page's end).
std::vector<uint32_t> jump_program()
{
    std::vector<uint32_t> code(0x70 / 4, addi(5, 5, 7));   // (t0 += 7: where nothing should run)
    auto at = [&](uint32_t address, uint32_t instruction) { code[address / 4] = instruction; };
    at(0x00, addi(12, 0, 60));           // a2 = 60 rounds
    at(0x04, sd(12, 16, 0));             // *a6 = a2, across a page's end
    at(0x08, ld(6, 11, 0));              // loop: t1 = a1[0]
    at(0x0c, jal0(0x30 - 0x0c));         // j 0x30
    at(0x30, bne(6, 12, 8));             // if (t1 == a2)
    at(0x34, addi(10, 10, 1));           //     a0 += 1
    at(0x38, ld(7, 16, 0));              // t2 = *a6: its slow path
    at(0x3c, branch(0, 7, 10, 8));       // if (t2 != a0)
    at(0x40, addi(9, 9, 3));             //     s1 += 3
    at(0x44, sd(10, 11, 0));             // a1[0] = a0
    at(0x48, jal0(0x60 - 0x48));         // j 0x60
    at(0x4c, addi(12, 12, -1));          // a2 -= 1
    at(0x50, bne(12, 0, 0x08 - 0x50));   // back to loop
    at(0x54, kLoopForever);
    at(0x60, branch(4, 6, 0, 8));        // detour: if (t1 >= 0)
    at(0x64, addi(9, 9, 5));             //     s1 += 5
    at(0x68, jal0(0x4c - 0x68));         // j 0x4c
    return code;
}

uint32_t jal(unsigned rd, int32_t offset) { return jal0(offset) | (rd << 7); }
uint32_t jalr(unsigned rd, unsigned rs1, int32_t imm) { return i_type(0x67, 0, rd, rs1, static_cast<uint32_t>(imm) & 0xfff); }
constexpr uint32_t kFenceI = 0x0000100f;

// A loop of several blocks (jit::PageLoops: in the process VM they share one plan of host
// registers for the memory-kept s1-s4 it writes, in those of sp, a2, a3 and a4, which it never
// names, and jump to each other past their moves), with calls the blocks follow: one through s4,
// whose target changes every round (the guess made when its block was formed fails half the time), a
// direct one right after a load whose value the callee compares at once, and their returns; one
// more call, which a block that followed two does not follow, to code on no loop (no plan). The
// call through s4 to the target its block did not guess goes to a variant of the callee formed
// for that call (jit::CallContext). Side exits inside the loop, an atomic (the interpreter's) and,
// every 16 rounds, a rewrite of f2 (s1 += 9 <-> + 10), every 32 of f1 (a0 = s3 + 3 <-> + 0) and
// the loop's first instruction (s3 += 5 <-> s3 += 6) too, and FENCE.I. (The loop's first block is
// formed in the second round, when s4 is f1: it follows that call, and keeps its bytes over f2's
// rewrites, which its variant for f2 must not.)
std::vector<uint32_t> loop_program()
{
    std::vector<uint32_t> code(0x108 / 4, addi(31, 31, 7));   // (t6 += 7: where nothing should run)
    auto at = [&](uint32_t address, uint32_t instruction) { code[address / 4] = instruction; };
    const uint32_t amoadd_d_t2 = (9u << 20) | (11u << 15) | (3u << 12) | (7u << 7) | 0x2f;   // t2 = *a1, *a1 += s1
    at(0x00, addi(12, 0, 0));              // a2 = 0
    at(0x04, addi(18, 0, 120));            // s2 = 120 rounds
    at(0x08, addi(19, 0, 7));              // s3 = 7
    at(0x0c, 0x00000a97);                  // auipc s5, 0
    at(0x10, addi(20, 21, 0xb0 - 0x0c));   // s4 = f2
    at(0x14, 0x00300eb7);                  // lui t4, 0x300: what turns s3 += 5 into s3 += 6 and back
    at(0x18, addi(19, 19, 5));             // loop: s3 += 5
    at(0x1c, i_type(0x13, 7, 5, 19, 3));   // t0 = s3 & 3
    at(0x20, branch(0, 5, 0, 0x14));       // if (t0 == 0) to 0x34
    at(0x24, r_type(0, 9, 9, 19));         //     s1 += s3
    at(0x28, jalr(1, 20, 0));              //     call *s4
    at(0x2c, r_type(0, 9, 9, 10));         //     s1 += a0
    at(0x30, jal(1, 0xb0 - 0x30));         //     call f2 (a block's third call: not followed)
    at(0x34, ld(30, 11, 16));              // else, and after that call: t5 = a1[2] (0)
    at(0x38, jal(1, 0xc0 - 0x38));         //     call f3
    at(0x3c, i_type(0x13, 4, 20, 20, 0x10)); // s4 ^= 0x10: f1 <-> f2
    at(0x40, amoadd_d_t2);                 // t2 = *a1, *a1 += s1
    at(0x44, i_type(0x13, 7, 6, 18, 15));  // t1 = s2 & 15
    at(0x48, bne(6, 0, 0x60 - 0x48));      // if (t1 == 0)
    at(0x4c, jal0(0xd0 - 0x4c));           //     rewrite (out of line)
    at(0x60, addi(18, 18, -1));            // s2 -= 1
    at(0x64, bne(18, 0, 0x18 - 0x64));     // back to loop
    at(0x68, sd(19, 11, 8));               // a1[1] = s3
    at(0x6c, kLoopForever);
    at(0xa0, addi(10, 19, 3));             // f1: a0 = s3 + 3
    at(0xa4, jalr(0, 1, 0));               //     ret
    at(0xb0, addi(9, 9, 9));               // f2: s1 += 9
    at(0xb4, jalr(0, 1, 0));               //     ret
    at(0xc0, branch(0, 30, 0, 8));         // f3: if (t5 != 0)   (compares the value loaded before the call)
    at(0xc4, addi(9, 9, 1));               //         s1 += 1
    at(0xc8, jalr(0, 1, 0));               //     ret
    auto rewrite = [&](uint32_t address, uint32_t rewritten) {   // (three instructions)
        at(address, i_type(0x03, 2, 28, 21, rewritten - 0x0c));                          // t3 = it
        at(address + 4, r_type(4, 28, 28, 29));                                           // t3 ^= t4
        at(address + 8, sd(28, 21, static_cast<int32_t>(rewritten) - 0x0c) & ~(1u << 12));   // sw: rewritten
    };
    at(0xd0, sd(9, 11, 0));                // rewrite: *a1 = s1
    rewrite(0xd4, 0xb0);                   //     f2's instruction
    at(0xe0, i_type(0x13, 7, 6, 18, 16));  //     t1 = s2 & 16
    at(0xe4, bne(6, 0, 0x100 - 0xe4));     //     if (t1 == 0) (every 32 rounds: the block at the
    rewrite(0xe8, 0xa0);                   //         loop's start, which follows the call to f1,
    rewrite(0xf4, 0x18);                   //         outlives the others) f1's and the loop's first
    at(0x100, kFenceI);                    //     fence.i
    at(0x104, jal0(0x60 - 0x104));         //     back
    return code;
}

// A loop calling, in turn, two functions on other pages whose addresses share a set of the jump
// table (they are 0x2000 apart), each call and return an indirect jump.
std::vector<uint32_t> aliased_calls_program()
{
    std::vector<uint32_t> code(0x3108 / 4, addi(31, 31, 7));   // (t6 += 7: where nothing should run)
    auto at = [&](uint32_t address, uint32_t instruction) { code[address / 4] = instruction; };
    at(0x00, addi(18, 0, 400));            // s2 = 400 rounds
    at(0x04, 0x00000a97);                  // auipc s5, 0
    at(0x08, 0x000012b7);                  // lui t0, 0x1
    at(0x0c, r_type(0, 20, 21, 5));        // s4 = s5 + t0
    at(0x10, addi(20, 20, 0x100 - 4));     // s4 = f
    at(0x14, 0x00002eb7);                  // lui t4, 0x2: f ^ t4 = g
    at(0x18, jalr(1, 20, 0));              // loop: call *s4
    at(0x1c, r_type(0, 9, 9, 10));         // s1 += a0
    at(0x20, r_type(4, 20, 20, 29));       // s4 ^= t4
    at(0x24, addi(18, 18, -1));            // s2 -= 1
    at(0x28, bne(18, 0, 0x18 - 0x28));    // back to loop
    at(0x2c, kLoopForever);
    at(0x1100, addi(10, 9, 3));            // f: a0 = s1 + 3
    at(0x1104, jalr(0, 1, 0));             //    ret
    at(0x3100, addi(10, 9, 5));            // g: a0 = s1 + 5
    at(0x3104, jalr(0, 1, 0));             //    ret
    return code;
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

TEST_P(EnginesAgree, InSuperblocks)
{
    expect_engines_agree<FlatEnv>(superblock_program(csrr(14, csr::MINSTRET)), GetParam());
    // (U-mode may not read instret) a4 = *a1, *a1 += a0
    const uint32_t amoadd_d = (10u << 20) | (11u << 15) | (3u << 12) | (14u << 7) | 0x2f;
    expect_engines_agree<UserEnv>(superblock_program(amoadd_d), GetParam());
}

TEST_P(EnginesAgree, InLoopsWithBorrowedRegisters)
{
    expect_engines_agree<FlatEnv>(borrow_program(csrr(14, csr::MINSTRET)), GetParam());
    const uint32_t amoadd_d = (10u << 20) | (11u << 15) | (3u << 12) | (14u << 7) | 0x2f;   // a4 = *a1, *a1 += a0
    expect_engines_agree<UserEnv>(borrow_program(amoadd_d), GetParam());
    Machine<UserEnv> jit(Engine::Jit, borrow_program(amoadd_d));
    jit.hart.run(5000);
    EXPECT_EQ(jit.hart.reg(6), 0u) << "the loop ran to its end";
    EXPECT_EQ(jit.hart.pc(), kBase + 0x4c);
    expect_engines_agree<UserEnv>(fp_borrow_program(), GetParam());
}

TEST_P(EnginesAgree, AcrossJumpsBlocksFollow)
{
    expect_engines_agree<FlatEnv>(jump_program(), GetParam());
    expect_engines_agree<UserEnv>(jump_program(), GetParam());
    Machine<FlatEnv> jit(Engine::Jit, jump_program());
    jit.hart.run(5000);
    EXPECT_EQ(jit.hart.pc(), kBase + 0x54);
    EXPECT_EQ(jit.hart.reg(5), 0u) << "no code that is jumped over ran";
}

TEST_P(EnginesAgree, InLoopsOfSeveralBlocksAndTheCallsTheyFollow)
{
    expect_engines_agree<FlatEnv>(loop_program(), GetParam());
    expect_engines_agree<UserEnv>(loop_program(), GetParam());
    // Translated only once warm: a call's other target runs its ordinary block until its variant
    // is warm too (the call's exit must not go to that block's entry for borrowers).
    const char* warm = std::getenv("VIREO_JIT_WARM");
    const std::string was = warm ? warm : "";
    ::setenv("VIREO_JIT_WARM", "3", 1);
    expect_engines_agree<UserEnv>(loop_program(), GetParam());
    if (warm)
        ::setenv("VIREO_JIT_WARM", was.c_str(), 1);
    else
        ::unsetenv("VIREO_JIT_WARM");
    Machine<UserEnv> jit(Engine::Jit, loop_program());
    jit.hart.run(5000);
    EXPECT_EQ(jit.env.traps, 0u);
    EXPECT_EQ(jit.hart.pc(), kBase + 0x6c);
    EXPECT_EQ(jit.hart.reg(18), 0u) << "the loop ran to its end";
    EXPECT_EQ(jit.hart.reg(31), 0u) << "no code that is jumped over ran";
}

TEST_P(EnginesAgree, ThroughJumpsWhoseTargetsShareATableSet)
{
    expect_engines_agree<FlatEnv>(aliased_calls_program(), GetParam());
    expect_engines_agree<UserEnv>(aliased_calls_program(), GetParam());
}

// Both targets stay in the jump table: the calls and returns do not leave translated code.
TEST(JumpTable, KeepsTwoTargetsThatShareASet)
{
    auto check = [](auto& jit) {
        jit.hart.run(20000);
        EXPECT_EQ(jit.hart.pc(), kBase + 0x2c);
        EXPECT_EQ(jit.hart.reg(31), 0u) << "no code that is jumped over ran";
        EXPECT_LT(jit.hart.translated_runs(), 100u) << "for 400 rounds";
    };
    Machine<FlatEnv> paged(Engine::Jit, aliased_calls_program());
    check(paged);
    Machine<UserEnv> flat(Engine::Jit, aliased_calls_program());
    check(flat);
}

TEST_P(EnginesAgree, InSelects)
{
    expect_engines_agree<FlatEnv>(select_program(), GetParam());
    expect_engines_agree<UserEnv>(select_program(), GetParam());
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

// Every inline integer form on every kind of register: x0, guest registers the translator keeps in
// host ones (sp, a0, a5) and ones it keeps in memory (t1, s1), as rd, rs1 and rs2 in every
// combination, aliases included (the translator builds results in rd's host register when it can).
// Each instruction's operands are loaded fresh from a table of awkward values and its result (or a
// branch's direction) stored to its own slot, so any wrong result shows in memory.
namespace {

constexpr unsigned kKinds[] = {0, 2, 10, 15, 6, 9};
constexpr unsigned kSeeds = 19, kResults = 21, kTaken = 20;   // s3, s5, s4: not among the kinds
constexpr uint64_t kSeedValues[] = {0, 1, ~0ull, 0x8000000000000000ull, 0x7fffffffffffffffull, 0x00000000ffffffffull,
                                    0x123456789abcdef0ull, 0xfffffffe80000001ull};


// One program: for each (rd, rs1, rs2), load the operands, run `make(rd, rs1, rs2)` (`instructions`
// times: `make` may give a different one each time), store rd.
// Over `variant` 0-7, each combination sees every seed value in rs1 and in rs2.
template <typename Make>
std::vector<uint32_t> all_register_kinds(Make make, bool is_branch, unsigned variant, unsigned instructions = 1)
{
    std::vector<uint32_t> code;
    unsigned slot = 0;
    for (unsigned rd : kKinds)
        for (unsigned rs1 : kKinds)
            for (unsigned rs2 : kKinds) {
                if (is_branch && rd != kKinds[0])
                    continue;   // a branch has no rd
                if (rs1) code.push_back(ld(rs1, kSeeds, static_cast<int32_t>(((slot * 3 + variant) % 8) * 8)));
                if (rs2 && rs2 != rs1) code.push_back(ld(rs2, kSeeds, static_cast<int32_t>(((slot * 5 + 1 + variant * 3) % 8) * 8)));
                if (is_branch) {
                    code.push_back(make(rd, rs1, rs2));                          // skips the next when taken
                    code.push_back(addi(kTaken, kTaken, static_cast<int32_t>(slot + 1)));
                    code.push_back(sd(kTaken, kResults, static_cast<int32_t>(slot * 8)));
                } else {
                    for (unsigned i = 0; i < instructions; ++i)
                        code.push_back(make(rd, rs1, rs2));
                    code.push_back(sd(rd, kResults, static_cast<int32_t>(slot * 8)));
                }
                ++slot;
            }
    code.push_back(kLoopForever);
    return code;
}

template <typename Env>
void expect_same_results(const std::vector<uint32_t>& code, const std::string& what)
{
    // Straight-line code runs once: it is translated only if translated at first sight (ctest sets
    // this for the unit tests, but not for their interp.* copies, which still use Engine::Jit here).
    ::setenv("VIREO_JIT_WARM", "0", 1);
    auto run = [&](Engine engine) {
        auto m = std::make_unique<Machine<Env>>(engine, code);
        std::memcpy(m->env.ram.data() + 0x8000, kSeedValues, sizeof kSeedValues);
        m->hart.set_reg(kSeeds, kBase + 0x8000);
        m->hart.set_reg(kResults, kBase + 0x9000);
        m->hart.run(code.size() + 10);
        return m;
    };
    const auto interp = run(Engine::Interpreter), jit = run(Engine::Jit);
    ASSERT_EQ(interp->hart.pc(), jit->hart.pc()) << what;
    ASSERT_EQ(interp->hart.pc(), kBase + (code.size() - 1) * 4) << what << ": the program ran to its end";
    for (unsigned i = 0; i < 32; ++i)
        ASSERT_EQ(interp->hart.reg(i), jit->hart.reg(i)) << what << ": x" << i;
    for (size_t slot = 0; slot < 256; ++slot) {
        uint64_t a = 0, b = 0;
        std::memcpy(&a, interp->env.ram.data() + 0x9000 + slot * 8, 8);
        std::memcpy(&b, jit->env.ram.data() + 0x9000 + slot * 8, 8);
        ASSERT_EQ(a, b) << what << ": result " << slot;
    }
    EXPECT_GT(jit->hart.blocks_translated(), 0u);
}

struct Form {
    const char* name;
    uint32_t opcode, funct3, funct7_or_imm;   // R-type: funct7; I-type: the 12-bit immediate
    bool r_type = true;
};

const Form kForms[] = {
    {"add", 0x33, 0, 0}, {"sub", 0x33, 0, 0x20}, {"sll", 0x33, 1, 0}, {"slt", 0x33, 2, 0}, {"sltu", 0x33, 3, 0},
    {"xor", 0x33, 4, 0}, {"srl", 0x33, 5, 0}, {"sra", 0x33, 5, 0x20}, {"or", 0x33, 6, 0}, {"and", 0x33, 7, 0},
    {"mul", 0x33, 0, 1}, {"mulh", 0x33, 1, 1}, {"mulhsu", 0x33, 2, 1}, {"mulhu", 0x33, 3, 1}, {"div", 0x33, 4, 1},
    {"remu", 0x33, 7, 1},
    {"addw", 0x3b, 0, 0}, {"subw", 0x3b, 0, 0x20}, {"sllw", 0x3b, 1, 0}, {"srlw", 0x3b, 5, 0}, {"sraw", 0x3b, 5, 0x20},
    {"mulw", 0x3b, 0, 1},
    {"sh1add", 0x33, 2, 0x10}, {"sh2add", 0x33, 4, 0x10}, {"sh3add", 0x33, 6, 0x10}, {"add.uw", 0x3b, 0, 0x04},
    {"sh1add.uw", 0x3b, 2, 0x10}, {"sh2add.uw", 0x3b, 4, 0x10}, {"sh3add.uw", 0x3b, 6, 0x10},
    {"andn", 0x33, 7, 0x20}, {"orn", 0x33, 6, 0x20}, {"xnor", 0x33, 4, 0x20}, {"max", 0x33, 6, 0x05},
    {"maxu", 0x33, 7, 0x05}, {"min", 0x33, 4, 0x05}, {"minu", 0x33, 5, 0x05}, {"rol", 0x33, 1, 0x30},
    {"ror", 0x33, 5, 0x30}, {"rolw", 0x3b, 1, 0x30}, {"rorw", 0x3b, 5, 0x30},
    {"addi -1", 0x13, 0, 0xfff, false}, {"addi 0", 0x13, 0, 0, false}, {"addi 2047", 0x13, 0, 0x7ff, false},
    {"addi -2048", 0x13, 0, 0x800, false}, {"slti", 0x13, 2, 0xffe, false}, {"sltiu", 0x13, 3, 0x005, false},
    {"xori", 0x13, 4, 0xfff, false}, {"ori", 0x13, 6, 0x555, false}, {"andi", 0x13, 7, 0x8f0, false},
    {"slli", 0x13, 1, 37, false}, {"srli", 0x13, 5, 33, false}, {"srai", 0x13, 5, 0x400 | 63, false},
    {"rori", 0x13, 5, 0x600 | 13, false}, {"sext.b", 0x13, 1, 0x604, false}, {"sext.h", 0x13, 1, 0x605, false},
    {"rev8", 0x13, 5, 0x6b8, false}, {"zext.h", 0x3b, 4, 0x080, false},
    {"addiw", 0x1b, 0, 0x800, false}, {"slliw", 0x1b, 1, 31, false}, {"srliw", 0x1b, 5, 7, false},
    {"sraiw", 0x1b, 5, 0x400 | 9, false}, {"slli.uw", 0x1b, 1, 0x080 | 3, false},
    {"lui", 0x37, 0, 0, false}, {"auipc", 0x17, 0, 0, false},
};

bool is_upper(const Form& f) { return f.opcode == 0x37 || f.opcode == 0x17; }   // LUI, AUIPC

// Form f's instruction on these registers (LUI and AUIPC: with `upper` as their 20 bits).
uint32_t encode(const Form& f, unsigned rd, unsigned rs1, unsigned rs2, uint32_t upper = 0x87654)
{
    if (is_upper(f))
        return (upper << 12) | (rd << 7) | f.opcode;
    if (f.r_type)
        return (f.funct7_or_imm << 25) | (rs2 << 20) | (rs1 << 15) | (f.funct3 << 12) | (rd << 7) | f.opcode;
    return i_type(f.opcode, f.funct3, rd, rs1, f.funct7_or_imm);
}

}  // namespace

class FormsAgree : public ::testing::TestWithParam<Form> {};

TEST_P(FormsAgree, OnEveryKindOfRegister)
{
    const Form f = GetParam();
    auto make = [&](unsigned rd, unsigned rs1, unsigned rs2) { return encode(f, rd, rs1, rs2); };
    for (unsigned variant = 0; variant < 8; ++variant) {
        const auto code = all_register_kinds(make, false, variant);
        expect_same_results<FlatEnv>(code, std::string(f.name) + " (system machine)");
        expect_same_results<UserEnv>(code, std::string(f.name) + " (process VM)");
    }
}

INSTANTIATE_TEST_SUITE_P(IntegerForms, FormsAgree, ::testing::ValuesIn(kForms),
                         [](const ::testing::TestParamInfo<Form>& param) {
                             std::string n = param.param.name;
                             for (char& c : n)
                                 if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                             return n;
                         });

TEST(BranchesAgree, OnEveryKindOfRegister)
{
    for (unsigned funct3 : {0u, 1u, 4u, 5u, 6u, 7u})
    for (unsigned variant = 0; variant < 8; ++variant) {
        const auto code = all_register_kinds([&](unsigned, unsigned rs1, unsigned rs2) { return branch(funct3, rs1, rs2, 8); }, true, variant);
        expect_same_results<FlatEnv>(code, "branch funct3 " + std::to_string(funct3) + " (system machine)");
        expect_same_results<UserEnv>(code, "branch funct3 " + std::to_string(funct3) + " (process VM)");
    }
}

// A branch over the same forms (a select when the form is selectable), which write registers the
// branch compares, x0, host-register guests and memory-kept ones.
TEST_P(FormsAgree, InASelect)
{
    const Form f = GetParam();
    static constexpr unsigned kBranches[] = {0, 1, 4, 5, 6, 7};
    for (unsigned variant = 0; variant < 8; ++variant) {
        const unsigned funct3 = kBranches[variant % 6];
        unsigned n = 0;
        auto make = [&](unsigned rd, unsigned rs1, unsigned rs2) -> uint32_t {
            return n++ % 2 == 0 ? branch(funct3, rs1, rs2, 8) : encode(f, rd, rs1, rs2);
        };
        const auto code = all_register_kinds(make, false, variant, 2);
        expect_same_results<FlatEnv>(code, std::string(f.name) + " after branch funct3 " + std::to_string(funct3) + " (system machine)");
        expect_same_results<UserEnv>(code, std::string(f.name) + " after branch funct3 " + std::to_string(funct3) + " (process VM)");
    }
}

// Which branches are selects: CRC's step as GCC compiles it (compressed: c.beqz over c.xor,
// c.slli, c.srli), and what is not one.
TEST(SelectShadow, CoversExactlyTheInstructionsJumpedOver)
{
    using jit::Instruction;
    auto code_of = [](std::initializer_list<uint32_t> raws) {
        std::vector<Instruction> code;
        for (uint32_t raw : raws)
            code.push_back({decode(raw), raw});
        return code;
    };
    // xor a5,a4,a0; c.andi a5,1; c.srli a0,1; c.beqz a5,+8; c.xor a0,a1; c.slli a0,48; c.srli a0,48; c.addiw a3,-1
    const auto crc = code_of({0x00a747b3, 0x8b85, 0x8105, 0xc781, 0x8d2d, 0x1542, 0x9141, 0x36fd});
    EXPECT_EQ(jit::select_shadow(crc, 3).count(), 3u);
    EXPECT_EQ(jit::select_shadow(crc, 0).count(), 0u) << "not a branch";
    // The shadow must end inside the block: cut after c.slli, the branch is one.
    EXPECT_EQ(jit::select_shadow(std::span(crc).first(6), 3).count(), 0u);
    // bne a2,x0,+8 over one addi; over a store; backwards; over five; three registers written.
    EXPECT_EQ(jit::select_shadow(code_of({bne(12, 0, 8), addi(9, 9, 1)}), 0).count(), 1u);
    EXPECT_EQ(jit::select_shadow(code_of({bne(12, 0, 8), sd(9, 11, 0)}), 0).count(), 0u);
    EXPECT_EQ(jit::select_shadow(code_of({addi(9, 9, 1), bne(12, 0, -4)}), 1).count(), 0u);
    EXPECT_EQ(jit::select_shadow(code_of({bne(12, 0, 24), addi(9, 9, 1), addi(9, 9, 1), addi(9, 9, 1), addi(9, 9, 1), addi(9, 9, 1)}), 0).count(), 0u);
    EXPECT_EQ(jit::select_shadow(code_of({bne(12, 0, 16), addi(9, 9, 1), addi(10, 9, 1), addi(5, 9, 1)}), 0).count(), 0u);
    EXPECT_EQ(jit::select_shadow(code_of({bne(12, 0, 16), addi(9, 9, 1), addi(10, 9, 1), addi(9, 10, 1)}), 0).count(), 3u);
}

// Random programs: a loop of 80 rounds over 48 random instructions (every inline integer form, and
// MULH/DIV, which are not selectable), forward branches over 1-6 of them (selects, or side exits
// when what they jump over cannot be a select's shadow), jumps forward over some and to detours
// after the loop that jump back (blocks follow them), and loads and stores through a1, loaded
// registers often compared at once. Both engines, in slices that end anywhere, must agree
// throughout (expect_engines_agree).
std::vector<uint32_t> random_program(uint32_t seed, unsigned body = 48)
{
    uint64_t state = seed * 0x9e3779b97f4a7c15ull + 1;
    auto next = [&](uint32_t n) {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        return static_cast<uint32_t>((state >> 33) % n);
    };
    // rd: x0, host-register guests and memory-kept ones; never a1 (the array) or a2 (the counter).
    static constexpr unsigned kRd[] = {0, 2, 8, 10, 13, 15, 5, 6, 9, 19, 31};
    static constexpr unsigned kRs[] = {0, 2, 8, 10, 11, 12, 13, 15, 5, 6, 9, 19, 31};
    auto rd = [&] { return kRd[next(std::size(kRd))]; };
    auto rs = [&] { return kRs[next(std::size(kRs))]; };
    const unsigned kBody = body;
    std::vector<uint32_t> code = {addi(12, 0, 80)};   // a2 = 80 rounds
    std::vector<size_t> detours;   // the jumps to a detour, placed after the loop
    unsigned loaded = 0;           // the register the previous instruction loaded, if any
    for (unsigned i = 0; i < kBody; ++i) {
        const unsigned left = kBody - i - 1;   // instructions after this one in the body
        const unsigned what = next(18);
        const unsigned compared = std::exchange(loaded, 0);
        if (what < 2 && left > 0) {
            static constexpr unsigned kBranches[] = {0, 1, 4, 5, 6, 7};
            const unsigned over = 1 + next(std::min(left, 6u));
            const unsigned a = compared && next(2) ? compared : rs(), b = rs();
            code.push_back(branch(kBranches[next(6)], next(2) ? a : b, next(2) ? b : a, static_cast<int32_t>(4 * (over + 1))));
        } else if (what == 2) {
            loaded = rd();
            code.push_back(ld(loaded, 11, static_cast<int32_t>(8 * next(8))));
        } else if (what == 16 && left > 0) {
            code.push_back(jal0(static_cast<int32_t>(4 * (1 + next(std::min(left, 3u))))));
        } else if (what == 17) {
            detours.push_back(code.size());
            code.push_back(0);
        } else if (what == 3) {
            code.push_back(sd(rs(), 11, static_cast<int32_t>(8 * next(8))));
        } else {
            const Form& f = kForms[next(std::size(kForms))];
            const unsigned d = rd(), s1 = rs(), s2 = rs();
            code.push_back(encode(f, d, s1, s2, is_upper(f) ? next(1u << 20) : 0));
        }
    }
    code.push_back(addi(12, 12, -1));                                         // a2 -= 1
    code.push_back(bne(12, 0, -static_cast<int32_t>(4 * kBody + 4)));          // back to the body
    code.push_back(kLoopForever);
    for (size_t jump : detours) {   // a few instructions, and back to the one after the jump
        code[jump] = jal0(static_cast<int32_t>(4 * (code.size() - jump)));
        for (unsigned n = 1 + next(3); n; --n) {
            const Form& f = kForms[next(std::size(kForms))];
            code.push_back(encode(f, rd(), rs(), rs(), is_upper(f) ? next(1u << 20) : 0));
        }
        code.push_back(jal0(-static_cast<int32_t>(4 * (code.size() - jump - 1))));
    }
    return code;
}

TEST(RandomProgramsAgree, InSlicesOfAnySize)
{
    ::setenv("VIREO_JIT_WARM", "0", 1);
    for (uint32_t seed = 1; seed <= 40; ++seed)
        for (uint64_t slice : {5u, 64u, 1000u}) {
            SCOPED_TRACE("seed " + std::to_string(seed) + ", slices of " + std::to_string(slice));
            expect_engines_agree<FlatEnv>(random_program(seed), slice);
            expect_engines_agree<UserEnv>(random_program(seed), slice);
            // Short bodies: mostly a single block that loops on itself, with borrowed registers.
            expect_engines_agree<FlatEnv>(random_program(seed, 10), slice);
            expect_engines_agree<UserEnv>(random_program(seed, 10), slice);
            if (::testing::Test::HasFatalFailure())
                return;
        }
}
// jit::PageLoops: which instructions of a page lie on a loop together.
namespace {

struct Page {
    std::array<uint8_t, 4096> bytes{};
    void put(unsigned at, uint32_t instruction) { std::memcpy(&bytes[at], &instruction, 4); }
};

// Straight code, then a loop of three blocks that calls a function elsewhere in the page, then
// code after it; the called function; a branch to itself.
Page loop_page()
{
    Page p;
    p.put(0x00, addi(10, 10, 1));       // a0 += 1
    p.put(0x04, addi(9, 0, 10));        // s1 = 10
    p.put(0x08, addi(9, 9, -1));        // loop: s1 -= 1
    p.put(0x0c, branch(0, 9, 0, 0x10)); // if (s1 == 0) to 0x1c
    p.put(0x10, jal(1, 0x40 - 0x10));   // call f
    p.put(0x14, addi(18, 18, 3));       // s2 += 3
    p.put(0x18, jal0(0x08 - 0x18));     // j loop
    p.put(0x1c, addi(11, 11, 1));       // a1 += 1
    p.put(0x20, jalr(0, 1, 0));         // ret
    p.put(0x40, addi(19, 19, 1));       // f: s3 += 1
    p.put(0x44, jalr(0, 1, 0));         //    ret
    p.put(0x80, bne(10, 0, 0));         // a branch to itself
    return p;
}

}  // namespace

TEST(PageLoops, InstructionsOnOneLoopShareItsRegisterCounts)
{
    const Page p = loop_page();
    jit::LoopScratch scratch;   // (shared, as LoopIndex shares it between pages)
    for (unsigned first : {0x08u, 0x14u, 0x00u}) {   // whichever is asked first
        jit::PageLoops loops;
        const jit::LoopRegisters* loop = loops.loop_at(p.bytes, first, scratch);
        if (first == 0x00) {
            EXPECT_EQ(loop, nullptr) << "straight code before the loop";
        }
        for (unsigned at : {0x08u, 0x0cu, 0x10u, 0x14u, 0x18u}) {
            const jit::LoopRegisters* here = loops.loop_at(p.bytes, at, scratch);
            ASSERT_NE(here, nullptr) << std::hex << at;
            EXPECT_EQ(here, loops.loop_at(p.bytes, 0x08, scratch)) << std::hex << at;
        }
        for (unsigned at : {0x00u, 0x04u, 0x1cu, 0x20u, 0x40u, 0x44u})
            EXPECT_EQ(loops.loop_at(p.bytes, at, scratch), nullptr) << std::hex << at;
        const jit::LoopRegisters& r = *loops.loop_at(p.bytes, 0x08, scratch);
        EXPECT_EQ(r.writes[9], 1u) << "s1 -= 1";
        EXPECT_GE(r.uses[9], 2u);
        EXPECT_EQ(r.writes[18], 1u) << "s2 += 3";
        EXPECT_EQ(r.writes[1], 1u) << "the call's link";
        EXPECT_EQ(r.writes[19], 0u) << "the called function is not part of the loop";
        EXPECT_EQ(r.writes[10], 0u) << "nor is the code before it";
        EXPECT_NE(loops.loop_at(p.bytes, 0x80, scratch), nullptr) << "a branch to itself is a loop";
        EXPECT_NE(loops.loop_at(p.bytes, 0x80, scratch), loops.loop_at(p.bytes, 0x08, scratch));
    }
}

TEST(PageLoops, AnyBytesAnywhereAreAnAnswerNotACrash)
{
    Page p;
    p.put(0xffc, addi(9, 9, -1));
    p.bytes[0xffe] = 0x13;   // the first half of a 32-bit instruction that would end past the page
    p.bytes[0xfff] = 0x00;
    jit::LoopScratch scratch;
    jit::PageLoops loops;
    EXPECT_EQ(loops.loop_at(p.bytes, 0xffe, scratch), nullptr);
    EXPECT_EQ(loops.loop_at(p.bytes, 0xffc, scratch), nullptr);
    EXPECT_EQ(loops.loop_at(p.bytes, 0xfff, scratch), nullptr) << "odd offsets hold no instruction";
    EXPECT_EQ(loops.loop_at(p.bytes, 4096, scratch), nullptr);
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (int round = 0; round < 20; ++round) {
        for (uint8_t& b : p.bytes) {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            b = static_cast<uint8_t>(x);
        }
        jit::PageLoops any;
        for (unsigned at = 0; at < 4096; at += 2)
            any.loop_at(p.bytes, at, scratch);   // (every answer, in any order, from the same scratch)
        for (unsigned at = 0; at < 4096; at += 2) {
            const jit::LoopRegisters* loop = any.loop_at(p.bytes, at, scratch);
            if (loop) {
                EXPECT_EQ(loop, any.loop_at(p.bytes, at, scratch));
            }
        }
    }
}

TEST(PageLoops, AGuestCannotMakeTheAnalysisGrowWithoutBound)
{
    Page p;   // 1024 loops of one instruction each (bne a0, x0, . ; never taken at a0 = 0)
    for (unsigned at = 0; at < 4096; at += 4)
        p.put(at, bne(10, 0, 0));
    jit::LoopScratch scratch;
    jit::PageLoops loops;
    size_t found = 0;
    for (unsigned at = 0; at < 4096; at += 4)
        found += loops.loop_at(p.bytes, at, scratch) != nullptr;
    EXPECT_EQ(found, jit::PageLoops::kMaxLoops) << "the first ones; the rest count as none";

    jit::LoopIndex index;
    for (uint64_t page = 0; page < 3 * jit::LoopIndex::kMaxPages; ++page) {
        index.loop_at(page << 12, p.bytes);
        ASSERT_LE(index.pages(), jit::LoopIndex::kMaxPages);
    }
    // (Tarjan settles the deepest first: the loops found are the page's last ones.)
    EXPECT_NE(index.loop_at(0x1000 + 4092, p.bytes), nullptr) << "it starts again, and answers as before";
    EXPECT_EQ(index.loop_at(0x2000, p.bytes), nullptr);
}
