// Zbs single-bit instructions (RISC-V Bit-Manipulation ISA-extensions 1.0.0 §2.4): BSET, BCLR,
// BINV and BEXT (and their immediate forms) act on bit rs2[5:0] (or shamt) of rs1.
#include "vireo_test.h"

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
    OP 1, bset, 0, 63, 0x8000000000000000
    OP 2, bset, 0, 64 + 5, 0x20                     // index 69 & 63 = 5
    OP 3, bset, 0x10, 4, 0x10                       // already set
    OPI 4, bseti, 0, 31, 0x80000000                 // not sign-extended
    OPI 5, bseti, 1, 0, 1

    OP 10, bclr, -1, 63, 0x7FFFFFFFFFFFFFFF
    OP 11, bclr, -1, -1, 0x7FFFFFFFFFFFFFFF         // index 63
    OPI 12, bclri, -1, 0, -2
    OPI 13, bclri, 0, 5, 0

    OP 20, binv, 0, 31, 0x80000000
    OP 21, binv, 0x80000000, 31, 0
    OPI 22, binvi, 0x0123456789ABCDEF, 63, 0x8123456789ABCDEF
    OPI 23, binvi, 0, 32, 0x100000000

    OP 30, bext, 0x8000000000000000, 63, 1
    OP 31, bext, 0x10, 64 + 4, 1
    OP 32, bext, 0x10, 3, 0
    OPI 33, bexti, 0x10, 4, 1
    OPI 34, bexti, 0xFFFFFFFFFFFFFFFE, 0, 0
    OPI 35, bexti, 0x100000000, 32, 1
TEST_PASS
