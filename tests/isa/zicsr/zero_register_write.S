// CSRRS and CSRRC with rs1 other than x0 write the CSR even when rs1 holds zero (RISC-V
// unprivileged 20191213 §9.1: "the instruction will still attempt to write the unmodified value
// back"), so on a read-only CSR they are illegal instructions (privileged 1.12 §2.1).
// Not run under QEMU 7.2, which treats a zero mask as no write and does not trap.
#include "vireo_test.h"

TEST_BEGIN
    li a1, 0
    EXPECT_ILLEGAL 1, 0xF145A573, csrrs a0, mhartid, a1
    EXPECT_ILLEGAL 2, 0xF145B573, csrrc a0, mhartid, a1
    EXPECT_ILLEGAL 3, 0xC005A573, csrrs a0, cycle, a1
    EXPECT_ILLEGAL 4, 0xF115B073, csrc mvendorid, a1
    // The same forms with x0 only read.
    EXPECT_NO_TRAP 5, csrrs a0, mhartid, x0
    EXPECT_NO_TRAP 6, csrrc a0, cycle, x0
TEST_PASS
