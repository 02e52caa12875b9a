// The cycle and instret counters (RISC-V unprivileged 20191213 §10.1; privileged 1.12 §3.1.10,
// §3.1.11, §4.1.4): they count up; mcycle and minstret are their writable M-mode views. S-mode may
// read cycle/instret only if the CY/IR bit of mcounteren is set; U-mode only if it is set in both
// mcounteren and scounteren; otherwise the read is an illegal instruction. (time: see
// priv/counters_time.S; exact instret counts: priv/instret_exact.S.)
#include "vireo_test.h"

#define CY 1
#define IR 4

TEST_BEGIN
    // cycle increases.
    csrr a0, cycle
    li a2, 100000
1:  csrr a1, cycle
    bltu a1, a0, fail_1
    bne a1, a0, 2f
    addi a2, a2, -1
    bnez a2, 1b
    FAIL 2
2:
    // instret increases by at least the instructions executed.
    csrr a0, instret
    li a2, 100
1:  addi a2, a2, -1
    bnez a2, 1b
    csrr a1, instret
    sub a1, a1, a0
    li t0, 200
    bltu a1, t0, fail_3

    // mcycle and minstret are the same counters, and writable.
    csrr a0, minstret
    csrr a1, instret
    bltu a1, a0, fail_4
    li t0, 1 << 40
    csrw minstret, t0
    csrr a0, instret
    sub a0, a0, t0
    li t1, 1 << 20
    bgeu a0, t1, fail_5                 // 1 << 40 plus the little counted since
    li t0, 1 << 50
    csrw mcycle, t0
    csrr a0, cycle
    bltu a0, t0, fail_6

    // S-mode.
    csrw mcounteren, zero
    EXPECT_TRAP_IN_MODE 10, PRV_S, CAUSE_ILLEGAL_INSTRUCTION, csrr a0, cycle
    EXPECT_TRAP_IN_MODE 11, PRV_S, CAUSE_ILLEGAL_INSTRUCTION, csrr a0, instret
    li t0, CY
    csrw mcounteren, t0
    EXPECT_OK_IN_MODE 12, PRV_S, csrr a0, cycle
    EXPECT_TRAP_IN_MODE 13, PRV_S, CAUSE_ILLEGAL_INSTRUCTION, csrr a0, instret
    li t0, IR
    csrw mcounteren, t0
    EXPECT_OK_IN_MODE 14, PRV_S, csrr a0, instret
    EXPECT_TRAP_IN_MODE 15, PRV_S, CAUSE_ILLEGAL_INSTRUCTION, csrr a0, cycle

    // U-mode needs both.
    li t0, CY | IR
    csrw mcounteren, t0
    csrw scounteren, zero
    EXPECT_TRAP_IN_MODE 20, PRV_U, CAUSE_ILLEGAL_INSTRUCTION, csrr a0, cycle
    EXPECT_TRAP_IN_MODE 21, PRV_U, CAUSE_ILLEGAL_INSTRUCTION, csrr a0, instret
    li t0, CY
    csrw scounteren, t0
    EXPECT_OK_IN_MODE 22, PRV_U, csrr a0, cycle
    EXPECT_TRAP_IN_MODE 23, PRV_U, CAUSE_ILLEGAL_INSTRUCTION, csrr a0, instret
    csrw mcounteren, zero
    li t0, CY | IR
    csrw scounteren, t0
    EXPECT_TRAP_IN_MODE 24, PRV_U, CAUSE_ILLEGAL_INSTRUCTION, csrr a0, cycle
    EXPECT_TRAP_IN_MODE 25, PRV_U, CAUSE_ILLEGAL_INSTRUCTION, csrr a0, instret
    li t0, CY | IR
    csrw mcounteren, t0
    EXPECT_OK_IN_MODE 26, PRV_U, csrr a0, instret
    // S-mode ignores scounteren.
    csrw scounteren, zero
    EXPECT_OK_IN_MODE 27, PRV_S, csrr a0, cycle
    csrw mcounteren, zero
TEST_PASS

fail_1: FAIL 1
fail_3: FAIL 3
fail_4: FAIL 4
fail_5: FAIL 5
fail_6: FAIL 6
