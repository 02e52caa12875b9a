// Conversions between singles and integers (RISC-V unprivileged 20191213 §11.7): FCVT.W.S,
// FCVT.WU.S, FCVT.L.S, FCVT.LU.S round in the given mode and saturate out-of-range inputs and NaNs
// as in table 11.4 (raising NV, not NX); the 32-bit results, even of FCVT.WU.S, are sign-extended.
// FCVT.S.W, FCVT.S.WU, FCVT.S.L, FCVT.S.LU round in the given mode (NX when inexact); the W forms
// use only the low 32 bits of rs1.
#include "vireo_test.h"

// Check n: `op a0, fa1, rm` with fa1 = the single a gives result and flags.
.macro TO_INT n, op, a, rm, result, flags
    LOAD_FS fa1, \a
    \op a0, fa1, \rm
    CHECK \n, a0, \result
    CHECK_FFLAGS \n, \flags
.endm

// Check n: `op fa0, a1, rm` with a1 = the integer a gives the single result and flags.
.macro TO_FLOAT n, op, a, rm, result, flags
    li a1, \a
    \op fa0, a1, \rm
    CHECK_FS \n, fa0, \result
    CHECK_FFLAGS \n, \flags
.endm

#define NAN_S 0x7FC00000
#define SNAN_S 0x7F800001

