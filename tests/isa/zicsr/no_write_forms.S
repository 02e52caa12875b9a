// CSRRS/CSRRC with rs1 = x0 and CSRRSI/CSRRCI with a zero immediate do not write the CSR at all
// (RISC-V unprivileged 20191213 §9.1, table 9.1), so they may read read-only CSRs; the other forms
// write, and writing a read-only CSR (address bits 11:10 = 0b11) is an illegal instruction
// (privileged 1.12 §2.1, §2.6).
#include "vireo_test.h"

TEST_BEGIN
    // Reads of read-only CSRs through every non-writing form.
    csrrs a0, mhartid, x0
    CHECK 1, a0, 0
    csrrc a0, mhartid, x0
    CHECK 2, a0, 0
    csrrsi a0, mhartid, 0
    CHECK 3, a0, 0
    csrrci a0, mhartid, 0
    CHECK 4, a0, 0
    EXPECT_NO_TRAP 5, csrrs a0, mvendorid, x0
    EXPECT_NO_TRAP 6, csrrci a0, marchid, 0
    EXPECT_NO_TRAP 7, csrrsi a0, mimpid, 0
    EXPECT_NO_TRAP 8, csrrs a0, cycle, x0
    EXPECT_NO_TRAP 9, csrrc a0, instret, x0

    // Writing forms on read-only CSRs are illegal (a zero rs1 other than x0: see
    // zicsr/zero_register_write.S).
    EXPECT_ILLEGAL 12, 0xF1401073, csrw mhartid, x0          // csrrw: always writes
    EXPECT_ILLEGAL 13, 0xF1105073, csrwi mvendorid, 0
    EXPECT_ILLEGAL 14, 0xC000E073, csrsi cycle, 1
    EXPECT_ILLEGAL 15, 0xC0267073, csrci instret, 12

    // On a writable CSR the non-writing forms leave the value alone.
    li a1, 0x5A5A
    csrw mscratch, a1
    csrrs a0, mscratch, x0
    CHECK 20, a0, 0x5A5A
    csrrc a0, mscratch, x0
    csrrsi a0, mscratch, 0
    csrrci a0, mscratch, 0
    CHECK_CSR 21, mscratch, 0x5A5A
    // CSRRW with rd = x0 writes without reading.
    csrrw x0, mscratch, zero
    CHECK_CSR 22, mscratch, 0
TEST_PASS
