// Privileged instructions outside their privilege (RISC-V privileged 1.12): MRET is illegal below
// M-mode and SRET below S-mode (§3.3.2); with mstatus.TSR = 1 SRET is illegal in S-mode
// (§3.1.6.5); SFENCE.VMA is illegal in U-mode, and in S-mode when mstatus.TVM = 1, which also
// makes satp inaccessible to S-mode (§3.1.6.5, §4.2.1). M-mode is never restricted by TSR/TVM.
#include "vireo_test.h"

TEST_BEGIN
    EXPECT_TRAP_IN_MODE 1, PRV_S, CAUSE_ILLEGAL_INSTRUCTION, mret
    EXPECT_TRAP_IN_MODE 2, PRV_U, CAUSE_ILLEGAL_INSTRUCTION, mret
    EXPECT_TRAP_IN_MODE 3, PRV_U, CAUSE_ILLEGAL_INSTRUCTION, sret
    EXPECT_TRAP_IN_MODE 4, PRV_U, CAUSE_ILLEGAL_INSTRUCTION, sfence.vma
    EXPECT_TRAP_IN_MODE 5, PRV_U, CAUSE_ILLEGAL_INSTRUCTION, sfence.vma zero, zero
    // S-mode may run SFENCE.VMA and use satp (TVM = 0).
    EXPECT_OK_IN_MODE 6, PRV_S, sfence.vma
    EXPECT_OK_IN_MODE 7, PRV_S, csrr a0, satp

    // TVM = 1: satp and SFENCE.VMA trap in S-mode, not in M-mode.
    li t0, MSTATUS_TVM
    csrs mstatus, t0
    EXPECT_TRAP_IN_MODE 10, PRV_S, CAUSE_ILLEGAL_INSTRUCTION, sfence.vma
    EXPECT_TRAP_IN_MODE 11, PRV_S, CAUSE_ILLEGAL_INSTRUCTION, csrr a0, satp
    EXPECT_TRAP_IN_MODE 12, PRV_S, CAUSE_ILLEGAL_INSTRUCTION, csrw satp, zero
    EXPECT_NO_TRAP 13, sfence.vma
    EXPECT_NO_TRAP 14, csrw satp, zero
    EXPECT_OK_IN_MODE 15, PRV_S, csrr a0, sscratch              // other S CSRs are fine
    li t0, MSTATUS_TVM
    csrc mstatus, t0

    // TSR = 1: SRET traps in S-mode. (A working SRET in S-mode is in priv/sret.S.)
    li t0, MSTATUS_TSR
    csrs mstatus, t0
    li t0, MSTATUS_SPP
    csrs mstatus, t0                    // SPP = S, so that a non-trapping SRET stays in S
    EXPECT_TRAP_IN_MODE 20, PRV_S, CAUSE_ILLEGAL_INSTRUCTION, sret
    // ...but M-mode can still execute SRET: it returns to S-mode at sepc.
    la t0, 1f
    csrw sepc, t0
    TRAP_ARM 2f
    sret
1:  ecall
2:  CHECK_TRAP 21, CAUSE_SUPERVISOR_ECALL
    li t0, MSTATUS_TSR
    csrc mstatus, t0
TEST_PASS
