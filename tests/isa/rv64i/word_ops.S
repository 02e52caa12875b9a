// The RV64I word operations ADDIW, SLLIW, SRLIW, SRAIW, ADDW, SUBW, SLLW, SRLW, SRAW (RISC-V
// unprivileged 20191213 §5.2.1, §5.2.2): they ignore the upper 32 bits of their inputs, compute a
// 32-bit result and sign-extend it to 64 bits (even SRLIW/SRLW, whose result can be negative).
// Register shift amounts use only rs2[4:0].
#include "vireo_test.h"

TEST_BEGIN
    // ADDIW
    li a1, 0x80000000
    addiw a0, a1, 0                     // sext.w
    CHECK 1, a0, 0xFFFFFFFF80000000
    li a1, 0xFFFFFFFF7FFFFFFF
    addiw a0, a1, 0                     // upper half ignored
    CHECK 2, a0, 0x7FFFFFFF
    li a1, 0x7FFFFFFF
    addiw a0, a1, 1                     // 32-bit overflow wraps
    CHECK 3, a0, 0xFFFFFFFF80000000
    li a1, 0x123400000000
    addiw a0, a1, -1
    CHECK 4, a0, -1

    // SLLIW, SRLIW, SRAIW
    li a1, 1
    slliw a0, a1, 31
    CHECK 10, a0, 0xFFFFFFFF80000000
    li a1, 0x100000003
    slliw a0, a1, 1                     // bit 32 of the input is not part of the word
    CHECK 11, a0, 6
    li a1, 0xFFFFFFFF80000000
    srliw a0, a1, 31
    CHECK 12, a0, 1
    li a1, 0x80000000
    srliw a0, a1, 0                     // shift by 0 still sign-extends the word
    CHECK 13, a0, 0xFFFFFFFF80000000
    li a1, -1
    srliw a0, a1, 1                     // zeros into bit 31
    CHECK 14, a0, 0x7FFFFFFF
    li a1, 0x80000000
    sraiw a0, a1, 31
    CHECK 15, a0, -1
    li a1, 0x17FFFFFFF
    sraiw a0, a1, 0
    CHECK 16, a0, 0x7FFFFFFF
    li a1, 0x80000000
    sraiw a0, a1, 4
    CHECK 17, a0, 0xFFFFFFFFF8000000

    // ADDW, SUBW
    li a1, 0x7FFFFFFF
    li a2, 1
    addw a0, a1, a2
    CHECK 20, a0, 0xFFFFFFFF80000000
    li a1, 0xAAAAAAAA00000005
    li a2, 0x5555555500000003
    addw a0, a1, a2                     // upper halves ignored
    CHECK 21, a0, 8
    li a1, 0
    li a2, 0x80000000
    subw a0, a1, a2
    CHECK 22, a0, 0xFFFFFFFF80000000
    li a1, 3
    li a2, 5
    subw a0, a1, a2
    CHECK 23, a0, -2
    li a1, 0x100000000
    li a2, 1
    subw a0, a1, a2                     // 0 - 1 in 32 bits
    CHECK 24, a0, -1

    // SLLW, SRLW, SRAW: amount is rs2[4:0]
    li a1, 1
    li a2, 31
    sllw a0, a1, a2
    CHECK 30, a0, 0xFFFFFFFF80000000
    li a2, 33                           // 33 & 31 = 1
    sllw a0, a1, a2
    CHECK 31, a0, 2
    li a1, 0xFFFFFFFF80000000
    li a2, 63                           // 31
    srlw a0, a1, a2
    CHECK 32, a0, 1
    li a2, 32                           // 0
    srlw a0, a1, a2
    CHECK 33, a0, 0xFFFFFFFF80000000
    li a1, 0x80000000
    li a2, 31
    sraw a0, a1, a2
    CHECK 34, a0, -1
    li a1, 0x12345678F0000000
    li a2, 4
    sraw a0, a1, a2
    CHECK 35, a0, 0xFFFFFFFFFF000000
    srlw a0, a1, a2
    CHECK 36, a0, 0x0F000000
TEST_PASS
