// Double-precision fused multiply-add FMADD.D, FMSUB.D, FNMSUB.D, FNMADD.D (RISC-V unprivileged
// 20191213 §12.4): one rounding of rs1×rs2±rs3 (negated for the FNM forms); ∞×0 raises NV even
// with a quiet-NaN addend.
#include "vireo_test.h"

.macro FOP3 n, op, a, b, c, result, flags
    LOAD_FD fa1, \a
    LOAD_FD fa2, \b
    LOAD_FD fa3, \c
    \op fa0, fa1, fa2, fa3
    CHECK_FD \n, fa0, \result
    CHECK_FFLAGS \n, \flags
.endm

#define ONE   0x3FF0000000000000
#define TWO   0x4000000000000000
#define THREE 0x4008000000000000
#define INF   0x7FF0000000000000
#define NAN   0x7FF8000000000000
#define A     0x3FF0000002000000
#define C     0x3FF0000004000000

TEST_BEGIN
    FOP3 1, fmadd.d,  TWO, THREE, ONE, 0x401C000000000000, 0                // 7
    FOP3 2, fmsub.d,  TWO, THREE, ONE, 0x4014000000000000, 0                // 5
    FOP3 3, fnmsub.d, TWO, THREE, ONE, 0xC014000000000000, 0                // -5
    FOP3 4, fnmadd.d, TWO, THREE, ONE, 0xC01C000000000000, 0                // -7

    // A = 1 + 2^-27 and C = 1 + 2^-26: A^2 - C = 2^-54 exactly; rounding the product first
    // would give 0.
    FOP3 10, fmsub.d,  A, A, C, 0x3C90000000000000, 0
    FOP3 11, fnmsub.d, A, A, C, 0xBC90000000000000, 0
    FOP3 12, fmadd.d,  A, A, 0, C, FFLAGS_NX

    FOP3 20, fmadd.d,  INF, 0, ONE, NAN, FFLAGS_NV
    FOP3 21, fmadd.d,  INF, 0, NAN, NAN, FFLAGS_NV
    FOP3 22, fmsub.d,  INF, ONE, INF, NAN, FFLAGS_NV
    FOP3 23, fmadd.d,  ONE, ONE, 0x7FF8000000012345, NAN, 0
    FOP3 24, fnmadd.d, 0x7FF0000000000001, ONE, ONE, NAN, FFLAGS_NV

    FOP3 30, fmadd.d,  0, ONE, 0x8000000000000000, 0, 0                     // +0 + -0 = +0
    FOP3 31, fnmadd.d, 0, ONE, 0, 0x8000000000000000, 0                     // -0 - +0 = -0
    FOP3 32, fmadd.d,  0x7FEFFFFFFFFFFFFF, TWO, ONE, INF, FFLAGS_OF | FFLAGS_NX
TEST_PASS
