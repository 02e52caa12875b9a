// Register-immediate arithmetic and logic: ADDI, SLTI, SLTIU, XORI, ORI, ANDI (RISC-V unprivileged
// 20191213 §2.4.1, §5.2.1). The 12-bit immediate is always sign-extended, also for SLTIU (whose
// comparison is then unsigned) and for the logical operations; ADDI wraps modulo 2^64.
#include "vireo_test.h"

TEST_BEGIN
    // ADDI
    li a1, 5
    addi a0, a1, -7
    CHECK 1, a0, -2
    addi a0, zero, 2047
    CHECK 2, a0, 2047
    addi a0, zero, -2048
    CHECK 3, a0, -2048
    li a1, 0x7FFFFFFFFFFFFFFF
    addi a0, a1, 1                      // wraps, no overflow trap
    CHECK 4, a0, 0x8000000000000000
    li a1, 0xFFFFFFFF
    addi a0, a1, 1                      // no 32-bit wrap on RV64
    CHECK 5, a0, 0x100000000
    li a1, -1
    addi a0, a1, 1
    CHECK 6, a0, 0

    // SLTI: signed
    li a1, -1
    slti a0, a1, 0
    CHECK 10, a0, 1
    li a1, 1
    slti a0, a1, -1
    CHECK 11, a0, 0
    slti a0, a1, 1                      // equal is not less
    CHECK 12, a0, 0
    li a1, 0x8000000000000000
    slti a0, a1, -2048
    CHECK 13, a0, 1

    // SLTIU: the immediate is sign-extended, then compared unsigned
    li a1, 0
    sltiu a0, a1, 1                     // seqz
    CHECK 20, a0, 1
    li a1, 5
    sltiu a0, a1, -1                    // 5 < 0xFFFF_FFFF_FFFF_FFFF
    CHECK 21, a0, 1
    li a1, -1
    sltiu a0, a1, -1
    CHECK 22, a0, 0
    li a1, 0xFFFFFFFFFFFFF800
    sltiu a0, a1, -2048                 // equal
    CHECK 23, a0, 0
    li a1, 2048
    sltiu a0, a1, 2047
    CHECK 24, a0, 0

    // XORI, ORI, ANDI
    li a1, 0x0123456789ABCDEF
    xori a0, a1, -1                     // not
    CHECK 30, a0, 0xFEDCBA9876543210
    xori a0, a1, 0x555
    CHECK 31, a0, 0x0123456789ABC8BA
    ori a0, a1, -2048                   // 0xFFFF_FFFF_FFFF_F800
    CHECK 32, a0, 0xFFFFFFFFFFFFFDEF
    ori a0, a1, 0x010
    CHECK 33, a0, 0x0123456789ABCDFF
    andi a0, a1, -16                    // clears the low nibble only
    CHECK 34, a0, 0x0123456789ABCDE0
    andi a0, a1, 0x7FF
    CHECK 35, a0, 0x5EF
    andi a0, a1, 0
    CHECK 36, a0, 0
TEST_PASS
