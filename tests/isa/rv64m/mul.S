// Multiplication MUL, MULH, MULHSU, MULHU, MULW (RISC-V unprivileged 20191213 §7.1): MUL gives the
// low 64 bits of the product; MULH/MULHSU/MULHU the high 64 bits of the 128-bit product for
// signed×signed, signed×unsigned and unsigned×unsigned; MULW multiplies the low words and
// sign-extends the low 32 bits of the result.
#include "vireo_test.h"

TEST_BEGIN
    li a1, 7
    li a2, -3
    mul a0, a1, a2
    CHECK 1, a0, -21
    li a1, 0x7FFFFFFFFFFFFFFF
    li a2, 2
    mul a0, a1, a2                      // only the low 64 bits
    CHECK 2, a0, 0xFFFFFFFFFFFFFFFE
    li a1, 0x0123456789ABCDEF
    li a2, 0x1000
    mul a0, a1, a2
    CHECK 3, a0, 0x3456789ABCDEF000
    mul a0, a1, zero
    CHECK 4, a0, 0

    // MULH: signed × signed
    li a1, -1
    li a2, -1
    mulh a0, a1, a2                     // 1: high half 0
    CHECK 10, a0, 0
    li a2, 1
    mulh a0, a1, a2                     // -1: high half all ones
    CHECK 11, a0, -1
    li a1, 0x8000000000000000
    mulh a0, a1, a1                     // 2^126
    CHECK 12, a0, 0x4000000000000000
    li a1, 0x7FFFFFFFFFFFFFFF
    li a2, 0x8000000000000000
    mulh a0, a1, a2                     // (2^63 - 1) × -2^63 = -2^126 + 2^63
    CHECK 13, a0, 0xC000000000000000

    // MULHU: unsigned × unsigned
    li a1, -1
    mulhu a0, a1, a1                    // (2^64 - 1)^2 = 2^128 - 2^65 + 1
    CHECK 20, a0, 0xFFFFFFFFFFFFFFFE
    li a1, 0x8000000000000000
    li a2, 2
    mulhu a0, a1, a2
    CHECK 21, a0, 1
    li a1, 0x0123456789ABCDEF
    li a2, 0x1000
    mulhu a0, a1, a2
    CHECK 22, a0, 0x012

    // MULHSU: rs1 signed, rs2 unsigned
    li a1, -1
    li a2, -1                           // 2^64 - 1 as unsigned
    mulhsu a0, a1, a2                   // -(2^64 - 1)
    CHECK 30, a0, -1
    li a1, 1
    mulhsu a0, a1, a2                   // 2^64 - 1: high half 0
    CHECK 31, a0, 0
    li a1, 0x8000000000000000
    li a2, 0x8000000000000000
    mulhsu a0, a1, a2                   // -2^63 × 2^63 = -2^126
    CHECK 32, a0, 0xC000000000000000
    li a1, -2
    li a2, 3
    mulhsu a0, a1, a2
    CHECK 33, a0, -1
    mulhsu a0, a2, a1                   // 3 × (2^64 - 2) = 2^65 + 2^64 - 6
    CHECK 34, a0, 2

    // MULW: low words, result sign-extended from bit 31
    li a1, 0x7FFFFFFF
    li a2, 2
    mulw a0, a1, a2
    CHECK 40, a0, -2
    li a1, 0x100000003
    li a2, 0x100000005
    mulw a0, a1, a2                     // upper halves ignored
    CHECK 41, a0, 15
    li a1, 0x10000
    mulw a0, a1, a1                     // 2^32: low word 0
    CHECK 42, a0, 0
    li a1, 0x8000
    li a2, 0x10000
    mulw a0, a1, a2                     // 2^31: negative as a word
    CHECK 43, a0, 0xFFFFFFFF80000000
    li a1, -3
    li a2, 5
    mulw a0, a1, a2
    CHECK 44, a0, -15
TEST_PASS
