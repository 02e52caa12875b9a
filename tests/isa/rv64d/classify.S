// FCLASS.D (RISC-V unprivileged 20191213 §12.7, table 11.5): one of ten class bits, no flags.
#include "vireo_test.h"

.macro CLASS n, bits, expected
    LOAD_FD fa1, \bits
    fclass.d a0, fa1
    CHECK \n, a0, \expected
.endm

TEST_BEGIN
    CLASS 1, 0xFFF0000000000000, 1 << 0     // -inf
    CLASS 2, 0xBFF0000000000000, 1 << 1     // negative normal
    CLASS 3, 0xFFEFFFFFFFFFFFFF, 1 << 1
    CLASS 4, 0x800FFFFFFFFFFFFF, 1 << 2     // negative subnormal
    CLASS 5, 0x8000000000000001, 1 << 2
    CLASS 6, 0x8000000000000000, 1 << 3     // -0
    CLASS 7, 0x0000000000000000, 1 << 4     // +0
    CLASS 8, 0x0000000000000001, 1 << 5     // positive subnormal
    CLASS 9, 0x000FFFFFFFFFFFFF, 1 << 5
    CLASS 10, 0x0010000000000000, 1 << 6    // positive normal
    CLASS 11, 0x7FEFFFFFFFFFFFFF, 1 << 6
    CLASS 12, 0x7FF0000000000000, 1 << 7    // +inf
    CLASS 13, 0x7FF0000000000001, 1 << 8    // signaling NaN
    CLASS 14, 0xFFF4000000000000, 1 << 8
    CLASS 15, 0x7FF8000000000000, 1 << 9    // quiet NaN
    CLASS 16, 0xFFFFFFFF3F800000, 1 << 9    // a boxed single, seen as a double
    CHECK_FFLAGS 20, 0
TEST_PASS
