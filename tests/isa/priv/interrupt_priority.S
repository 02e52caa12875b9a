// Interrupt priority (RISC-V privileged 1.12 §3.1.9): simultaneous interrupts for M-mode are taken
// in the order MEI, MSI, MTI, SEI, SSI, STI; an interrupt for M-mode beats one delegated to S-mode;
// S-mode orders its own the same way (§4.1.3). The lower-priority one stays pending meanwhile.
// M-level against undelegated S-level interrupts: priv/interrupt_priority_m.S.
#include "vireo_test.h"

// Enables MIE and expects the interrupt with code irq to be taken (check n), leaving MIE = 0.
.macro TAKE n, irq
    TRAP_ARM .Ltaken\@
    csrsi mstatus, MSTATUS_MIE
    WAIT_FOR_TRAP \n
.Ltaken\@:
    CHECK_TRAP \n, INTERRUPT_CAUSE(\irq)
.endm

TEST_BEGIN
    li s0, CLINT_MSIP
    li s1, CLINT_MTIMECMP
    li s2, 1
    li s3, -1

    // MSI before MTI.
    sw s2, 0(s0)
    sd zero, 0(s1)
    li t0, MIP_MSIP | MIP_MTIP
    csrw mie, t0
    TAKE 1, IRQ_M_SOFT
    CHECK_CSR_MASKED 2, mip, MIP_MTIP, MIP_MTIP         // still pending
    sw zero, 0(s0)
    TAKE 3, IRQ_M_TIMER
    sd s3, 0(s1)

    // SSI before STI (neither delegated: both for M-mode).
    li t0, MIP_SSIP | MIP_STIP
    csrs mip, t0
    csrw mie, t0
    TAKE 20, IRQ_S_SOFT
    li t0, MIP_SSIP
    csrc mip, t0
    TAKE 21, IRQ_S_TIMER
    li t0, MIP_STIP
    csrc mip, t0

    // In S-mode: an interrupt for M-mode (MTI) before one delegated to S-mode (SSI), though both
    // are enabled there.
    li t0, MIP_SSIP | MIP_STIP
    csrw mideleg, t0
    la t0, vt_strap_entry
    csrw stvec, t0
    csrsi sstatus, MSTATUS_SIE
    li t0, MIP_SSIP
    csrs mip, t0
    sd zero, 0(s1)
    li t0, MIP_MTIP | MIP_SSIP
    csrw mie, t0
    TRAP_ARM 1f
    ENTER_SMODE 2f
2:  WAIT_FOR_TRAP 40
1:  CHECK_TRAP 41, INTERRUPT_CAUSE(IRQ_M_TIMER)
    CHECK_TRAP_STATUS 42, MSTATUS_MPP, MSTATUS_MPP_S
    sd s3, 0(s1)

    // In S-mode, delegated SSI before delegated STI.
    li t0, MIP_STIP
    csrs mip, t0
    li t0, MIP_SSIP | MIP_STIP
    csrw mie, t0
    csrsi sstatus, MSTATUS_SIE
    TRAP_ARM 1f
    STRAP_ARM 3f
    ENTER_SMODE 2f
2:  WAIT_FOR_TRAP 50
3:  ecall
1:  CHECK_STRAP 51, INTERRUPT_CAUSE(IRQ_S_SOFT)
    CHECK_CSR_MASKED 52, mip, MIP_SSIP | MIP_STIP, MIP_SSIP | MIP_STIP     // both still pending

    csrw mie, zero
    csrw mideleg, zero
    li t0, MIP_SSIP | MIP_STIP
    csrc mip, t0
TEST_PASS
