// Double-precision FADD.D, FSUB.D, FMUL.D, FDIV.D, FSQRT.D (RISC-V unprivileged 20191213 §12.4):
// IEEE 754-2008 results with the flags of §11.2 and the canonical NaN 0x7FF8000000000000 for every
// NaN result (§12.3); only signaling NaN inputs raise NV.
#include "vireo_test.h"

.macro FOP2 n, op, a, b, result, flags
    LOAD_FD fa1, \a
    LOAD_FD fa2, \b
    \op fa0, fa1, fa2
    CHECK_FD \n, fa0, \result
    CHECK_FFLAGS \n, \flags
.endm

.macro SQRT n, a, result, flags
    LOAD_FD fa1, \a
    fsqrt.d fa0, fa1
    CHECK_FD \n, fa0, \result
    CHECK_FFLAGS \n, \flags
.endm

#define ONE   0x3FF0000000000000
#define TWO   0x4000000000000000
#define THREE 0x4008000000000000
#define INF   0x7FF0000000000000
#define NINF  0xFFF0000000000000
#define NAN   0x7FF8000000000000
#define SNAN  0x7FF0000000000001
#define MAX   0x7FEFFFFFFFFFFFFF

TEST_BEGIN
    FOP2 1, fadd.d, ONE, TWO, THREE, 0
    FOP2 2, fadd.d, ONE, 0x3CA0000000000000, ONE, FFLAGS_NX                 // 1 + 2^-53: tie, even
    FOP2 3, fadd.d, 0x3FF0000000000001, 0x3CA0000000000000, 0x3FF0000000000002, FFLAGS_NX
    FOP2 4, fadd.d, INF, NINF, NAN, FFLAGS_NV
    FOP2 5, fadd.d, MAX, MAX, INF, FFLAGS_OF | FFLAGS_NX
    FOP2 6, fadd.d, 0x7FF8000000012345, ONE, NAN, 0                         // payload dropped
    FOP2 7, fadd.d, ONE, SNAN, NAN, FFLAGS_NV
    FOP2 8, fadd.d, 0x8000000000000000, 0x8000000000000000, 0x8000000000000000, 0

    FOP2 10, fsub.d, THREE, ONE, TWO, 0
    FOP2 11, fsub.d, ONE, THREE, 0xC000000000000000, 0
    FOP2 12, fsub.d, ONE, ONE, 0, 0
    FOP2 13, fsub.d, INF, INF, NAN, FFLAGS_NV
    FOP2 14, fsub.d, 0x0010000000000000, 0x0010000000000001, 0x8000000000000001, 0  // exact

    FOP2 20, fmul.d, THREE, 0x3FE0000000000000, 0x3FF8000000000000, 0       // 3 × 0.5
    FOP2 21, fmul.d, INF, 0, NAN, FFLAGS_NV
    FOP2 22, fmul.d, MAX, TWO, INF, FFLAGS_OF | FFLAGS_NX
    FOP2 23, fmul.d, 0x0010000000000000, 0x3FE0000000000000, 0x0008000000000000, 0
    FOP2 24, fmul.d, 0x0010000000000001, 0x3FE0000000000000, 0x0008000000000000, \
         FFLAGS_UF | FFLAGS_NX
    FOP2 25, fmul.d, 0xC000000000000000, THREE, 0xC018000000000000, 0

    FOP2 30, fdiv.d, ONE, THREE, 0x3FD5555555555555, FFLAGS_NX
    FOP2 31, fdiv.d, ONE, 0, INF, FFLAGS_DZ
    FOP2 32, fdiv.d, 0xBFF0000000000000, 0, NINF, FFLAGS_DZ
    FOP2 33, fdiv.d, 0, 0, NAN, FFLAGS_NV
    FOP2 34, fdiv.d, INF, INF, NAN, FFLAGS_NV
    FOP2 35, fdiv.d, 0x4018000000000000, THREE, TWO, 0                      // 6/3

    SQRT 40, 0x4010000000000000, TWO, 0                                     // √4
    SQRT 41, TWO, 0x3FF6A09E667F3BCD, FFLAGS_NX
    SQRT 42, 0xBFF0000000000000, NAN, FFLAGS_NV
    SQRT 43, 0x8000000000000000, 0x8000000000000000, 0
    SQRT 44, INF, INF, 0
    SQRT 45, SNAN, NAN, FFLAGS_NV
TEST_PASS
