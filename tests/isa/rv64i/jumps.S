// JAL and JALR (RISC-V unprivileged 20191213 §2.5.1): rd gets the address of the next instruction
// (pc + 4); JAL's target is pc-relative; JALR's target is (rs1 + imm) with bit 0 cleared, and the
// link is written after the target is computed, so rd == rs1 works.
#include "vireo_test.h"

TEST_BEGIN
    // JAL links pc + 4 and jumps forwards.
1:  jal ra, 2f
    FAIL 1
2:  la a0, 1b
    addi a0, a0, 4
    CHECK_REG 2, ra, a0

    // Any register can be the link register; x0 means no link (J).
3:  jal t0, 4f
    FAIL 3
4:  la a0, 3b + 4
    CHECK_REG 4, t0, a0
    li a1, 99
    jal zero, 5f
    FAIL 5
5:  CHECK 6, a1, 99

    // JAL backwards: jump ahead, jump back to 6, then out to 7.
    j 7f
6:  j 8f
7:  jal a2, 6b
    FAIL 7
8:  la a0, 7b + 4
    CHECK_REG 8, a2, a0

    // JALR with a positive and a negative offset.
    la a0, 10f - 8
9:  jalr ra, 8(a0)
    FAIL 9
10: la a1, 9b + 4
    CHECK_REG 10, ra, a1
    la a0, 12f + 16
11: jalr ra, -16(a0)
    FAIL 11
12: la a1, 11b + 4
    CHECK_REG 12, ra, a1

    // JALR clears bit 0 of the target (no misaligned-fetch trap, no jump to the odd address).
    la a0, 14f
    addi a0, a0, 1
13: jalr ra, 0(a0)
    FAIL 13
14: la a1, 13b + 4
    CHECK_REG 14, ra, a1
    la a0, 16f
15: jalr ra, 1(a0)
    FAIL 15
16: la a1, 15b + 4
    CHECK_REG 16, ra, a1

    // rd == rs1: the target uses the old value, rd gets the link.
    la a0, 18f
17: jalr a0, 0(a0)
    FAIL 17
18: la a1, 17b + 4
    CHECK_REG 18, a0, a1

    // A call and return through a subroutine.
    li a0, 20
    call add_one
    CHECK 19, a0, 21
TEST_PASS

add_one:
    addi a0, a0, 1
    ret
