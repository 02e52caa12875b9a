// Vectored trap mode (RISC-V privileged 1.12 §3.1.7 and §4.1.2): with xtvec.MODE = 1, exceptions
// go to BASE and an interrupt with cause code c to BASE + 4×c, for mtvec and stvec alike.
#include "vireo_test.h"

TEST_BEGIN
    la t0, mvectors + 1
    csrw mtvec, t0
    CHECK_CSR_MASKED 1, mtvec, 3, 1     // vectored mode is supported

    // An exception: BASE.
    li s11, -1
    EXPECT_TRAP 2, CAUSE_MACHINE_ECALL, ecall
    CHECK 3, s11, 0

    // Machine software interrupt: BASE + 4×3.
    li s11, -1
    li t0, MIP_MSIP
    csrw mie, t0
    li t0, CLINT_MSIP
    li t1, 1
    sw t1, 0(t0)
    TRAP_ARM 1f
    csrsi mstatus, MSTATUS_MIE
    WAIT_FOR_TRAP 4
1:  CHECK_TRAP 4, INTERRUPT_CAUSE(IRQ_M_SOFT)
    CHECK 5, s11, 3
    li t0, CLINT_MSIP
    sw zero, 0(t0)

    // Machine timer interrupt: BASE + 4×7.
    li s11, -1
    li t0, CLINT_MTIMECMP
    sd zero, 0(t0)                      // mtime >= 0: pending at once
    li t0, MIP_MTIP
    csrw mie, t0
    TRAP_ARM 1f
    csrsi mstatus, MSTATUS_MIE
    WAIT_FOR_TRAP 6
1:  CHECK_TRAP 6, INTERRUPT_CAUSE(IRQ_M_TIMER)
    CHECK 7, s11, 7
    li t0, CLINT_MTIMECMP
    li t1, -1
    sd t1, 0(t0)

    // Supervisor software interrupt, not delegated, taken in M: BASE + 4×1.
    li s11, -1
    li t0, MIP_SSIP
    csrw mie, t0
    csrs mip, t0
    TRAP_ARM 1f
    csrsi mstatus, MSTATUS_MIE
    WAIT_FOR_TRAP 8
1:  CHECK_TRAP 8, INTERRUPT_CAUSE(IRQ_S_SOFT)
    CHECK 9, s11, 1
    li t0, MIP_SSIP
    csrc mip, t0
    csrw mie, zero

    // stvec: the same SSIP, delegated and taken in S-mode, goes to S BASE + 4×1.
    la t0, svectors + 1
    csrw stvec, t0
    CHECK_CSR_MASKED 10, stvec, 3, 1
    li t0, MIP_SSIP
    csrw mideleg, t0
    csrw mie, t0
    csrs mip, t0
    li s11, -1
    STRAP_ARM 3f
    TRAP_ARM 1f
    ENTER_SMODE 2f
2:  csrsi sstatus, MSTATUS_SIE          // taken here, in S-mode
    WAIT_FOR_TRAP 11
3:  csrci sip, MIP_SSIP                 // S-mode clears its own pending bit
    mv s10, s11                         // (the ECALL goes through mvectors and sets s11 again)
    ecall
1:  CHECK_TRAP 11, CAUSE_SUPERVISOR_ECALL
    CHECK 12, s11, 0                    // the ECALL: an exception, so BASE
    CHECK_STRAP 13, INTERRUPT_CAUSE(IRQ_S_SOFT)
    CHECK 14, s10, 101
    CHECK_CSR_MASKED 15, mip, MIP_SSIP, 0
    csrw mie, zero
    csrw mideleg, zero
    la t0, vt_trap_entry
    csrw mtvec, t0
TEST_PASS

// M-mode vector table: each entry notes its number in s11 and goes on to the harness handler.
    .balign 256
mvectors:
.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
    j mvector_\n
.endr
.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
mvector_\n:
    li s11, \n
    j vt_trap_entry
.endr

// S-mode vector table: entry n notes 100 + n.
    .balign 256
svectors:
.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
    j svector_\n
.endr
.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
svector_\n:
    li s11, 100 + \n
    j vt_strap_entry
.endr
