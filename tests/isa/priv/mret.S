// MRET (RISC-V privileged 1.12 §3.3.2, §3.1.6.1): with y = mstatus.MPP, it sets the privilege to y,
// MIE = MPIE, MPIE = 1, MPP = U (the least-privileged supported mode), clears MPRV if y != M
// (§3.1.6.3), and jumps to mepc. (MPP's WARL rule: priv/warl.S.)
#include "vireo_test.h"

#define STACK (MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP)

TEST_BEGIN
    // y = M with MPIE = 1: MIE becomes 1, MPIE stays 1, MPP becomes U.
    li t0, MSTATUS_MPP | MSTATUS_MPIE
    csrs mstatus, t0
    li t0, MSTATUS_MIE
    csrc mstatus, t0
    la t0, 1f
    csrw mepc, t0
    mret
    FAIL 1
1:  csrr a0, mstatus
    csrci mstatus, MSTATUS_MIE
    li t0, STACK
    and a0, a0, t0
    CHECK 2, a0, MSTATUS_MIE | MSTATUS_MPIE

    // y = M with MPIE = 0 and MIE = 1: MIE becomes 0.
    li t0, MSTATUS_MPP | MSTATUS_MIE
    csrs mstatus, t0
    li t0, MSTATUS_MPIE
    csrc mstatus, t0
    la t0, 1f
    csrw mepc, t0
    mret
    FAIL 3
1:  CHECK_CSR_MASKED 4, mstatus, STACK, MSTATUS_MPIE

    // y = S: S-mode can read sstatus but not mstatus.
    TRAP_ARM 1f
    ENTER_SMODE 2f
2:  csrr a0, sstatus
3:  csrr a0, mstatus
    FAIL 5
1:  CHECK_TRAP 6, CAUSE_ILLEGAL_INSTRUCTION
    CHECK_TRAP_EPC 7, 3b
    CHECK_TRAP_STATUS 8, MSTATUS_MPP, MSTATUS_MPP_S

    // y = U: not even sstatus.
    TRAP_ARM 1f
    ENTER_UMODE 2f
2:  csrr a0, sstatus
    FAIL 9
1:  CHECK_TRAP 10, CAUSE_ILLEGAL_INSTRUCTION
    CHECK_TRAP_EPC 11, 2b
    CHECK_TRAP_STATUS 12, MSTATUS_MPP, 0

    // MRET to S or U clears MPRV (seen after the ECALL back, which does not touch MPRV).
    li t0, MSTATUS_MPRV
    csrs mstatus, t0
    EXPECT_OK_IN_MODE 20, PRV_S, nop
    CHECK_CSR_MASKED 21, mstatus, MSTATUS_MPRV, 0
    li t0, MSTATUS_MPRV
    csrs mstatus, t0
    EXPECT_OK_IN_MODE 22, PRV_U, nop
    CHECK_CSR_MASKED 23, mstatus, MSTATUS_MPRV, 0
    // ...but MRET to M keeps it.
    li t0, MSTATUS_MPRV | MSTATUS_MPP
    csrs mstatus, t0
    la t0, 1f
    csrw mepc, t0
    mret
1:  csrr a0, mstatus
    li t0, MSTATUS_MPRV                 // (with MPP = U now, loads would be translated as U's:
    csrc mstatus, t0                    //  harmless with satp = 0, but clear it first anyway)
    li t0, MSTATUS_MPRV
    and a0, a0, t0
    CHECK 24, a0, MSTATUS_MPRV

    // MRET jumps to mepc exactly, also to an address that is 2 mod 4.
    la t0, 2f
    csrw mepc, t0
    li t0, MSTATUS_MPP
    csrs mstatus, t0
    mret
    FAIL 30
    .balign 4
    .option push
    .option rvc
    c.nop
    .option pop
2:  la a0, 2b
    andi a0, a0, 3
    CHECK 31, a0, 2

TEST_PASS
