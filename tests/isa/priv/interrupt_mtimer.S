// Machine timer interrupt (RISC-V privileged 1.12 §3.2.1, §3.1.9): mip.MTIP is set exactly while
// mtime >= mtimecmp, is read-only in mip and is cleared by writing mtimecmp. The interrupt is taken
// when mie.MTIE is set and either the hart is in M-mode with mstatus.MIE = 1 or it is in a less
// privileged mode (§3.1.6.1); otherwise it stays pending. It is taken immediately after the CSR
// write that enables it (§3.1.9), with mepc = the next instruction and mtval = 0.
#include "vireo_test.h"

TEST_BEGIN
    li s0, CLINT_MTIME
    li s1, CLINT_MTIMECMP

    // mtime advances (at whatever rate) and never goes backwards.
    ld a0, 0(s0)
    li a2, 1000000
1:  ld a1, 0(s0)
    bltu a1, a0, fail_1
    bne a1, a0, 2f
    addi a2, a2, -1
    bnez a2, 1b
    FAIL 2
2:
    // mtimecmp far in the future: not pending.
    li t0, -1
    sd t0, 0(s1)
    ld a0, 0(s1)
    CHECK 3, a0, -1                     // mtimecmp reads back
    CHECK_CSR_MASKED 4, mip, MIP_MTIP, 0

    // mtimecmp = 0 <= mtime: pending (allow the device a moment to raise it).
    sd zero, 0(s1)
    li a2, 1000
1:  csrr a0, mip
    andi a0, a0, MIP_MTIP
    bnez a0, 2f
    addi a2, a2, -1
    bnez a2, 1b
2:  CHECK 5, a0, MIP_MTIP
    // Read-only in mip: a CSR write does not clear it.
    li t0, MIP_MTIP
    csrc mip, t0
    CHECK_CSR_MASKED 6, mip, MIP_MTIP, MIP_MTIP

    // Enabled in mie but MIE = 0 in M-mode: it stays pending and is not taken.
    li t0, MIP_MTIP
    csrw mie, t0
    TRAP_ARM fail_7
    li a2, 1000
1:  addi a2, a2, -1
    bnez a2, 1b
    TRAP_DISARM
    CHECK_CSR_MASKED 8, mip, MIP_MTIP, MIP_MTIP

    // Setting MIE: taken right after the CSRRSI, at the next instruction.
    li t0, 0x55
    csrw mtval, t0
    TRAP_ARM 1f
    csrsi mstatus, MSTATUS_MIE
2:  WAIT_FOR_TRAP 10
1:  CHECK_TRAP 11, INTERRUPT_CAUSE(IRQ_M_TIMER)
    CHECK_TRAP_EPC 12, 2b
    CHECK_TRAP_TVAL 13, 0
    CHECK_TRAP_STATUS 14, MSTATUS_MPIE | MSTATUS_MPP, MSTATUS_MPIE | MSTATUS_MPP_M

    // Writing mtimecmp into the future clears MTIP.
    ld a0, 0(s0)
    li t0, 1 << 40
    add a0, a0, t0
    sd a0, 0(s1)
    li a2, 1000
1:  csrr a0, mip
    andi a0, a0, MIP_MTIP
    beqz a0, 2f
    addi a2, a2, -1
    bnez a2, 1b
2:  CHECK 20, a0, 0

    // A deadline a little ahead: MTIP comes up once mtime has reached it.
    ld a0, 0(s0)
    addi s2, a0, 100
    sd s2, 0(s1)
    li a2, 1000000
1:  csrr a0, mip
    ld a1, 0(s0)                        // mtime, read after mip
    andi a0, a0, MIP_MTIP
    bnez a0, 2f
    addi a2, a2, -1
    bnez a2, 1b
    FAIL 21
2:  bltu a1, s2, fail_22

    // In U-mode, M-level interrupts are enabled whatever MIE says: taken at the first U-mode
    // instruction.
    sd zero, 0(s1)
    TRAP_ARM 1f
    ENTER_UMODE 2f
2:  WAIT_FOR_TRAP 30
1:  CHECK_TRAP 31, INTERRUPT_CAUSE(IRQ_M_TIMER)
    CHECK_TRAP_EPC 32, 2b
    CHECK_TRAP_STATUS 33, MSTATUS_MPP | MSTATUS_MIE, 0

    li t0, -1
    sd t0, 0(s1)
    csrw mie, zero
TEST_PASS

fail_1:  FAIL 1
fail_7:  FAIL 7
fail_22: FAIL 22
