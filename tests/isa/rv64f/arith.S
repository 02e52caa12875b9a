// Single-precision FADD.S, FSUB.S, FMUL.S, FDIV.S, FSQRT.S (RISC-V unprivileged 20191213 §11.6):
// IEEE 754-2008 results in the current rounding mode (round to nearest, ties to even here), the
// exception flags of §11.2, and the canonical NaN 0x7FC00000 for every NaN result (§11.3): NaN
// payloads are not propagated, and only a signaling NaN input raises NV.
#include "vireo_test.h"

// Check n: `op fa0, fa1, fa2` with fa1 = a, fa2 = b gives result and raises exactly flags.
.macro FOP2 n, op, a, b, result, flags
    LOAD_FS fa1, \a
    LOAD_FS fa2, \b
    \op fa0, fa1, fa2
    CHECK_FS \n, fa0, \result
    CHECK_FFLAGS \n, \flags
.endm

TEST_BEGIN
    FOP2 1, fadd.s, 0x3F800000, 0x40000000, 0x40400000, 0                 // 1 + 2 = 3
    FOP2 2, fadd.s, 0x3F800000, 0x33800000, 0x3F800000, FFLAGS_NX         // 1 + 2^-24: tie to even
    FOP2 3, fadd.s, 0x3F800001, 0x33800000, 0x3F800002, FFLAGS_NX         // odd + half ulp: up
    FOP2 4, fadd.s, 0x7F800000, 0xFF800000, 0x7FC00000, FFLAGS_NV         // inf - inf
    FOP2 5, fadd.s, 0x7F7FFFFF, 0x7F7FFFFF, 0x7F800000, FFLAGS_OF | FFLAGS_NX
    FOP2 6, fadd.s, 0x7FC12345, 0x3F800000, 0x7FC00000, 0                 // qNaN: canonical, no NV
    FOP2 7, fadd.s, 0x3F800000, 0x7F800001, 0x7FC00000, FFLAGS_NV         // sNaN: NV
    FOP2 8, fadd.s, 0x80000000, 0x80000000, 0x80000000, 0                 // -0 + -0 = -0
    FOP2 9, fadd.s, 0x80000000, 0x00000000, 0x00000000, 0                 // -0 + +0 = +0 (RNE)

    FOP2 10, fsub.s, 0x40400000, 0x3F800000, 0x40000000, 0                // 3 - 1
    FOP2 11, fsub.s, 0x3F800000, 0x40400000, 0xC0000000, 0                // 1 - 3
    FOP2 12, fsub.s, 0x3F800000, 0x3F800000, 0x00000000, 0                // x - x = +0 (RNE)
    FOP2 13, fsub.s, 0x7F800000, 0x7F800000, 0x7FC00000, FFLAGS_NV
    FOP2 14, fsub.s, 0x00800000, 0x00800001, 0x80000001, 0                // exact subnormal: no UF

    FOP2 20, fmul.s, 0x40400000, 0x3F000000, 0x3FC00000, 0                // 3 × 0.5
    FOP2 21, fmul.s, 0xC0000000, 0x40400000, 0xC0C00000, 0                // -2 × 3
    FOP2 22, fmul.s, 0x7F800000, 0x00000000, 0x7FC00000, FFLAGS_NV        // inf × 0
    FOP2 23, fmul.s, 0x7F7FFFFF, 0x40000000, 0x7F800000, FFLAGS_OF | FFLAGS_NX
    FOP2 24, fmul.s, 0x00800000, 0x3F000000, 0x00400000, 0                // exact subnormal
    FOP2 25, fmul.s, 0x00800001, 0x3F000000, 0x00400000, FFLAGS_UF | FFLAGS_NX  // tiny, inexact
    FOP2 26, fmul.s, 0x80000000, 0x3F800000, 0x80000000, 0                // -0 × 1
    FOP2 27, fmul.s, 0x00000001, 0x00000001, 0x00000000, FFLAGS_UF | FFLAGS_NX

    FOP2 30, fdiv.s, 0x3F800000, 0x40400000, 0x3EAAAAAB, FFLAGS_NX        // 1/3
    FOP2 31, fdiv.s, 0x40C00000, 0x40400000, 0x40000000, 0                // 6/3
    FOP2 32, fdiv.s, 0x3F800000, 0x00000000, 0x7F800000, FFLAGS_DZ        // 1/0
    FOP2 33, fdiv.s, 0xBF800000, 0x00000000, 0xFF800000, FFLAGS_DZ        // -1/0
    FOP2 34, fdiv.s, 0x3F800000, 0x80000000, 0xFF800000, FFLAGS_DZ        // 1/-0
    FOP2 35, fdiv.s, 0x00000000, 0x00000000, 0x7FC00000, FFLAGS_NV        // 0/0
    FOP2 36, fdiv.s, 0x7F800000, 0x7F800000, 0x7FC00000, FFLAGS_NV        // inf/inf
    FOP2 37, fdiv.s, 0x7F800000, 0x00000000, 0x7F800000, 0                // inf/0: no DZ
    FOP2 38, fdiv.s, 0x3F800000, 0x7F800000, 0x00000000, 0                // 1/inf

    // FSQRT.S
    LOAD_FS fa1, 0x40800000             // 4
    fsqrt.s fa0, fa1
    CHECK_FS 40, fa0, 0x40000000
    CHECK_FFLAGS 40, 0
    LOAD_FS fa1, 0x40000000             // 2
    fsqrt.s fa0, fa1
    CHECK_FS 41, fa0, 0x3FB504F3
    CHECK_FFLAGS 41, FFLAGS_NX
    LOAD_FS fa1, 0xBF800000             // -1
    fsqrt.s fa0, fa1
    CHECK_FS 42, fa0, 0x7FC00000
    CHECK_FFLAGS 42, FFLAGS_NV
    LOAD_FS fa1, 0x80000000             // -0: -0, no flag
    fsqrt.s fa0, fa1
    CHECK_FS 43, fa0, 0x80000000
    CHECK_FFLAGS 43, 0
    LOAD_FS fa1, 0x7F800000             // +inf
    fsqrt.s fa0, fa1
    CHECK_FS 44, fa0, 0x7F800000
    CHECK_FFLAGS 44, 0
    LOAD_FS fa1, 0x7F800001             // sNaN
    fsqrt.s fa0, fa1
    CHECK_FS 45, fa0, 0x7FC00000
    CHECK_FFLAGS 45, FFLAGS_NV

    // Flags accumulate until cleared (§11.2).
    LOAD_FS fa1, 0x3F800000
    LOAD_FS fa2, 0x40400000
    fmv.w.x fa3, zero
    fdiv.s fa0, fa1, fa2                // NX
    fdiv.s fa0, fa1, fa3                // DZ
    fadd.s fa0, fa1, fa1                // exact: clears nothing
    CHECK_FFLAGS 50, FFLAGS_NX | FFLAGS_DZ
TEST_PASS
