// What taking a trap into M-mode does (RISC-V privileged 1.12 §3.1.6.1, §3.1.7, §3.1.14,
// §3.1.15): the pc becomes mtvec.BASE (direct mode); mepc gets the trapping instruction's address;
// mcause gets the cause with the Interrupt bit clear for exceptions; mstatus.MPIE gets MIE, MIE
// becomes 0 and MPP gets the previous privilege mode. (mepc's own WARL rule: priv/epc_warl.S.)
#include "vireo_test.h"

TEST_BEGIN
    // MIE = 1 in M-mode (nothing is enabled in mie, so nothing interrupts): MPIE = 1, MIE = 0.
    li t0, MSTATUS_MIE
    csrs mstatus, t0
    EXPECT_TRAP 1, CAUSE_MACHINE_ECALL, ecall
    CHECK_TRAP_STATUS 2, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP, MSTATUS_MPIE | MSTATUS_MPP_M
    // MIE = 0: MPIE = 0.
    li t0, MSTATUS_MIE
    csrc mstatus, t0
    EXPECT_TRAP 3, CAUSE_MACHINE_ECALL, ecall
    CHECK_TRAP_STATUS 4, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP, MSTATUS_MPP_M

    // From S-mode, entered with MIE = 1 (MRET copies MPIE = 1 into MIE; M-mode interrupts are
    // enabled in S-mode anyway, and none is pending).
    li t0, MSTATUS_MPIE
    csrs mstatus, t0
    TRAP_ARM 1f
    ENTER_SMODE 2f
2:  ecall
1:  CHECK_TRAP 10, CAUSE_SUPERVISOR_ECALL
    CHECK_TRAP_STATUS 11, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP, MSTATUS_MPIE | MSTATUS_MPP_S
    // From U-mode, entered with MIE = 0.
    li t0, MSTATUS_MPIE
    csrc mstatus, t0
    TRAP_ARM 1f
    ENTER_UMODE 2f
2:  ecall
1:  CHECK_TRAP 12, CAUSE_USER_ECALL
    CHECK_TRAP_STATUS 13, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP, 0

    // The trap goes exactly to mtvec: point it at a stub that marks s11 and goes on to the harness.
    la t0, stub
    csrw mtvec, t0
    csrr a0, mtvec
    CHECK_ADDR 20, a0, stub             // 4-byte aligned direct mode: read back as written
    li s11, 0
    EXPECT_TRAP 21, CAUSE_BREAKPOINT, ebreak
    CHECK 22, s11, 1
    la t0, vt_trap_entry
    csrw mtvec, t0
TEST_PASS

    .align 2
stub:
    li s11, 1
    j vt_trap_entry
