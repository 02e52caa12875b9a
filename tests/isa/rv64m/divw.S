// Word division DIVW, DIVUW, REMW, REMUW (RISC-V unprivileged 20191213 §7.2): they divide the low
// 32 bits of the operands and sign-extend the 32-bit result, even the unsigned ones. Division by
// zero and overflow follow table 7.1 at 32 bits: x/0 = -1, x%0 = x (sign-extended),
// (-2^31)/(-1) = -2^31 with remainder 0.
#include "vireo_test.h"

TEST_BEGIN
    li a1, -20
    li a2, 6
    divw a0, a1, a2
    CHECK 1, a0, -3
    remw a0, a1, a2
    CHECK 2, a0, -2
    li a1, 0x100000014                  // 20 with bit 32 set: the upper half is ignored
    divw a0, a1, a2
    CHECK 3, a0, 3
    remw a0, a1, a2
    CHECK 4, a0, 2
    li a1, 0xFFFFFFFF                   // -1 as a word
    li a2, 0xFFFFFFFE                   // -2 as a word
    divw a0, a2, a1
    CHECK 5, a0, 2

    li a1, 0xFFFFFFFF
    li a2, 2
    divuw a0, a1, a2
    CHECK 10, a0, 0x7FFFFFFF
    remuw a0, a1, a2
    CHECK 11, a0, 1
    li a1, 0x80000000
    li a2, 1
    divuw a0, a1, a2                    // unsigned result, still sign-extended
    CHECK 12, a0, 0xFFFFFFFF80000000
    li a1, 0x80000001
    li a2, 0x80000002
    remuw a0, a1, a2
    CHECK 13, a0, 0xFFFFFFFF80000001
    li a1, 0xFFFFFFFF0000000F
    li a2, 0x0000000100000004
    remuw a0, a1, a2
    CHECK 14, a0, 3

    // Division by zero (only the low word of the divisor counts).
    li a1, 0x1234567880000005
    li a2, 0x100000000
    divw a0, a1, a2
    CHECK 20, a0, -1
    divuw a0, a1, a2
    CHECK 21, a0, -1                    // 2^32 - 1, sign-extended
    remw a0, a1, a2
    CHECK 22, a0, 0xFFFFFFFF80000005
    remuw a0, a1, a2
    CHECK 23, a0, 0xFFFFFFFF80000005
    li a1, 7
    remw a0, a1, zero
    CHECK 24, a0, 7

    // Overflow.
    li a1, 0x1234567880000000           // -2^31 as a word
    li a2, -1
    divw a0, a1, a2
    CHECK 30, a0, 0xFFFFFFFF80000000
    remw a0, a1, a2
    CHECK 31, a0, 0
    divuw a0, a1, a2                    // 2^31 / (2^32 - 1) = 0
    CHECK 32, a0, 0
    remuw a0, a1, a2
    CHECK 33, a0, 0xFFFFFFFF80000000
TEST_PASS
