// SRET (RISC-V privileged 1.12 §3.3.2, §4.1.1): with y = sstatus.SPP, it sets the privilege to y,
// SIE = SPIE, SPIE = 1, SPP = U, clears mstatus.MPRV (y is never M), and jumps to sepc. It may be
// executed in S-mode (TSR = 0) and in M-mode. sstatus shows only the S-level fields of mstatus.
#include "vireo_test.h"

#define SSTACK (MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP)
#define S_FIELDS (MSTATUS_SUM | MSTATUS_MXR | MSTATUS_SPIE)

TEST_BEGIN
    // From M-mode to S-mode with SPIE = 1: S-mode then sees SIE = 1, SPIE = 1, SPP = U.
    li t0, MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_MPRV
    csrs mstatus, t0
    li t0, MSTATUS_SIE
    csrc mstatus, t0
    la t0, 1f
    csrw sepc, t0
    TRAP_ARM 2f
    sret
    FAIL 1
1:  csrr a0, sstatus
    ecall
2:  CHECK_TRAP 2, CAUSE_SUPERVISOR_ECALL       // it was S-mode
    li t0, SSTACK
    and a0, a0, t0
    CHECK 3, a0, MSTATUS_SIE | MSTATUS_SPIE
    CHECK_CSR_MASKED 4, mstatus, MSTATUS_MPRV, 0
    csrci sstatus, MSTATUS_SIE

    // From S-mode: SPP = U returns to U-mode...
    TRAP_ARM 1f
    ENTER_SMODE 2f
2:  li t0, MSTATUS_SPP
    csrc sstatus, t0
    la t0, 3f
    csrw sepc, t0
    sret
    FAIL 10
3:  csrr a0, sstatus                    // illegal in U-mode
    FAIL 11
1:  CHECK_TRAP 12, CAUSE_ILLEGAL_INSTRUCTION
    CHECK_TRAP_EPC 13, 3b
    CHECK_TRAP_STATUS 14, MSTATUS_MPP, 0

    // ...and SPP = S stays in S-mode, with SPIE = 0 giving SIE = 0.
    TRAP_ARM 1f
    ENTER_SMODE 2f
2:  li t0, MSTATUS_SPP | MSTATUS_SIE
    csrs sstatus, t0
    li t0, MSTATUS_SPIE
    csrc sstatus, t0
    la t0, 3f
    csrw sepc, t0
    sret
    FAIL 20
3:  csrr a0, sstatus                    // legal: still S-mode
    ecall
1:  CHECK_TRAP 21, CAUSE_SUPERVISOR_ECALL
    li t0, SSTACK
    and a0, a0, t0
    CHECK 22, a0, MSTATUS_SPIE          // SIE = 0, SPIE = 1, SPP = U

    // sstatus is a view of mstatus without the M-level fields (§4.1.1).
    li t0, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP
    csrs mstatus, t0
    CHECK_CSR_MASKED 30, sstatus, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP | MSTATUS_TVM, 0
    csrci mstatus, MSTATUS_MIE
    li t0, S_FIELDS
    csrs sstatus, t0                    // S-level fields written through sstatus...
    CHECK_CSR_MASKED 31, mstatus, S_FIELDS, S_FIELDS
    li t0, MSTATUS_MPP | MSTATUS_MPIE | MSTATUS_TVM | MSTATUS_TSR
    csrc sstatus, t0                    // ...but not the M-level ones
    CHECK_CSR_MASKED 32, mstatus, MSTATUS_MPP | MSTATUS_MPIE, MSTATUS_MPP | MSTATUS_MPIE
    li t0, MSTATUS_SUM | MSTATUS_MXR
    csrc sstatus, t0
TEST_PASS
