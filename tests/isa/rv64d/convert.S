// Double-precision conversions (RISC-V unprivileged 20191213 §12.5): FCVT.{W,WU,L,LU}.D round and
// saturate as in table 11.4 (NV when the rounded value does not fit or for NaN, NX otherwise when
// inexact; 32-bit results sign-extended); FCVT.D.{W,WU,L,LU} (W forms: low word only); and
// FCVT.S.D / FCVT.D.S, which return the canonical NaN for any NaN input and raise NV for a
// signaling one. FCVT.D.S is always exact.
#include "vireo_test.h"

.macro TO_INT n, op, a, rm, result, flags
    LOAD_FD fa1, \a
    \op a0, fa1, \rm
    CHECK \n, a0, \result
    CHECK_FFLAGS \n, \flags
.endm

.macro TO_DOUBLE n, op, a, rm, result, flags
    li a1, \a
    \op fa0, a1, \rm
    CHECK_FD \n, fa0, \result
    CHECK_FFLAGS \n, \flags
.endm

// FCVT.D.W and FCVT.D.WU are always exact: no rounding mode, no flags.
.macro W_TO_DOUBLE n, op, a, result
    li a1, \a
    \op fa0, a1
    CHECK_FD \n, fa0, \result
    CHECK_FFLAGS \n, 0
.endm

#define NAN  0x7FF8000000000000
#define SNAN 0x7FF0000000000001