TEST_BEGIN
    // FCVT.W.S
    TO_INT 1, fcvt.w.s, 0x40400000, rne, 3, 0
    TO_INT 2, fcvt.w.s, 0x3FC00000, rne, 2, FFLAGS_NX                      // 1.5
    TO_INT 3, fcvt.w.s, 0xBFC00000, rne, -2, FFLAGS_NX                     // -1.5
    TO_INT 4, fcvt.w.s, 0xBF800000, rtz, -1, 0                             // sign-extended
    TO_INT 5, fcvt.w.s, 0x4F000000, rtz, 0x7FFFFFFF, FFLAGS_NV             // 2^31: too big
    TO_INT 6, fcvt.w.s, 0xCF000000, rtz, 0xFFFFFFFF80000000, 0             // -2^31: fits
    TO_INT 7, fcvt.w.s, 0xCF800000, rtz, 0xFFFFFFFF80000000, FFLAGS_NV     // -2^32
    TO_INT 8, fcvt.w.s, 0x7F800000, rtz, 0x7FFFFFFF, FFLAGS_NV             // +inf
    TO_INT 9, fcvt.w.s, 0xFF800000, rtz, 0xFFFFFFFF80000000, FFLAGS_NV     // -inf
    TO_INT 10, fcvt.w.s, NAN_S, rtz, 0x7FFFFFFF, FFLAGS_NV                 // NaN: largest
    TO_INT 11, fcvt.w.s, 0xFFC00000, rtz, 0x7FFFFFFF, FFLAGS_NV            // even a negative one
    TO_INT 12, fcvt.w.s, 0x80000000, rtz, 0, 0                             // -0

    // FCVT.WU.S
    TO_INT 20, fcvt.wu.s, 0x4F32D05E, rtz, 0xFFFFFFFFB2D05E00, 0           // 3e9, sign-extended
    TO_INT 21, fcvt.wu.s, 0xBF800000, rtz, 0, FFLAGS_NV                    // -1: too small
    TO_INT 22, fcvt.wu.s, 0xBF000000, rtz, 0, FFLAGS_NX                    // -0.5 rounds to 0: fits
    TO_INT 23, fcvt.wu.s, 0xBF400000, rne, 0, FFLAGS_NV                    // -0.75 rounds to -1
    TO_INT 24, fcvt.wu.s, 0x4F800000, rtz, -1, FFLAGS_NV                   // 2^32: 0xFFFFFFFF
    TO_INT 25, fcvt.wu.s, NAN_S, rtz, -1, FFLAGS_NV
    TO_INT 26, fcvt.wu.s, 0xFF800000, rtz, 0, FFLAGS_NV                    // -inf

    // FCVT.L.S
    TO_INT 30, fcvt.l.s, 0x501502F9, rtz, 10000000000, 0                   // 1e10
    TO_INT 31, fcvt.l.s, 0x5F000000, rtz, 0x7FFFFFFFFFFFFFFF, FFLAGS_NV    // 2^63
    TO_INT 32, fcvt.l.s, 0xDF000000, rtz, 0x8000000000000000, 0            // -2^63: fits
    TO_INT 33, fcvt.l.s, 0xFF800000, rtz, 0x8000000000000000, FFLAGS_NV
    TO_INT 34, fcvt.l.s, SNAN_S, rtz, 0x7FFFFFFFFFFFFFFF, FFLAGS_NV
    TO_INT 35, fcvt.l.s, 0xC0300000, rdn, -3, FFLAGS_NX                    // -2.75

    // FCVT.LU.S
    TO_INT 40, fcvt.lu.s, 0x5F000000, rtz, 0x8000000000000000, 0           // 2^63
    TO_INT 41, fcvt.lu.s, 0x5F800000, rtz, -1, FFLAGS_NV                   // 2^64
    TO_INT 42, fcvt.lu.s, 0xBF800000, rtz, 0, FFLAGS_NV
    TO_INT 43, fcvt.lu.s, NAN_S, rtz, -1, FFLAGS_NV
    TO_INT 44, fcvt.lu.s, 0x7F800000, rtz, -1, FFLAGS_NV
    TO_INT 45, fcvt.lu.s, 0x40200000, rup, 3, FFLAGS_NX                    // 2.5

    // FCVT.S.W and FCVT.S.WU
    TO_FLOAT 50, fcvt.s.w, -1, rne, 0xBF800000, 0
    TO_FLOAT 51, fcvt.s.w, 0x7FFFFFFF, rne, 0x4F000000, FFLAGS_NX
    TO_FLOAT 52, fcvt.s.w, 0x7FFFFFFF, rtz, 0x4EFFFFFF, FFLAGS_NX
    TO_FLOAT 53, fcvt.s.w, 0x100000001, rne, 0x3F800000, 0                 // low word only
    TO_FLOAT 54, fcvt.s.w, 0x80000000, rne, 0xCF000000, 0                  // -2^31
    TO_FLOAT 55, fcvt.s.w, 16777217, rne, 0x4B800000, FFLAGS_NX            // 2^24 + 1: tie, even
    TO_FLOAT 56, fcvt.s.w, 16777217, rup, 0x4B800001, FFLAGS_NX
    TO_FLOAT 57, fcvt.s.w, 0, rne, 0x00000000, 0                           // +0, never -0
    TO_FLOAT 58, fcvt.s.wu, 0xFFFFFFFF, rne, 0x4F800000, FFLAGS_NX
    TO_FLOAT 59, fcvt.s.wu, 0xFFFFFFFF80000000, rne, 0x4F000000, 0         // 2^31, unsigned

    // FCVT.S.L and FCVT.S.LU
    TO_FLOAT 60, fcvt.s.l, 0x8000000000000000, rne, 0xDF000000, 0
    TO_FLOAT 61, fcvt.s.l, 0x7FFFFFFFFFFFFFFF, rne, 0x5F000000, FFLAGS_NX
    TO_FLOAT 62, fcvt.s.l, 0x7FFFFFFFFFFFFFFF, rtz, 0x5EFFFFFF, FFLAGS_NX
    TO_FLOAT 63, fcvt.s.l, -3, rne, 0xC0400000, 0
    TO_FLOAT 64, fcvt.s.lu, -1, rne, 0x5F800000, FFLAGS_NX                 // 2^64 - 1
    TO_FLOAT 65, fcvt.s.lu, -1, rdn, 0x5F7FFFFF, FFLAGS_NX
    TO_FLOAT 66, fcvt.s.lu, 10000000000, rne, 0x501502F9, 0
TEST_PASS
