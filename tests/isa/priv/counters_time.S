// The time CSR (RISC-V unprivileged 20191213 §10.1; privileged 1.12 §3.1.11, §4.1.4) is a
// read-only view of the CLINT's mtime; S-mode may read it only if mcounteren.TM is set, U-mode
// only if TM is set in both mcounteren and scounteren.
// Not run under QEMU 7.2, whose spike machine provides no time CSR (reads are illegal).
#include "vireo_test.h"

#define TM 2

TEST_BEGIN
    li s0, CLINT_MTIME
    ld a0, 0(s0)
    csrr a1, time
    ld a2, 0(s0)
    bltu a1, a0, fail_1                 // mtime before <= time <= mtime after
    bltu a2, a1, fail_2
    EXPECT_ILLEGAL 3, 0xC0101073, csrw time, zero

    csrw mcounteren, zero
    EXPECT_TRAP_IN_MODE 10, PRV_S, CAUSE_ILLEGAL_INSTRUCTION, csrr a0, time
    li t0, TM
    csrw mcounteren, t0
    EXPECT_OK_IN_MODE 11, PRV_S, csrr a0, time
    csrw scounteren, zero
    EXPECT_TRAP_IN_MODE 12, PRV_U, CAUSE_ILLEGAL_INSTRUCTION, csrr a0, time
    li t0, TM
    csrw scounteren, t0
    EXPECT_OK_IN_MODE 13, PRV_U, csrr a0, time
    csrw mcounteren, zero
    EXPECT_TRAP_IN_MODE 14, PRV_U, CAUSE_ILLEGAL_INSTRUCTION, csrr a0, time
    csrw scounteren, zero
TEST_PASS

fail_1: FAIL 1
fail_2: FAIL 2
