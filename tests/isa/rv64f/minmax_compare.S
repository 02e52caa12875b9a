// FMIN.S/FMAX.S and the comparisons FEQ.S/FLT.S/FLE.S (RISC-V unprivileged 20191213 §11.6, §11.8).
// FMIN/FMAX (IEEE 754-2019 minimumNumber/maximumNumber): -0 < +0; with one NaN operand the result
// is the other operand, with two it is the canonical NaN; a signaling NaN raises NV either way.
// FEQ is a quiet comparison (NV only for signaling NaNs); FLT and FLE are signaling (NV for any
// NaN). Any comparison with a NaN is false (0).
#include "vireo_test.h"

.macro MINMAX n, op, a, b, result, flags
    LOAD_FS fa1, \a
    LOAD_FS fa2, \b
    \op fa0, fa1, fa2
    CHECK_FS \n, fa0, \result
    CHECK_FFLAGS \n, \flags
.endm

.macro COMPARE n, op, a, b, result, flags
    LOAD_FS fa1, \a
    LOAD_FS fa2, \b
    \op a0, fa1, fa2
    CHECK \n, a0, \result
    CHECK_FFLAGS \n, \flags
.endm

TEST_BEGIN
    MINMAX 1, fmin.s, 0x3F800000, 0x40000000, 0x3F800000, 0              // min(1, 2)
    MINMAX 2, fmax.s, 0x3F800000, 0x40000000, 0x40000000, 0
    MINMAX 3, fmin.s, 0xC0000000, 0x3F800000, 0xC0000000, 0              // min(-2, 1)
    MINMAX 4, fmax.s, 0xFF800000, 0x7F800000, 0x7F800000, 0
    MINMAX 5, fmin.s, 0x80000000, 0x00000000, 0x80000000, 0              // -0 < +0
    MINMAX 6, fmin.s, 0x00000000, 0x80000000, 0x80000000, 0
    MINMAX 7, fmax.s, 0x80000000, 0x00000000, 0x00000000, 0
    MINMAX 8, fmax.s, 0x00000000, 0x80000000, 0x00000000, 0
    // NaNs
    MINMAX 10, fmin.s, 0x7FC00000, 0x3F800000, 0x3F800000, 0             // qNaN: the other one
    MINMAX 11, fmax.s, 0x3F800000, 0x7FC12345, 0x3F800000, 0
    MINMAX 12, fmin.s, 0x7F800001, 0x3F800000, 0x3F800000, FFLAGS_NV     // sNaN: NV too
    MINMAX 13, fmax.s, 0xBF800000, 0xFF800001, 0xBF800000, FFLAGS_NV
    MINMAX 14, fmin.s, 0x7FC12345, 0xFFC00001, 0x7FC00000, 0             // two qNaNs: canonical
    MINMAX 15, fmax.s, 0x7F800001, 0x7FC00000, 0x7FC00000, FFLAGS_NV
    MINMAX 16, fmax.s, 0x7F800001, 0x7F800002, 0x7FC00000, FFLAGS_NV

    COMPARE 20, feq.s, 0x3F800000, 0x3F800000, 1, 0
    COMPARE 21, feq.s, 0x3F800000, 0x40000000, 0, 0
    COMPARE 22, feq.s, 0x80000000, 0x00000000, 1, 0                      // -0 == +0
    COMPARE 23, feq.s, 0x7FC00000, 0x7FC00000, 0, 0                      // quiet: no NV
    COMPARE 24, feq.s, 0x7F800001, 0x3F800000, 0, FFLAGS_NV              // signaling: NV
    COMPARE 25, feq.s, 0x7F800000, 0x7F800000, 1, 0

    COMPARE 30, flt.s, 0x3F800000, 0x40000000, 1, 0
    COMPARE 31, flt.s, 0x40000000, 0x3F800000, 0, 0
    COMPARE 32, flt.s, 0x3F800000, 0x3F800000, 0, 0
    COMPARE 33, flt.s, 0x80000000, 0x00000000, 0, 0                      // -0 is not < +0
    COMPARE 34, flt.s, 0xFF800000, 0xC0000000, 1, 0
    COMPARE 35, flt.s, 0x7FC00000, 0x3F800000, 0, FFLAGS_NV              // qNaN: NV
    COMPARE 36, flt.s, 0x3F800000, 0x7F800001, 0, FFLAGS_NV

    COMPARE 40, fle.s, 0x3F800000, 0x3F800000, 1, 0
    COMPARE 41, fle.s, 0x40000000, 0x3F800000, 0, 0
    COMPARE 42, fle.s, 0x80000000, 0x00000000, 1, 0
    COMPARE 43, fle.s, 0xBF800000, 0x3F800000, 1, 0
    COMPARE 44, fle.s, 0x7FC00000, 0x7FC00000, 0, FFLAGS_NV
    COMPARE 45, fle.s, 0x7F800000, 0x7F800000, 1, 0
TEST_PASS
