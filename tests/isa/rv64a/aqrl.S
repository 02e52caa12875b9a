// The aq and rl ordering bits of LR, SC and the AMOs (RISC-V unprivileged 20191213 §8.1): they only
// constrain ordering with other memory operations, so on one hart every combination must give the
// same results as the plain instruction (and must not be rejected as illegal).
#include "vireo_test.h"

TEST_BEGIN
    la s0, slot

    lr.w.aq a0, (s0)
    CHECK 1, a0, 100
    li a1, 101
    sc.w.rl a2, a1, (s0)
    CHECK 2, a2, 0
    lr.w.aqrl a0, (s0)
    CHECK 3, a0, 101
    li a1, 102
    sc.w.aqrl a2, a1, (s0)
    CHECK 4, a2, 0
    lr.w.rl a0, (s0)
    CHECK 5, a0, 102
    sc.w.aq a2, zero, (s0)
    CHECK 6, a2, 0

    addi s1, s0, 8
    lr.d.aq a0, (s1)
    CHECK 10, a0, 200
    li a1, 201
    sc.d.rl a2, a1, (s1)
    CHECK 11, a2, 0
    lr.d.aqrl a0, (s1)
    CHECK 12, a0, 201
    sc.d.aqrl a2, zero, (s1)
    CHECK 13, a2, 0

    li a1, 1
    amoadd.w.aq a0, a1, (s0)
    amoadd.w.rl a0, a1, (s0)
    amoadd.w.aqrl a0, a1, (s0)
    CHECK 20, a0, 2
    amoswap.d.aq a0, a1, (s1)
    amoor.d.rl a0, a1, (s1)
    amoxor.d.aqrl a0, a1, (s1)
    CHECK 21, a0, 1
    ld a0, 8(s0)
    CHECK 22, a0, 0
    amomin.w.aqrl a0, a1, (s0)
    amomaxu.d.aq a0, a1, (s1)
    amominu.w.rl a0, a1, (s0)
    amomax.d.aqrl a0, a1, (s1)
    amoand.w.aq a0, a1, (s0)
    lw a0, 0(s0)
    CHECK 23, a0, 1
    ld a0, 8(s0)
    CHECK 24, a0, 1
TEST_PASS

    .data
    .align 3
slot: .word 100, 0
      .dword 200
