// Interrupt priority between M-level and S-level interrupts that are not delegated, so that both
// are for M-mode (RISC-V privileged 1.12 §3.1.9): MSI and MTI come before SSI and STI.
// Not run under QEMU 7.2, which takes the undelegated SSI/STI first.
#include "vireo_test.h"

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

    // MTI before SSI.
    sd zero, 0(s1)
    li t0, MIP_SSIP
    csrs mip, t0
    li t0, MIP_MTIP | MIP_SSIP
    csrw mie, t0
    TAKE 1, IRQ_M_TIMER
    sd s3, 0(s1)
    TAKE 2, IRQ_S_SOFT
    li t0, MIP_SSIP
    csrc mip, t0

    // MTI before STI.
    sd zero, 0(s1)
    li t0, MIP_STIP
    csrs mip, t0
    li t0, MIP_MTIP | MIP_STIP
    csrw mie, t0
    TAKE 10, IRQ_M_TIMER
    sd s3, 0(s1)
    TAKE 11, IRQ_S_TIMER
    li t0, MIP_STIP
    csrc mip, t0

    // MSI before SSI.
    li t0, MIP_SSIP
    csrs mip, t0
    sw s2, 0(s0)
    li t0, MIP_MSIP | MIP_SSIP
    csrw mie, t0
    TAKE 20, IRQ_M_SOFT
    sw zero, 0(s0)
    TAKE 21, IRQ_S_SOFT
    li t0, MIP_SSIP
    csrc mip, t0
    csrw mie, zero
TEST_PASS
