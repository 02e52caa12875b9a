// Rounding modes (RISC-V unprivileged 20191213 §11.2): the static rm field of an instruction
// chooses RNE, RTZ, RDN, RUP or RMM (ties away from zero); rm = DYN uses fcsr.frm. rm = 5 or 6,
// or DYN while frm holds 5, 6 or 7, is an illegal instruction.
#include "vireo_test.h"

// Check n: fcvt.w.s of the single a with rounding mode rm gives the integer result, inexact.
.macro CVT n, a, rm, result
    LOAD_FS fa1, \a
    fcvt.w.s a0, fa1, \rm
    CHECK \n, a0, \result
    CHECK_FFLAGS \n, FFLAGS_NX
.endm

// Check n: fadd.s of a and b with rounding mode rm gives result, inexact.
.macro ADD n, a, b, rm, result
    LOAD_FS fa1, \a
    LOAD_FS fa2, \b
    fadd.s fa0, fa1, fa2, \rm
    CHECK_FS \n, fa0, \result
    CHECK_FFLAGS \n, FFLAGS_NX
.endm

TEST_BEGIN
    // 2.5 and -2.5: exact ties.
    CVT 1, 0x40200000, rne, 2
    CVT 2, 0x40200000, rtz, 2
    CVT 3, 0x40200000, rdn, 2
    CVT 4, 0x40200000, rup, 3
    CVT 5, 0x40200000, rmm, 3
    CVT 6, 0xC0200000, rne, -2
    CVT 7, 0xC0200000, rtz, -2
    CVT 8, 0xC0200000, rdn, -3
    CVT 9, 0xC0200000, rup, -2
    CVT 10, 0xC0200000, rmm, -3
    // 1.5 ties to the even 2 both ways; 0.5 to 0 (even) or 1 (away).
    CVT 11, 0x3FC00000, rne, 2
    CVT 12, 0x3FC00000, rmm, 2
    CVT 13, 0x3F000000, rne, 0
    CVT 14, 0x3F000000, rmm, 1
    // Not a tie: 2.75.
    CVT 15, 0x40300000, rne, 3
    CVT 16, 0x40300000, rtz, 2
    CVT 17, 0x40300000, rdn, 2

    // Arithmetic: 1 + 2^-24 is exactly half an ulp above 1.
    ADD 20, 0x3F800000, 0x33800000, rne, 0x3F800000
    ADD 21, 0x3F800000, 0x33800000, rtz, 0x3F800000
    ADD 22, 0x3F800000, 0x33800000, rdn, 0x3F800000
    ADD 23, 0x3F800000, 0x33800000, rup, 0x3F800001
    ADD 24, 0x3F800000, 0x33800000, rmm, 0x3F800001
    // Negative: -1 - 2^-24.
    ADD 25, 0xBF800000, 0xB3800000, rne, 0xBF800000
    ADD 26, 0xBF800000, 0xB3800000, rtz, 0xBF800000
    ADD 27, 0xBF800000, 0xB3800000, rdn, 0xBF800001
    ADD 28, 0xBF800000, 0xB3800000, rup, 0xBF800000
    ADD 29, 0xBF800000, 0xB3800000, rmm, 0xBF800001
    // Overflow: the modes rounding towards zero give the largest finite number, the others ∞.
    LOAD_FS fa1, 0x7F7FFFFF
    fadd.s fa0, fa1, fa1, rtz
    CHECK_FS 30, fa0, 0x7F7FFFFF
    CHECK_FFLAGS 30, FFLAGS_OF | FFLAGS_NX
    fadd.s fa0, fa1, fa1, rdn
    CHECK_FS 31, fa0, 0x7F7FFFFF
    fadd.s fa0, fa1, fa1, rup
    CHECK_FS 32, fa0, 0x7F800000
    fadd.s fa0, fa1, fa1, rmm
    CHECK_FS 33, fa0, 0x7F800000
    CHECK_FFLAGS 34, FFLAGS_OF | FFLAGS_NX

    // x - x is +0 in every mode but RDN, where it is -0 (IEEE 754-2008 §6.3).
    LOAD_FS fa1, 0x40400000
    fsub.s fa0, fa1, fa1, rdn
    CHECK_FS 40, fa0, 0x80000000
    fsub.s fa0, fa1, fa1, rup
    CHECK_FS 41, fa0, 0x00000000
    CHECK_FFLAGS 42, 0

    // Dynamic rounding: rm = DYN takes fcsr.frm.
    li a0, FRM_RUP
    fsrm a0
    LOAD_FS fa1, 0x3F800000
    LOAD_FS fa2, 0x33800000
    fadd.s fa0, fa1, fa2, dyn
    CHECK_FS 50, fa0, 0x3F800001
    li a0, FRM_RMM
    fsrm a0
    LOAD_FS fa1, 0x3F000000             // 0.5
    fcvt.w.s a0, fa1, dyn
    CHECK 51, a0, 1
    li a0, FRM_RTZ
    fsrm a0
    LOAD_FS fa1, 0xC0300000             // -2.75
    fcvt.w.s a0, fa1, dyn
    CHECK 52, a0, -2
    li a0, FRM_RNE
    fsrm a0
    fcvt.w.s a0, fa1, dyn
    CHECK 53, a0, -3
    // A static mode overrides frm.
    li a0, FRM_RUP
    fsrm a0
    fcvt.w.s a0, fa1, rdn
    CHECK 54, a0, -3
    csrw fflags, zero

    // Reserved rounding modes: fadd.s fa0, fa1, fa2 with rm = 5, then 6, is illegal.
    EXPECT_ILLEGAL 60, 0x00C5D553, .word 0x00C5D553
    EXPECT_ILLEGAL 61, 0x00C5E553, .word 0x00C5E553
    // DYN with an invalid frm is illegal; frm itself holds any 3-bit value.
    li a0, 5
    fsrm a0
    frrm a2
    CHECK 62, a2, 5
    EXPECT_ILLEGAL 62, 0x00C5F553, fadd.s fa0, fa1, fa2, dyn
    li a0, 7
    fsrm a0
    EXPECT_ILLEGAL 63, 0x00C5F553, fadd.s fa0, fa1, fa2, dyn
    // A static mode still works while frm is invalid.
    LOAD_FS fa1, 0x3F800000
    LOAD_FS fa2, 0x40000000
    fadd.s fa0, fa1, fa2, rne
    CHECK_FS 64, fa0, 0x40400000
    fsrmi FRM_RNE
TEST_PASS
