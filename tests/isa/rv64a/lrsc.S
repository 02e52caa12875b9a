// Load-reserved / store-conditional LR.W, SC.W, LR.D, SC.D (RISC-V unprivileged 20191213 §8.2):
// LR.W sign-extends; SC writes 0 to rd and stores if the hart's reservation covers the address,
// otherwise writes a nonzero code and stores nothing; any SC, successful or not, invalidates the
// reservation.
#include "vireo_test.h"

TEST_BEGIN
    la s0, words
    la s1, doubles
    la s2, far_away

    // A plain LR/SC pair succeeds.
    lr.w a0, (s0)                       // 0x80000001: sign-extended
    CHECK 1, a0, 0xFFFFFFFF80000001
    li a1, 0x0BADF00D
    sc.w a2, a1, (s0)
    CHECK 2, a2, 0
    lw a0, 0(s0)
    CHECK 3, a0, 0x0BADF00D
    lw a0, 4(s0)                        // the neighbouring word is untouched
    CHECK 4, a0, 0x33333333

    // The SC consumed the reservation: a second SC fails and does not store.
    li a1, 0x11111111
    sc.w a2, a1, (s0)
    beqz a2, fail_5
    lw a0, 0(s0)
    CHECK 6, a0, 0x0BADF00D

    // SC to an address outside the reservation fails; so does the SC after it, to the reserved
    // address, because the failed SC also invalidated the reservation.
    lr.w a0, (s0)
    sc.w a2, a1, (s2)
    beqz a2, fail_7
    lw a0, 0(s2)
    CHECK 8, a0, 0x44444444
    sc.w a2, a1, (s0)
    beqz a2, fail_9
    lw a0, 0(s0)
    CHECK 10, a0, 0x0BADF00D

    // Doublewords.
    lr.d a0, (s1)
    CHECK 20, a0, 0x8000000000000002
    li a1, -7
    sc.d a2, a1, (s1)
    CHECK 21, a2, 0
    ld a0, 0(s1)
    CHECK 22, a0, -7
    ld a0, 8(s1)
    CHECK 23, a0, 0x5555555555555555
    sc.d a2, zero, (s1)                 // no reservation any more
    beqz a2, fail_24
    ld a0, 0(s1)
    CHECK 25, a0, -7

    // SC.W stores only the low word of rs2.
    lr.w a0, (s0)
    li a1, 0xFFFFFFFF00000042
    sc.w a2, a1, (s0)
    CHECK 26, a2, 0
    ld a0, 0(s0)
    CHECK 27, a0, 0x3333333300000042

    // The usual retry loop: an atomic increment.
    li a3, 0
1:  lr.d a0, (s1)
    addi a0, a0, 1
    sc.d a2, a0, (s1)
    addi a3, a3, 1
    li t0, 100                          // bounded: a working hart needs one try
    bgeu a3, t0, fail_30
    bnez a2, 1b
    ld a0, 0(s1)
    CHECK 31, a0, -6
TEST_PASS

fail_5:  FAIL 5
fail_7:  FAIL 7
fail_9:  FAIL 9
fail_24: FAIL 24
fail_30: FAIL 30

    .data
    .align 3
words:    .word 0x80000001, 0x33333333
doubles:  .dword 0x8000000000000002, 0x5555555555555555
    .align 12
far_away: .word 0x44444444              // another page: never in the same reservation set
