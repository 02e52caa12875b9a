// WFI (RISC-V privileged 1.12 §3.3.3): the hart may stall until an interrupt is pending and
// enabled in mie/sie, whatever the global enables (MIE/SIE) say: with them off, execution just
// continues after the WFI; with them on, the interrupt is taken with mepc = the instruction after
// the WFI. With mstatus.TW = 0 S-mode may execute WFI too (§3.1.6.5). (WFI may also return early,
// so the first check retries in a bounded loop.)
#include "vireo_test.h"

TEST_BEGIN
    li s0, CLINT_MTIME
    li s1, CLINT_MTIMECMP

    // Pending but disabled: WFI returns, no trap; MTIP is then set.
    ld a0, 0(s0)
    li t0, 10000
    add a0, a0, t0
    sd a0, 0(s1)
    li t0, MIP_MTIP
    csrw mie, t0
    TRAP_ARM fail_1
    li a2, 1000
1:  wfi
    csrr a0, mip
    andi a0, a0, MIP_MTIP
    bnez a0, 2f
    addi a2, a2, -1
    bnez a2, 1b
2:  TRAP_DISARM
    CHECK 2, a0, MIP_MTIP

    // Enabled: the interrupt is taken at the instruction after the WFI. The deadline is far enough
    // ahead (0.1 s at QEMU's 10 MHz; Vireo skips ahead to it) for the WFI to be reached first.
    ld a0, 0(s0)
    li t0, 1000000
    add a0, a0, t0
    sd a0, 0(s1)
    TRAP_ARM 1f
    csrsi mstatus, MSTATUS_MIE
    wfi
2:  WAIT_FOR_TRAP 3
1:  CHECK_TRAP 4, INTERRUPT_CAUSE(IRQ_M_TIMER)
    CHECK_TRAP_EPC 5, 2b
    li t0, -1
    sd t0, 0(s1)

    // S-mode, TW = 0: WFI completes (a delegated SSI is pending and enabled in sie, SIE = 0).
    li t0, MIP_SSIP
    csrw mideleg, t0
    csrw mie, t0
    csrs mip, t0
    csrci sstatus, MSTATUS_SIE
    EXPECT_OK_IN_MODE 10, PRV_S, wfi
    li t0, MIP_SSIP
    csrc mip, t0
    csrw mie, zero
    csrw mideleg, zero

    // TW = 1 does not apply to M-mode.
    li t0, MSTATUS_TW
    csrs mstatus, t0
    li t0, MIP_MSIP
    csrw mie, t0
    li t1, CLINT_MSIP
    li t0, 1
    sw t0, 0(t1)                        // MSI pending and enabled in mie, MIE = 0: WFI returns
    EXPECT_NO_TRAP 11, wfi
    sw zero, 0(t1)
    csrw mie, zero
    li t0, MSTATUS_TW
    csrc mstatus, t0
TEST_PASS

fail_1: FAIL 1
