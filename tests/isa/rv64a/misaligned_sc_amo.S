// A misaligned SC or AMO raises a store/AMO-address-misaligned exception, cause 6, with mtval =
// the address (RISC-V unprivileged 20191213 §8.2 and §8.4; privileged 1.12 §3.1.15 table 3.6),
// and neither stores nor writes rd. Vireo never emulates misaligned atomics.
// Not run under QEMU 7.2, which reports cause 4 for AMOs and lets a misaligned SC fail silently.
#include "vireo_test.h"

TEST_BEGIN
    la s0, slot
    li a1, -1
    li a0, 77

    // SC with and without a valid reservation on the aligned doubleword.
    addi s1, s0, 2
    EXPECT_TRAP 1, CAUSE_MISALIGNED_STORE, sc.w a0, a1, (s1)
    CHECK_TRAP_TVAL_REG 2, s1
    CHECK 3, a0, 77
    lr.d a2, (s0)
    addi s1, s0, 4
    EXPECT_TRAP 4, CAUSE_MISALIGNED_STORE, sc.d a0, a1, (s1)
    CHECK_TRAP_TVAL_REG 5, s1
    CHECK 6, a0, 77

    // AMOs of both widths and a few operations.
    addi s1, s0, 1
    EXPECT_TRAP 10, CAUSE_MISALIGNED_STORE, amoadd.w a0, a1, (s1)
    CHECK_TRAP_TVAL_REG 11, s1
    addi s1, s0, 4
    EXPECT_TRAP 12, CAUSE_MISALIGNED_STORE, amoswap.d a0, a1, (s1)
    CHECK_TRAP_TVAL_REG 13, s1
    addi s1, s0, 6
    EXPECT_TRAP 14, CAUSE_MISALIGNED_STORE, amomaxu.w.aqrl a0, a1, (s1)
    CHECK_TRAP_TVAL_REG 15, s1
    addi s1, s0, 7
    EXPECT_TRAP 16, CAUSE_MISALIGNED_STORE, amoor.d a0, a1, (s1)
    CHECK_TRAP_TVAL_REG 17, s1
    CHECK 18, a0, 77

    // Nothing was stored.
    ld a2, 0(s0)
    CHECK 20, a2, 0x1122334455667788
    ld a2, 8(s0)
    CHECK 21, a2, 0
TEST_PASS

    .data
    .align 3
slot: .dword 0x1122334455667788, 0
