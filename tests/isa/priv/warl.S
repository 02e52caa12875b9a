// WARL fields never hold illegal values (RISC-V privileged 1.12 §2.3): mepc and sepc have bit 0
// always zero (§3.1.14, §4.1.7; with C, IALIGN = 16, so bit 1 is kept) and MRET jumps to the value
// as read; mstatus.MPP can hold only M, S or U, never the reserved 2 (§3.1.6.1).
// Not run under QEMU 7.2, which keeps bit 0 of mepc/sepc and stores MPP = 2.
#include "vireo_test.h"

TEST_BEGIN
    li t0, -1
    csrw mepc, t0
    CHECK_CSR 1, mepc, -2
    li t0, 0x80000003
    csrw mepc, t0
    CHECK_CSR 2, mepc, 0x80000002
    li t0, -1
    csrw sepc, t0
    CHECK_CSR 3, sepc, -2
    li t0, 0x80000001
    csrw sepc, t0
    CHECK_CSR 4, sepc, 0x80000000

    // MRET to an odd address goes to the even one below it.
    la t0, 1f
    addi t0, t0, 1
    csrw mepc, t0
    li t0, MSTATUS_MPP
    csrs mstatus, t0                    // MPP = M
    mret
    FAIL 5
1:  li a0, 1
    CHECK 6, a0, 1

    // Writing MPP = 2 leaves a legal mode.
    li t0, MSTATUS_MPP
    csrc mstatus, t0
    li t0, 0x1000                       // MPP = 2
    csrs mstatus, t0
    csrr a0, mstatus
    li t0, MSTATUS_MPP
    and a0, a0, t0
    li t0, 0x1000
    bne a0, t0, 2f
    FAIL 10
2:
TEST_PASS
