// Rounding modes on double-precision operations (RISC-V unprivileged 20191213 §11.2, §12.4,
// §12.5): static RNE/RTZ/RDN/RUP/RMM and dynamic frm, on arithmetic, on double-to-integer
// conversion and on the narrowing FCVT.S.D (including overflow and underflow in each direction).
#include "vireo_test.h"

.macro ADD n, a, b, rm, result
    LOAD_FD fa1, \a
    LOAD_FD fa2, \b
    fadd.d fa0, fa1, fa2, \rm
    CHECK_FD \n, fa0, \result
    CHECK_FFLAGS \n, FFLAGS_NX
.endm

.macro CVT_W n, a, rm, result
    LOAD_FD fa1, \a
    fcvt.w.d a0, fa1, \rm
    CHECK \n, a0, \result
    CHECK_FFLAGS \n, FFLAGS_NX
.endm

.macro NARROW n, a, rm, result, flags
    LOAD_FD fa1, \a
    fcvt.s.d fa0, fa1, \rm
    CHECK_FS \n, fa0, \result
    CHECK_FFLAGS \n, \flags
.endm

#define ONE  0x3FF0000000000000
#define HALF_ULP 0x3CA0000000000000     // 2^-53: half an ulp of 1.0

TEST_BEGIN
    ADD 1, ONE, HALF_ULP, rne, ONE
    ADD 2, ONE, HALF_ULP, rtz, ONE
    ADD 3, ONE, HALF_ULP, rdn, ONE
    ADD 4, ONE, HALF_ULP, rup, 0x3FF0000000000001
    ADD 5, ONE, HALF_ULP, rmm, 0x3FF0000000000001
    ADD 6, 0xBFF0000000000000, 0xBCA0000000000000, rdn, 0xBFF0000000000001
    ADD 7, 0xBFF0000000000000, 0xBCA0000000000000, rup, 0xBFF0000000000000
    ADD 8, 0xBFF0000000000000, 0xBCA0000000000000, rmm, 0xBFF0000000000001
    ADD 9, 0xBFF0000000000000, 0xBCA0000000000000, rtz, 0xBFF0000000000000

    CVT_W 10, 0x4004000000000000, rne, 2                // 2.5
    CVT_W 11, 0x4004000000000000, rmm, 3
    CVT_W 12, 0xC004000000000000, rmm, -3
    CVT_W 13, 0xC004000000000000, rdn, -3
    CVT_W 14, 0xC004000000000000, rup, -2
    CVT_W 15, 0xC004000000000000, rtz, -2
    CVT_W 16, 0x3FE0000000000000, rmm, 1                // 0.5
    CVT_W 17, 0x3FE0000000000000, rne, 0
    CVT_W 18, 0x4006000000000000, rup, 3                // 2.75
    CVT_W 19, 0x4006000000000000, rdn, 2

    // FCVT.S.D of 1 + 2^-24, half an ulp of single 1.0 above it.
    NARROW 20, 0x3FF0000010000000, rne, 0x3F800000, FFLAGS_NX
    NARROW 21, 0x3FF0000010000000, rtz, 0x3F800000, FFLAGS_NX
    NARROW 22, 0x3FF0000010000000, rup, 0x3F800001, FFLAGS_NX
    NARROW 23, 0x3FF0000010000000, rmm, 0x3F800001, FFLAGS_NX
    NARROW 24, 0xBFF0000010000000, rdn, 0xBF800001, FFLAGS_NX
    NARROW 25, 0xBFF0000010000000, rup, 0xBF800000, FFLAGS_NX
    // Overflow: 1e300.
    NARROW 26, 0x7E37E43C8800759C, rne, 0x7F800000, FFLAGS_OF | FFLAGS_NX
    NARROW 27, 0x7E37E43C8800759C, rtz, 0x7F7FFFFF, FFLAGS_OF | FFLAGS_NX
    NARROW 28, 0xFE37E43C8800759C, rup, 0xFF7FFFFF, FFLAGS_OF | FFLAGS_NX
    NARROW 29, 0xFE37E43C8800759C, rdn, 0xFF800000, FFLAGS_OF | FFLAGS_NX
    // Underflow: 2^-150, half the smallest subnormal single.
    NARROW 30, 0x3690000000000000, rne, 0x00000000, FFLAGS_UF | FFLAGS_NX
    NARROW 31, 0x3690000000000000, rup, 0x00000001, FFLAGS_UF | FFLAGS_NX
    NARROW 32, 0x3690000000000000, rmm, 0x00000001, FFLAGS_UF | FFLAGS_NX
    // Exact narrowing raises nothing.
    NARROW 33, 0x3FF8000000000000, rne, 0x3FC00000, 0

    // Dynamic rounding from frm.
    fsrmi FRM_RUP
    LOAD_FD fa1, ONE
    LOAD_FD fa2, HALF_ULP
    fadd.d fa0, fa1, fa2, dyn
    CHECK_FD 40, fa0, 0x3FF0000000000001
    fsrmi FRM_RDN
    LOAD_FD fa1, 0x3FF0000000000000
    fsub.d fa0, fa1, fa1, dyn           // x - x = -0 in RDN
    CHECK_FD 41, fa0, 0x8000000000000000
    fsrmi FRM_RMM
    LOAD_FD fa1, 0x3FF0000010000000
    fcvt.s.d fa0, fa1, dyn
    CHECK_FS 42, fa0, 0x3F800001
    fsrmi FRM_RNE
    csrw fflags, zero

    // rm = 5 is reserved: fadd.d fa0, fa1, fa2 with it is illegal.
    EXPECT_ILLEGAL 50, 0x02C5D553, .word 0x02C5D553
    fsrmi 6
    EXPECT_ILLEGAL 51, 0x02C5F553, fadd.d fa0, fa1, fa2, dyn
    fsrmi FRM_RNE
TEST_PASS
