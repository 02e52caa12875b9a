// Fused multiply-add FMADD.S, FMSUB.S, FNMSUB.S, FNMADD.S (RISC-V unprivileged 20191213 §11.6):
// rs1×rs2+rs3, rs1×rs2-rs3, -(rs1×rs2)+rs3 and -(rs1×rs2)-rs3 with a single rounding; ∞×0 raises
// NV even when the addend is a quiet NaN.
#include "vireo_test.h"

// Check n: `op fa0, fa1, fa2, fa3` with fa1 = a, fa2 = b, fa3 = c gives result and flags.
.macro FOP3 n, op, a, b, c, result, flags
    LOAD_FS fa1, \a
    LOAD_FS fa2, \b
    LOAD_FS fa3, \c
    \op fa0, fa1, fa2, fa3
    CHECK_FS \n, fa0, \result
    CHECK_FFLAGS \n, \flags
.endm

TEST_BEGIN
    // 2 × 3 and 1 with all four sign combinations.
    FOP3 1, fmadd.s,  0x40000000, 0x40400000, 0x3F800000, 0x40E00000, 0   // 7
    FOP3 2, fmsub.s,  0x40000000, 0x40400000, 0x3F800000, 0x40A00000, 0   // 5
    FOP3 3, fnmsub.s, 0x40000000, 0x40400000, 0x3F800000, 0xC0A00000, 0   // -5
    FOP3 4, fnmadd.s, 0x40000000, 0x40400000, 0x3F800000, 0xC0E00000, 0   // -7
    FOP3 5, fmadd.s,  0xC0000000, 0x40400000, 0x3F800000, 0xC0A00000, 0   // -6 + 1 = -5

    // One rounding: (1 + 2^-12)^2 = 1 + 2^-11 + 2^-24 is not a single, but minus (1 + 2^-11) the
    // exact 2^-24 remains. Rounding the product first would give 0.
    FOP3 10, fmsub.s,  0x3F800800, 0x3F800800, 0x3F801000, 0x33800000, 0
    FOP3 11, fnmsub.s, 0x3F800800, 0x3F800800, 0x3F801000, 0xB3800000, 0
    FOP3 12, fmadd.s,  0x3F800800, 0x3F800800, 0x00000000, 0x3F801000, FFLAGS_NX

    // Invalid operations and NaNs.
    FOP3 20, fmadd.s,  0x7F800000, 0x00000000, 0x3F800000, 0x7FC00000, FFLAGS_NV  // ∞ × 0
    FOP3 21, fmadd.s,  0x7F800000, 0x00000000, 0x7FC00000, 0x7FC00000, FFLAGS_NV  // even + qNaN
    FOP3 22, fmadd.s,  0x7F800000, 0x3F800000, 0xFF800000, 0x7FC00000, FFLAGS_NV  // ∞ - ∞
    FOP3 23, fmadd.s,  0x3F800000, 0x3F800000, 0x7FC12345, 0x7FC00000, 0          // qNaN addend
    FOP3 24, fnmadd.s, 0x7F800001, 0x3F800000, 0x3F800000, 0x7FC00000, FFLAGS_NV  // sNaN
    FOP3 25, fmsub.s,  0x7F800000, 0x3F800000, 0x7F800000, 0x7FC00000, FFLAGS_NV  // ∞ - ∞

    // Signs of zero results: (+0 × 1) + -0 = +0; -(+0 × 1) - (+0) = -0.
    FOP3 30, fmadd.s,  0x00000000, 0x3F800000, 0x80000000, 0x00000000, 0
    FOP3 31, fnmadd.s, 0x00000000, 0x3F800000, 0x00000000, 0x80000000, 0
    FOP3 32, fmsub.s,  0x3F800000, 0x3F800000, 0x3F800000, 0x00000000, 0          // 1 - 1 = +0

    // Overflow.
    FOP3 40, fmadd.s,  0x7F7FFFFF, 0x40000000, 0x3F800000, 0x7F800000, FFLAGS_OF | FFLAGS_NX
TEST_PASS
