// Supervisor timer interrupt without Sstc (RISC-V privileged 1.12 §3.1.9, §4.1.3): mip.STIP is
// written by M-mode (typically from its own timer handler) and is read-only in sip. Delegated
// through mideleg, it is taken by S-mode, which cannot clear it and asks M-mode to; not delegated,
// it is an M-level interrupt, taken from S-mode whatever MIE says.
#include "vireo_test.h"

TEST_BEGIN
    li s0, MIP_STIP
    csrs mip, s0
    CHECK_CSR_MASKED 1, mip, MIP_STIP, MIP_STIP

    // Delegated, S-mode with SIE = 1: taken into S-mode.
    csrw mideleg, s0
    csrw mie, s0
    la t0, vt_strap_entry
    csrw stvec, t0
    TRAP_ARM 1f
    STRAP_ARM 3f
    ENTER_SMODE 2f
2:  csrsi sstatus, MSTATUS_SIE
4:  WAIT_FOR_TRAP 2
3:  li t0, MIP_STIP
    csrc sip, t0                        // read-only in sip: no effect
    csrr s1, sip
    ecall                               // the usual SBI-style request to M-mode
1:  CHECK_TRAP 3, CAUSE_SUPERVISOR_ECALL
    CHECK_STRAP 4, INTERRUPT_CAUSE(IRQ_S_TIMER)
    CHECK_STRAP_EPC 5, 4b
    andi s1, s1, MIP_STIP
    CHECK 6, s1, MIP_STIP
    csrc mip, s0                        // M-mode clears it
    CHECK_CSR_MASKED 7, mip, MIP_STIP, 0

    // Not delegated: from S-mode it goes to M-mode even with MIE = 0.
    csrw mideleg, zero
    csrs mip, s0
    TRAP_ARM 1f
    ENTER_SMODE 2f
2:  WAIT_FOR_TRAP 10
1:  CHECK_TRAP 11, INTERRUPT_CAUSE(IRQ_S_TIMER)
    CHECK_TRAP_EPC 12, 2b
    CHECK_TRAP_STATUS 13, MSTATUS_MPP, MSTATUS_MPP_S
    csrc mip, s0
    csrw mie, zero
TEST_PASS
