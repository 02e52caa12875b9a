// Zba address generation (RISC-V Bit-Manipulation ISA-extensions 1.0.0 §2.1): SH1ADD/SH2ADD/
// SH3ADD add rs1 shifted left by 1/2/3 to rs2; the .UW forms (ADD.UW, SH1ADD.UW, SH2ADD.UW,
// SH3ADD.UW, SLLI.UW) first zero-extend the low 32 bits of rs1.
#include "vireo_test.h"

// Check n: `op a0, a, b` gives result.
.macro OP n, op, a, b, result
    li a1, \a
    li a2, \b
    \op a0, a1, a2
    CHECK \n, a0, \result
.endm

.macro OPI n, op, a, imm, result
    li a1, \a
    \op a0, a1, \imm
    CHECK \n, a0, \result
.endm

TEST_BEGIN
    OP 1, add.uw, 0xFFFFFFFF80000000, 1, 0x80000001
    OP 2, add.uw, -1, 1, 0x100000000
    OP 3, add.uw, 0x0000000012345678, 0x100000000, 0x112345678
    li a1, 0xDEADBEEF87654321
    zext.w a0, a1                       // add.uw rd, rs1, zero
    CHECK 4, a0, 0x87654321

    OP 10, sh1add, 5, 100, 110
    OP 11, sh2add, 5, 100, 120
    OP 12, sh3add, 5, 100, 140
    OP 13, sh1add, 0x8000000000000001, 7, 9        // bit 63 shifted out
    OP 14, sh3add, -1, 0, -8
    OP 15, sh2add, 0x4000000000000000, 1, 1

    OP 20, sh1add.uw, -1, 2, 0x200000000           // 0xFFFFFFFF << 1, plus 2
    OP 21, sh2add.uw, 0x100000003, 0, 12           // bit 32 dropped
    OP 22, sh3add.uw, 0x80000000, 0, 0x400000000
    OP 23, sh3add.uw, 0xFFFFFFFF00000001, -8, 0

    OPI 30, slli.uw, -1, 0, 0xFFFFFFFF
    OPI 31, slli.uw, -1, 4, 0xFFFFFFFF0
    OPI 32, slli.uw, -1, 32, 0xFFFFFFFF00000000
    OPI 33, slli.uw, -1, 63, 0x8000000000000000
    OPI 34, slli.uw, 0x123456780000000F, 60, 0xF000000000000000
TEST_PASS
