// instret counts exactly the instructions retired (RISC-V unprivileged 20191213 §10.1; privileged
// 1.12 §3.1.10): between two reads of it, the first read and everything up to the second count,
// once each. A write to minstret sets the count seen by the next read.
// Not run under QEMU 7.2, whose instret without -icount follows the host's clock.
#include "vireo_test.h"

TEST_BEGIN
    // Straight-line: the first CSRR plus ten instructions.
    csrr a0, instret
    .rept 10
    nop
    .endr
    csrr a1, instret
    sub a1, a1, a0
    CHECK 1, a1, 11

    // A loop: 1000 rounds of two instructions, plus the LI and the first CSRR.
    csrr a0, instret
    li a2, 1000
1:  addi a2, a2, -1
    bnez a2, 1b
    csrr a1, instret
    sub a1, a1, a0
    CHECK 2, a1, 2002

    // Compressed instructions count as instructions.
    csrr a0, instret
    .option push
    .option rvc
    c.nop
    c.addi a2, 1
    c.mv a3, a2
    .option pop
    csrr a1, instret
    sub a1, a1, a0
    CHECK 3, a1, 4

    // minstret written: the next read sees the value written (the write counts, not the writer).
    li t0, 1000
    csrw minstret, t0
    csrr a0, instret
    CHECK 4, a0, 1000
TEST_PASS
