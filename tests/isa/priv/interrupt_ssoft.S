// Supervisor software interrupt (RISC-V privileged 1.12 §3.1.9, §4.1.3): mip.SSIP is writable by
// M-mode, and sip.SSIP by S-mode once delegated; sip/sie show SSIP/SSIE only when mideleg
// delegates it. Not delegated, it is an M-mode interrupt (taken in M-mode with MIE = 1). Delegated,
// it is never taken in M-mode, is taken in S-mode when sstatus.SIE = 1, and always in U-mode.
#include "vireo_test.h"

TEST_BEGIN
    li s0, MIP_SSIP
    csrs mip, s0
    CHECK_CSR_MASKED 1, mip, MIP_SSIP, MIP_SSIP
    csrc mip, s0
    CHECK_CSR_MASKED 2, mip, MIP_SSIP, 0

    // Not delegated: invisible in sip, taken in M-mode.
    csrs mip, s0
    csrw mideleg, zero
    CHECK_CSR_MASKED 3, sip, MIP_SSIP, 0
    csrw mie, s0
    TRAP_ARM 1f
    csrsi mstatus, MSTATUS_MIE
2:  WAIT_FOR_TRAP 4
1:  CHECK_TRAP 5, INTERRUPT_CAUSE(IRQ_S_SOFT)
    CHECK_TRAP_EPC 6, 2b

    // Delegated: visible in sip/sie, and never taken in M-mode even with MIE = SIE = 1.
    csrw mideleg, s0
    CHECK_CSR_MASKED 10, sip, MIP_SSIP, MIP_SSIP
    CHECK_CSR_MASKED 11, sie, MIP_SSIP, MIP_SSIP
    li t0, MSTATUS_MIE | MSTATUS_SIE
    csrs mstatus, t0
    TRAP_ARM fail_12
    nop
    nop
    nop
    TRAP_DISARM
    li t0, MSTATUS_MIE | MSTATUS_SIE
    csrc mstatus, t0

    // In S-mode with SIE = 0: pending, not taken. Setting SIE: taken into S-mode at once.
    la t0, vt_strap_entry
    csrw stvec, t0
    TRAP_ARM 1f
    STRAP_ARM 3f
    ENTER_SMODE 2f
2:  nop
    nop
    csrsi sstatus, MSTATUS_SIE
4:  WAIT_FOR_TRAP 20
3:  csrr s1, sip                        // resumed here in S-mode
    csrci sip, MIP_SSIP                 // S-mode clears the delegated bit itself
    ecall
1:  CHECK_TRAP 21, CAUSE_SUPERVISOR_ECALL
    CHECK_STRAP 22, INTERRUPT_CAUSE(IRQ_S_SOFT)
    CHECK_STRAP_EPC 23, 4b
    ld a0, vt_strap_status
    andi a0, a0, MSTATUS_SPP | MSTATUS_SPIE
    CHECK 24, a0, MSTATUS_SPP | MSTATUS_SPIE
    andi s1, s1, MIP_SSIP
    CHECK 25, s1, MIP_SSIP
    CHECK_CSR_MASKED 26, mip, MIP_SSIP, 0

    // In U-mode it is taken whatever SIE says.
    csrs mip, s0
    csrci sstatus, MSTATUS_SIE
    TRAP_ARM 1f
    STRAP_ARM 3f
    ENTER_UMODE 2f
2:  WAIT_FOR_TRAP 30
3:  csrci sip, MIP_SSIP
    ecall
1:  CHECK_TRAP 31, CAUSE_SUPERVISOR_ECALL
    CHECK_STRAP 32, INTERRUPT_CAUSE(IRQ_S_SOFT)
    CHECK_STRAP_EPC 33, 2b
    ld a0, vt_strap_status
    andi a0, a0, MSTATUS_SPP
    CHECK 34, a0, 0

    csrw mie, zero
    csrw mideleg, zero
TEST_PASS

fail_12: FAIL 12
