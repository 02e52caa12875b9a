// Exception delegation (RISC-V privileged 1.12 §3.1.8): with medeleg bit c set, an exception with
// cause c raised in S- or U-mode is taken in S-mode: scause, sepc and stval are written,
// sstatus.SPP gets the previous mode, SPIE gets SIE and SIE becomes 0, while mcause, mepc, mtval,
// MPP and MPIE are not touched. Traps never go to a less privileged mode, so M-mode exceptions stay
// in M-mode whatever medeleg says. SRET then returns to the interrupted mode (§4.1.1).
#include "vireo_test.h"

TEST_BEGIN
    la t0, s_handler
    csrw stvec, t0
    li t0, 1 << CAUSE_USER_ECALL
    csrw medeleg, t0
    CHECK_CSR 1, medeleg, 1 << CAUSE_USER_ECALL

    // ECALL from U-mode goes to S-mode, which returns to U-mode after it; an EBREAK (not
    // delegated) then comes back to M-mode. SIE = 1 in U-mode (irrelevant there, but recorded).
    csrsi sstatus, MSTATUS_SIE
    li s8, 0
    ld s9, vt_trap_count
    TRAP_ARM 1f
    ENTER_UMODE 2f
2:  ecall                               // to s_handler, which SRETs to 3f
3:  ebreak
    FAIL 2
1:  CHECK_TRAP 3, CAUSE_BREAKPOINT
    CHECK_TRAP_EPC 4, 3b
    CHECK_TRAP_STATUS 5, MSTATUS_MPP, 0         // the EBREAK came from U-mode: SRET went there
    ld a0, vt_trap_count
    addi s9, s9, 1
    CHECK_REG 6, a0, s9                 // the ECALL was not taken into M-mode
    CHECK 7, s8, 1                      // but into S-mode, once
    CHECK 8, s4, CAUSE_USER_ECALL       // scause
    CHECK_ADDR 9, s5, 2b                // sepc
    CHECK 10, s6, 0                     // stval
    li t0, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP
    and s7, s7, t0
    CHECK 11, s7, MSTATUS_SPIE          // sstatus in the handler: SPP = U, SPIE = 1, SIE = 0
    CHECK_CSR_MASKED 12, sstatus, MSTATUS_SIE | MSTATUS_SPIE, MSTATUS_SIE | MSTATUS_SPIE
    csrci sstatus, MSTATUS_SIE

    // Delegated exceptions from S-mode stay in S-mode (SPP = S); here through vt_strap_entry,
    // which resumes at 3f in S-mode.
    li t0, 1 << CAUSE_ILLEGAL_INSTRUCTION
    csrw medeleg, t0
    la t0, vt_strap_entry
    csrw stvec, t0
    ld s9, vt_trap_count
    TRAP_ARM 1f
    STRAP_ARM 3f
    ENTER_SMODE 2f
2:  csrr a0, mstatus                    // illegal in S-mode
    FAIL 20
3:  ecall                               // cause 9 is not delegated: back to M-mode
1:  CHECK_TRAP 21, CAUSE_SUPERVISOR_ECALL
    ld a0, vt_trap_count
    addi s9, s9, 1
    CHECK_REG 22, a0, s9                // only the ECALL reached M-mode
    CHECK_STRAP 23, CAUSE_ILLEGAL_INSTRUCTION
    CHECK_STRAP_EPC 24, 2b
    ld a0, vt_strap_status
    andi a0, a0, MSTATUS_SPP
    CHECK 25, a0, MSTATUS_SPP
    ld a0, vt_strap_tval                // 0 or the instruction bits
    beqz a0, 4f
    CHECK 26, a0, 0x30002573
4:
    // stval of a delegated access fault is the address (§4.1.9).
    li t0, 1 << CAUSE_LOAD_ACCESS
    csrw medeleg, t0
    li s0, UNMAPPED_ADDR + 0x40
    TRAP_ARM 1f
    STRAP_ARM 3f
    ENTER_UMODE 2f
2:  lw a0, 0(s0)                        // from U-mode to S-mode
    FAIL 30
3:  ecall
1:  CHECK_TRAP 31, CAUSE_SUPERVISOR_ECALL
    CHECK_STRAP 32, CAUSE_LOAD_ACCESS
    CHECK_STRAP_EPC 33, 2b
    CHECK_STRAP_TVAL_REG 34, s0
    ld a0, vt_strap_status
    andi a0, a0, MSTATUS_SPP
    CHECK 35, a0, 0

    // Exceptions in M-mode are taken in M-mode even when delegated.
    li t0, -1
    csrw medeleg, t0
    EXPECT_TRAP 40, CAUSE_BREAKPOINT, ebreak
    EXPECT_TRAP 41, CAUSE_MACHINE_ECALL, ecall
    EXPECT_ILLEGAL 42, 0xFFFFFFFF, .word 0xFFFFFFFF
    li s0, UNMAPPED_ADDR
    EXPECT_TRAP 43, CAUSE_LOAD_ACCESS, ld a0, 0(s0)
    csrw medeleg, zero
TEST_PASS

    .align 2
// This test's own S-mode handler: records scause, sepc, stval and sstatus in s4-s7, counts in s8,
// and returns after the trapping instruction.
s_handler:
    csrr s4, scause
    csrr s5, sepc
    csrr s6, stval
    csrr s7, sstatus
    addi s8, s8, 1
    addi t0, s5, 4
    csrw sepc, t0
    sret
