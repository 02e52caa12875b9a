// Compressed integer computational instructions (RISC-V unprivileged 20191213 §16.5): C.LI, C.LUI,
// C.ADDI, C.ADDIW, C.ADDI16SP, C.ADDI4SPN, C.SLLI, C.SRLI, C.SRAI, C.ANDI, C.MV, C.ADD, C.AND,
// C.OR, C.XOR, C.SUB, C.ADDW, C.SUBW and C.NOP; each behaves as its 32-bit expansion (immediates
// sign-extended, W forms sign-extending the word). HINTs (§16.7) execute as no-ops.
#include "vireo_test.h"

TEST_BEGIN
    .option push
    .option rvc
    c.li a0, -32
    c.li a1, 31
    c.lui a2, 1
    c.lui a3, 0xFFFFF                   // -1 << 12
    c.lui a4, 0xFFFE0                   // the most negative: -32 << 12
    c.lui a5, 31
    .option pop
    CHECK 1, a0, -32
    CHECK 2, a1, 31
    CHECK 3, a2, 0x1000
    CHECK 4, a3, 0xFFFFFFFFFFFFF000
    CHECK 5, a4, 0xFFFFFFFFFFFE0000
    CHECK 6, a5, 0x1F000

    li a0, 10
    li a1, 0x7FFFFFFF
    li a2, 0x123456789
    .option push
    .option rvc
    c.addi a0, -32
    c.addiw a1, 1                       // word overflow, sign-extended
    c.addiw a2, 0                       // sext.w
    c.nop
    .option pop
    CHECK 10, a0, -22
    CHECK 11, a1, 0xFFFFFFFF80000000
    CHECK 12, a2, 0x23456789

    // C.ADDI16SP and C.ADDI4SPN: sp-relative, scaled, nonzero immediates.
    mv s2, sp
    li sp, 0x10000
    .option push
    .option rvc
    c.addi16sp sp, -512
    .option pop
    CHECK 20, sp, 0x10000 - 512
    .option push
    .option rvc
    c.addi16sp sp, 496
    c.addi4spn a0, sp, 1020
    c.addi4spn a1, sp, 4
    .option pop
    mv t0, sp
    mv sp, s2
    CHECK 21, t0, 0x10000 - 16
    CHECK 22, a0, 0x10000 - 16 + 1020
    CHECK 23, a1, 0x10000 - 16 + 4

    // Shifts: 6-bit amounts on RV64 (C.SLLI with shamt 63, C.SRLI/C.SRAI on x8-x15).
    li a0, 1
    li a1, 0x8000000000000000
    li a2, 0x8000000000000000
    li a3, 0xF000000000000000
    .option push
    .option rvc
    c.slli a0, 63
    c.srli a1, 63
    c.srai a2, 63
    c.srli a3, 32
    .option pop
    CHECK 30, a0, 0x8000000000000000
    CHECK 31, a1, 1
    CHECK 32, a2, -1
    CHECK 33, a3, 0xF0000000

    li a0, 0x0123456789ABCDEF
    li a1, 0x0123456789ABCDEF
    .option push
    .option rvc
    c.andi a0, -32                      // sign-extended mask
    c.andi a1, 15
    .option pop
    CHECK 34, a0, 0x0123456789ABCDE0
    CHECK 35, a1, 0xF

    // Register-register forms.
    li a0, 0xFF00FF00
    li a1, 0x0FF00FF0
    li s0, 0x7FFFFFFF
    li s1, 1
    .option push
    .option rvc
    c.mv a2, a0
    c.add a2, a1
    c.mv a3, a0
    c.and a3, a1
    c.mv a4, a0
    c.or a4, a1
    c.mv a5, a0
    c.xor a5, a1
    .option pop
    CHECK 40, a2, 0x10EF10EF0
    CHECK 41, a3, 0x0F000F00
    CHECK 42, a4, 0xFFF0FFF0
    CHECK 43, a5, 0xF0F0F0F0
    mv a2, a1
    mv a3, s0
    mv a4, s0
    li a5, 0
    .option push
    .option rvc
    c.sub a2, a0                        // 0x0FF00FF0 - 0xFF00FF00
    c.addw a3, s1                       // word overflow
    c.subw a5, s1                       // 0 - 1
    c.addw a4, a4
    .option pop
    CHECK 44, a2, 0xFFFFFFFF10EF10F0
    CHECK 45, a3, 0xFFFFFFFF80000000
    CHECK 46, a5, -1
    CHECK 47, a4, -2

    // HINTs: rd = x0 forms of C.ADDI (C.NOP with an immediate), C.LI, C.LUI, C.MV, C.ADD, C.SLLI.
    // They must not trap and must not change anything.
    li a0, 123
    .option push
    .option rvc
    .hword 0x0015                       // c.addi x0, 5
    .hword 0x4015                       // c.li x0, 5
    .hword 0x6005                       // c.lui x0, 1
    .hword 0x802A                       // c.mv x0, a0
    .hword 0x902A                       // c.add x0, a0
    .hword 0x0006                       // c.slli x0, 1
    .option pop
    CHECK 50, zero, 0
    CHECK 51, a0, 123
TEST_PASS
