// Conditional branches BEQ, BNE, BLT, BGE, BLTU, BGEU (RISC-V unprivileged 20191213 §2.5.2), each
// taken and not taken, signed against unsigned, forwards and backwards.
#include "vireo_test.h"

// Check n: `op a, b` branches.
.macro TAKEN n, op, a, b
    \op \a, \b, .Ltaken\@
    FAIL \n
.Ltaken\@:
.endm

// Check n: `op a, b` falls through.
.macro NOT_TAKEN n, op, a, b
    \op \a, \b, .Lwrong\@
    j .Lok\@
.Lwrong\@:
    FAIL \n
.Lok\@:
.endm

TEST_BEGIN
    li s0, -1
    li s1, 1
    li s2, 1
    li s3, 0x8000000000000000
    li s4, 0x7FFFFFFFFFFFFFFF

    TAKEN     1, beq, s1, s2
    NOT_TAKEN 2, beq, s0, s1
    TAKEN     3, beq, zero, zero
    NOT_TAKEN 4, beq, s3, s4

    TAKEN     10, bne, s0, s1
    NOT_TAKEN 11, bne, s1, s2
    TAKEN     12, bne, s3, zero

    TAKEN     20, blt, s0, s1           // -1 < 1
    NOT_TAKEN 21, blt, s1, s0
    NOT_TAKEN 22, blt, s1, s2           // equal
    TAKEN     23, blt, s3, s4           // most negative < most positive

    TAKEN     30, bge, s1, s0
    TAKEN     31, bge, s1, s2           // equal
    NOT_TAKEN 32, bge, s0, s1
    NOT_TAKEN 33, bge, s3, s4

    TAKEN     40, bltu, s1, s0          // 1 < 0xFFFF_FFFF_FFFF_FFFF
    NOT_TAKEN 41, bltu, s0, s1
    NOT_TAKEN 42, bltu, s1, s2
    TAKEN     43, bltu, s4, s3
    NOT_TAKEN 44, bltu, s1, zero

    TAKEN     50, bgeu, s0, s1
    TAKEN     51, bgeu, s1, s2
    NOT_TAKEN 52, bgeu, s1, s0
    TAKEN     53, bgeu, s3, s4
    TAKEN     54, bgeu, s1, zero

    // Backwards: a loop that runs 10 times.
    li a0, 0
    li a1, 10
1:  addi a0, a0, 1
    blt a0, a1, 1b
    CHECK 60, a0, 10
    li a0, 5
2:  addi a0, a0, -1
    bnez a0, 2b
    CHECK 61, a0, 0

    // A branch does not write any register: the link-less encoding leaves its operands alone.
    li a0, 7
    li a1, 7
    beq a0, a1, 3f
3:  CHECK 62, a0, 7
    CHECK 63, a1, 7
TEST_PASS