TEST_BEGIN
    TO_INT 1, fcvt.w.d, 0x41DFFFFFFFC00000, rtz, 0x7FFFFFFF, 0                // 2^31 - 1
    TO_INT 2, fcvt.w.d, 0x41DFFFFFFFE00000, rne, 0x7FFFFFFF, FFLAGS_NV        // ...+0.5 rounds out
    TO_INT 3, fcvt.w.d, 0x41DFFFFFFFE00000, rtz, 0x7FFFFFFF, FFLAGS_NX        // ...but fits in RTZ
    TO_INT 4, fcvt.w.d, 0xC1E0000000100000, rne, 0xFFFFFFFF80000000, FFLAGS_NX  // -2^31 - 0.5
    TO_INT 5, fcvt.w.d, 0xC1E0000000100000, rdn, 0xFFFFFFFF80000000, FFLAGS_NV
    TO_INT 6, fcvt.w.d, NAN, rtz, 0x7FFFFFFF, FFLAGS_NV
    TO_INT 7, fcvt.w.d, 0xFFF0000000000000, rtz, 0xFFFFFFFF80000000, FFLAGS_NV
    TO_INT 8, fcvt.w.d, 0xBFF0000000000000, rtz, -1, 0

    TO_INT 10, fcvt.wu.d, 0x41EFFFFFFFE00000, rtz, -1, 0                     // 2^32 - 1, sign-ext.
    TO_INT 11, fcvt.wu.d, 0x41E65A0BC0000000, rtz, 0xFFFFFFFFB2D05E00, 0     // 3e9
    TO_INT 12, fcvt.wu.d, 0x41F0000000000000, rtz, -1, FFLAGS_NV             // 2^32
    TO_INT 13, fcvt.wu.d, 0xBFF0000000000000, rtz, 0, FFLAGS_NV              // -1
    TO_INT 14, fcvt.wu.d, 0xBFE0000000000000, rtz, 0, FFLAGS_NX              // -0.5 -> 0 fits
    TO_INT 15, fcvt.wu.d, NAN, rtz, -1, FFLAGS_NV

    TO_INT 20, fcvt.l.d, 0x4202A05F20000000, rtz, 10000000000, 0
    TO_INT 21, fcvt.l.d, 0x43E0000000000000, rtz, 0x7FFFFFFFFFFFFFFF, FFLAGS_NV  // 2^63
    TO_INT 22, fcvt.l.d, 0xC3E0000000000000, rtz, 0x8000000000000000, 0         // -2^63
    TO_INT 23, fcvt.l.d, SNAN, rtz, 0x7FFFFFFFFFFFFFFF, FFLAGS_NV
    TO_INT 24, fcvt.l.d, 0xFFF0000000000000, rtz, 0x8000000000000000, FFLAGS_NV
    TO_INT 25, fcvt.l.d, 0xC006000000000000, rne, -3, FFLAGS_NX                 // -2.75

    TO_INT 30, fcvt.lu.d, 0x43EFFFFFFFFFFFFF, rtz, 0xFFFFFFFFFFFFF800, 0        // 2^64 - 2^11
    TO_INT 31, fcvt.lu.d, 0x43F0000000000000, rtz, -1, FFLAGS_NV                // 2^64
    TO_INT 32, fcvt.lu.d, 0xBFF0000000000000, rtz, 0, FFLAGS_NV
    TO_INT 33, fcvt.lu.d, NAN, rtz, -1, FFLAGS_NV
    TO_INT 34, fcvt.lu.d, 0x3FE8000000000000, rup, 1, FFLAGS_NX                 // 0.75

    W_TO_DOUBLE 40, fcvt.d.w, -1, 0xBFF0000000000000
    W_TO_DOUBLE 41, fcvt.d.w, 0x7FFFFFFF, 0x41DFFFFFFFC00000              // exact
    W_TO_DOUBLE 42, fcvt.d.w, 0x100000001, 0x3FF0000000000000             // low word only
    W_TO_DOUBLE 43, fcvt.d.w, 0x80000000, 0xC1E0000000000000
    W_TO_DOUBLE 44, fcvt.d.wu, 0xFFFFFFFF, 0x41EFFFFFFFE00000
    W_TO_DOUBLE 45, fcvt.d.wu, 0xFFFFFFFF80000000, 0x41E0000000000000
    TO_DOUBLE 46, fcvt.d.l, 0x20000000000001, rne, 0x4340000000000000, FFLAGS_NX   // 2^53 + 1
    TO_DOUBLE 47, fcvt.d.l, 0x20000000000001, rup, 0x4340000000000001, FFLAGS_NX
    TO_DOUBLE 48, fcvt.d.l, 0x8000000000000000, rne, 0xC3E0000000000000, 0
    TO_DOUBLE 49, fcvt.d.lu, -1, rne, 0x43F0000000000000, FFLAGS_NX
    TO_DOUBLE 50, fcvt.d.lu, -1, rtz, 0x43EFFFFFFFFFFFFF, FFLAGS_NX
    TO_DOUBLE 51, fcvt.d.l, 0, rne, 0, 0

    // Widening FCVT.D.S: exact, subnormal singles become normal doubles.
    LOAD_FS fa1, 0x3EAAAAAB
    fcvt.d.s fa0, fa1
    CHECK_FD 60, fa0, 0x3FD5555560000000
    LOAD_FS fa1, 0x00000001
    fcvt.d.s fa0, fa1
    CHECK_FD 61, fa0, 0x36A0000000000000
    LOAD_FS fa1, 0xFF800000
    fcvt.d.s fa0, fa1
    CHECK_FD 62, fa0, 0xFFF0000000000000
    CHECK_FFLAGS 63, 0
    LOAD_FS fa1, 0x7FC12345             // quiet NaN: canonical, no flag
    fcvt.d.s fa0, fa1
    CHECK_FD 64, fa0, NAN
    CHECK_FFLAGS 64, 0
    LOAD_FS fa1, 0xFF800001             // signaling NaN: canonical, NV
    fcvt.d.s fa0, fa1
    CHECK_FD 65, fa0, NAN
    CHECK_FFLAGS 65, FFLAGS_NV

    // Narrowing FCVT.S.D with NaNs.
    LOAD_FD fa1, SNAN
    fcvt.s.d fa0, fa1
    CHECK_FS 70, fa0, 0x7FC00000
    CHECK_FFLAGS 70, FFLAGS_NV
    LOAD_FD fa1, 0xFFF8000000012345
    fcvt.s.d fa0, fa1
    CHECK_FS 71, fa0, 0x7FC00000
    CHECK_FFLAGS 71, 0
    LOAD_FD fa1, 0xC004000000000000     // -2.5: exact
    fcvt.s.d fa0, fa1
    CHECK_FS 72, fa0, 0xC0200000
    CHECK_FFLAGS 72, 0
TEST_PASS
