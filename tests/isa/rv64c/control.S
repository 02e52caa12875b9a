// Compressed control transfers (RISC-V unprivileged 20191213 §16.4): C.J, C.JR, C.JALR (linking
// pc + 2), C.BEQZ and C.BNEZ (registers x8-x15). With C, instructions are 16-bit aligned, so a
// 32-bit instruction may sit at an address that is 2 mod 4 and jumps there do not trap (§1.5).
#include "vireo_test.h"

TEST_BEGIN
    .option push
    .option rvc
    c.j 1f
    c.nop
    j fail_1
1:
    c.j 3f
2:  c.j 4f                              // backwards target
    j fail_2
3:  c.j 2b
4:
    .option pop

    // C.JR and C.JALR.
    la a0, 5f
    .option push
    .option rvc
    c.jr a0
    .option pop
    FAIL 3
5:  la a0, 7f
    .option push
    .option rvc
6:  c.jalr a0
    .option pop
    FAIL 4
7:  la a1, 6b + 2                       // the link is pc + 2
    CHECK_REG 5, ra, a1

    // C.BEQZ and C.BNEZ, taken and not taken.
    li s0, 0
    li s1, 1
    .option push
    .option rvc
    c.beqz s0, 8f
    .option pop
    FAIL 10
8:
    .option push
    .option rvc
    c.beqz s1, fail_11
    c.bnez s1, 9f
    .option pop
    FAIL 12
9:
    .option push
    .option rvc
    c.bnez s0, fail_13
    .option pop

    // A loop with a backwards C.BNEZ.
    li s0, 5
    li a0, 0
10:
    .option push
    .option rvc
    c.addi a0, 2
    c.addi s0, -1
    c.bnez s0, 10b
    .option pop
    CHECK 14, a0, 10

    // 32-bit instructions at addresses that are 2 mod 4, reached by falling through, by JAL and by
    // JALR, and linking correctly.
    .balign 4
    .option push
    .option rvc
    c.nop
    .option pop
11: addi a0, zero, 42                   // at 4n + 2
    CHECK 20, a0, 42
    la a1, 11b
    andi a1, a1, 3
    CHECK 21, a1, 2
    .balign 4
    .option push
    .option rvc
    c.nop
    .option pop
12: jal ra, 13f                         // a JAL at 4n + 2
13: la a1, 12b + 4
    CHECK_REG 22, ra, a1
    la a0, 15f
    jalr ra, 0(a0)
    FAIL 23
    .balign 4
    .option push
    .option rvc
    c.nop
    .option pop
15: la a1, 15b                          // the JALR target was 4n + 2
    andi a1, a1, 3
    CHECK 24, a1, 2
TEST_PASS

fail_1:  FAIL 1
fail_2:  FAIL 2
fail_11: FAIL 11
fail_13: FAIL 13
