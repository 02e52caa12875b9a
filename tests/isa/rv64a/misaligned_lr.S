// A misaligned LR raises a load-address-misaligned exception (RISC-V unprivileged 20191213 §8.2
// allows misaligned-address or access fault; Vireo, like QEMU, uses cause 4) with mtval = the
// address, and loads nothing (privileged 1.12 §3.1.16).
#include "vireo_test.h"

TEST_BEGIN
    la s0, slot
    addi s1, s0, 2
    li a0, 77
    EXPECT_TRAP 1, CAUSE_MISALIGNED_LOAD, lr.w a0, (s1)
    CHECK_TRAP_TVAL_REG 2, s1
    CHECK 3, a0, 77                     // rd not written

    addi s1, s0, 4
    EXPECT_TRAP 4, CAUSE_MISALIGNED_LOAD, lr.d a0, (s1)
    CHECK_TRAP_TVAL_REG 5, s1
    CHECK 6, a0, 77
    addi s1, s0, 1
    EXPECT_TRAP 7, CAUSE_MISALIGNED_LOAD, lr.d.aqrl a0, (s1)
    CHECK_TRAP_TVAL_REG 8, s1

    // Aligned again: works.
    lr.d a0, (s0)
    CHECK 9, a0, 0x1122334455667788
TEST_PASS

    .data
    .align 3
slot: .dword 0x1122334455667788, 0
