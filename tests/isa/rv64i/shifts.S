// Shifts: SLLI, SRLI, SRAI, SLL, SRL, SRA (RISC-V unprivileged 20191213 §5.2.1, §5.2.2). On RV64
// immediate shift amounts are 6 bits (0..63) and register shifts use only rs2[5:0].
#include "vireo_test.h"

TEST_BEGIN
    li a1, 1
    slli a0, a1, 63
    CHECK 1, a0, 0x8000000000000000
    li a1, 0x0123456789ABCDEF
    slli a0, a1, 0
    CHECK 2, a0, 0x0123456789ABCDEF
    slli a0, a1, 4
    CHECK 3, a0, 0x123456789ABCDEF0
    slli a0, a1, 32                     // bits shifted past 63 are lost
    CHECK 4, a0, 0x89ABCDEF00000000

    li a1, 0x8000000000000000
    srli a0, a1, 63
    CHECK 10, a0, 1
    srai a0, a1, 63                     // arithmetic: copies of the sign bit
    CHECK 11, a0, -1
    srli a0, a1, 0
    CHECK 12, a0, 0x8000000000000000
    srai a0, a1, 0
    CHECK 13, a0, 0x8000000000000000
    li a1, 0xF0F0000000000000
    srli a0, a1, 4
    CHECK 14, a0, 0x0F0F000000000000
    srai a0, a1, 4
    CHECK 15, a0, 0xFF0F000000000000
    srai a0, a1, 33                     // a shift of more than 32: RV64, not RV32
    CHECK 16, a0, 0xFFFFFFFFF8780000
    li a1, 0x7F00000000000000
    srai a0, a1, 4                      // positive: zeros shifted in
    CHECK 17, a0, 0x07F0000000000000

    // Register forms take the amount from rs2[5:0].
    li a1, 1
    li a2, 63
    sll a0, a1, a2
    CHECK 20, a0, 0x8000000000000000
    li a2, 64 + 3                       // 67 & 63 = 3
    sll a0, a1, a2
    CHECK 21, a0, 8
    li a2, -1                           // 63
    sll a0, a1, a2
    CHECK 22, a0, 0x8000000000000000
    li a2, 64                           // 0
    sll a0, a1, a2
    CHECK 23, a0, 1

    li a1, 0x8000000000000000
    li a2, 63
    srl a0, a1, a2
    CHECK 30, a0, 1
    sra a0, a1, a2
    CHECK 31, a0, -1
    li a2, 0xFFFFFFFFFFFFFFC4           // low six bits: 4
    srl a0, a1, a2
    CHECK 32, a0, 0x0800000000000000
    sra a0, a1, a2
    CHECK 33, a0, 0xF800000000000000
    li a2, 0
    sra a0, a1, a2
    CHECK 34, a0, 0x8000000000000000
    li a1, 0x4000000000000000
    li a2, 62
    sra a0, a1, a2
    CHECK 35, a0, 1
TEST_PASS
