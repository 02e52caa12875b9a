// The floating-point control and status register (RISC-V unprivileged 20191213 §11.2): fcsr holds
// frm in bits 7:5 and fflags in bits 4:0, and the frm and fflags CSRs are views of those fields.
// Bits 31:8 of fcsr read as zero. The flags accrue: instructions only ever set them.
#include "vireo_test.h"

TEST_BEGIN
    li a0, 0xFF
    csrw fcsr, a0
    CHECK_CSR 1, fflags, 0x1F
    CHECK_CSR 2, frm, 7
    li a0, -1                           // bits above 7 are ignored
    csrw fcsr, a0
    CHECK_CSR 3, fcsr, 0xFF

    csrw fcsr, zero
    li a0, 0x3F
    csrw fflags, a0                     // only 5 bits
    CHECK_CSR 10, fflags, 0x1F
    CHECK_CSR 11, fcsr, 0x1F            // frm untouched
    li a0, 0xD
    csrw frm, a0                        // only 3 bits
    CHECK_CSR 12, frm, 5
    CHECK_CSR 13, fcsr, (5 << 5) | 0x1F
    csrw fflags, zero
    CHECK_CSR 14, fcsr, 5 << 5          // frm kept
    csrwi frm, FRM_RNE

    // The assembler's helpers: fsflags/frflags/fsrm/frrm/fscsr/frcsr swap through the CSRs.
    li a0, FFLAGS_DZ
    fsflags a1, a0
    CHECK 20, a1, 0
    frflags a1
    CHECK 21, a1, FFLAGS_DZ
    li a0, FRM_RTZ
    fsrm a1, a0
    CHECK 22, a1, FRM_RNE
    frcsr a1
    CHECK 23, a1, (FRM_RTZ << 5) | FFLAGS_DZ
    fscsr zero

    // Flags accrue: an inexact operation, then an exact one, then an invalid one.
    li a0, 1
    li a1, 3
    fcvt.s.w fa1, a0
    fcvt.s.w fa2, a1
    fdiv.s fa0, fa1, fa2                // NX
    fadd.s fa0, fa1, fa1                // exact: nothing cleared
    CHECK_CSR 30, fflags, FFLAGS_NX
    fmv.w.x fa3, zero
    fdiv.s fa0, fa3, fa3                // 0/0: NV
    CHECK_CSR 31, fflags, FFLAGS_NX | FFLAGS_NV
    csrrci a0, fflags, FFLAGS_NX        // CSR instructions can clear single flags
    CHECK 32, a0, FFLAGS_NX | FFLAGS_NV
    CHECK_CSR 33, fflags, FFLAGS_NV
    csrrsi a0, fflags, FFLAGS_OF
    CHECK_CSR 34, fcsr, FFLAGS_NV | FFLAGS_OF
TEST_PASS
