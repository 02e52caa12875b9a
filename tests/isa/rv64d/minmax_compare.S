// FMIN.D/FMAX.D and FEQ.D/FLT.D/FLE.D (RISC-V unprivileged 20191213 §12.4 and §12.6, with the
// rules of §11.6 and §11.8): -0 < +0, one NaN operand gives the other operand, two give the
// canonical NaN, signaling NaNs raise NV; FEQ is quiet, FLT and FLE signal on any NaN.
#include "vireo_test.h"

.macro MINMAX n, op, a, b, result, flags
    LOAD_FD fa1, \a
    LOAD_FD fa2, \b
    \op fa0, fa1, fa2
    CHECK_FD \n, fa0, \result
    CHECK_FFLAGS \n, \flags
.endm

.macro COMPARE n, op, a, b, result, flags
    LOAD_FD fa1, \a
    LOAD_FD fa2, \b
    \op a0, fa1, fa2
    CHECK \n, a0, \result
    CHECK_FFLAGS \n, \flags
.endm

#define ONE  0x3FF0000000000000
#define TWO  0x4000000000000000
#define NEG0 0x8000000000000000
#define NAN  0x7FF8000000000000
#define SNAN 0x7FF0000000000001

TEST_BEGIN
    MINMAX 1, fmin.d, ONE, TWO, ONE, 0
    MINMAX 2, fmax.d, ONE, TWO, TWO, 0
    MINMAX 3, fmin.d, NEG0, 0, NEG0, 0
    MINMAX 4, fmin.d, 0, NEG0, NEG0, 0
    MINMAX 5, fmax.d, NEG0, 0, 0, 0
    MINMAX 6, fmax.d, 0xFFF0000000000000, 0xC000000000000000, 0xC000000000000000, 0
    MINMAX 10, fmin.d, NAN, ONE, ONE, 0
    MINMAX 11, fmax.d, TWO, 0x7FF8000000012345, TWO, 0
    MINMAX 12, fmin.d, SNAN, ONE, ONE, FFLAGS_NV
    MINMAX 13, fmax.d, ONE, 0xFFF0000000000001, ONE, FFLAGS_NV
    MINMAX 14, fmin.d, 0x7FF8000000012345, 0xFFF8000000000000, NAN, 0
    MINMAX 15, fmax.d, SNAN, NAN, NAN, FFLAGS_NV
    // A boxed single is just a NaN to a double operation.
    MINMAX 16, fmin.d, 0xFFFFFFFF3F800000, TWO, TWO, 0

    COMPARE 20, feq.d, ONE, ONE, 1, 0
    COMPARE 21, feq.d, ONE, TWO, 0, 0
    COMPARE 22, feq.d, NEG0, 0, 1, 0
    COMPARE 23, feq.d, NAN, NAN, 0, 0
    COMPARE 24, feq.d, SNAN, ONE, 0, FFLAGS_NV
    COMPARE 30, flt.d, ONE, TWO, 1, 0
    COMPARE 31, flt.d, TWO, ONE, 0, 0
    COMPARE 32, flt.d, NEG0, 0, 0, 0
    COMPARE 33, flt.d, NAN, ONE, 0, FFLAGS_NV
    COMPARE 34, flt.d, 0xFFF0000000000000, 0x7FF0000000000000, 1, 0
    COMPARE 40, fle.d, ONE, ONE, 1, 0
    COMPARE 41, fle.d, TWO, ONE, 0, 0
    COMPARE 42, fle.d, NEG0, 0, 1, 0
    COMPARE 43, fle.d, ONE, NAN, 0, FFLAGS_NV
    COMPARE 44, fle.d, SNAN, SNAN, 0, FFLAGS_NV
TEST_PASS
