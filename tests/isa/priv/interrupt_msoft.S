// Machine software interrupt (RISC-V privileged 1.12 §3.1.9; CLINT msip register): writing 1 to
// msip raises mip.MSIP and writing 0 clears it; only bit 0 of msip is implemented, and MSIP is
// read-only in mip. The interrupt is taken in M-mode when MIE = 1 and mie.MSIE = 1, at once after
// the enabling CSR write, and always in a less privileged mode.
#include "vireo_test.h"

TEST_BEGIN
    li s0, CLINT_MSIP
    lw a0, 0(s0)
    CHECK 1, a0, 0
    CHECK_CSR_MASKED 2, mip, MIP_MSIP, 0

    li t0, 1
    sw t0, 0(s0)
    lw a0, 0(s0)
    CHECK 3, a0, 1
    CHECK_CSR_MASKED 4, mip, MIP_MSIP, MIP_MSIP
    li t0, MIP_MSIP
    csrc mip, t0                        // read-only in mip
    CHECK_CSR_MASKED 5, mip, MIP_MSIP, MIP_MSIP
    sw zero, 0(s0)
    CHECK_CSR_MASKED 6, mip, MIP_MSIP, 0
    li t0, -1
    sw t0, 0(s0)                        // only bit 0 exists
    lw a0, 0(s0)
    CHECK 7, a0, 1
    CHECK_CSR_MASKED 8, mip, MIP_MSIP, MIP_MSIP

    // Pending and enabled in mie, but MIE = 0: not taken.
    li t0, MIP_MSIP
    csrw mie, t0
    TRAP_ARM fail_10
    nop
    nop
    nop
    TRAP_DISARM

    // MIE = 1: taken at the next instruction.
    TRAP_ARM 1f
    csrsi mstatus, MSTATUS_MIE
2:  WAIT_FOR_TRAP 11
1:  CHECK_TRAP 12, INTERRUPT_CAUSE(IRQ_M_SOFT)
    CHECK_TRAP_EPC 13, 2b
    CHECK_CSR_MASKED 14, mstatus, MSTATUS_MIE, 0     // the handler left MIE = 0
    sw zero, 0(s0)
    CHECK_CSR_MASKED 15, mip, MIP_MSIP, 0
    // Nothing pending any more: enabling MIE takes nothing.
    TRAP_ARM fail_16
    csrsi mstatus, MSTATUS_MIE
    nop
    nop
    csrci mstatus, MSTATUS_MIE
    TRAP_DISARM

    // From S-mode, with MIE = 0.
    li t0, 1
    sw t0, 0(s0)
    TRAP_ARM 1f
    ENTER_SMODE 2f
2:  WAIT_FOR_TRAP 20
1:  CHECK_TRAP 21, INTERRUPT_CAUSE(IRQ_M_SOFT)
    CHECK_TRAP_EPC 22, 2b
    CHECK_TRAP_STATUS 23, MSTATUS_MPP, MSTATUS_MPP_S
    sw zero, 0(s0)
    csrw mie, zero
TEST_PASS

fail_10: FAIL 10
fail_16: FAIL 16
