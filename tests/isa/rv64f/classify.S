// FCLASS.S (RISC-V unprivileged 20191213 §11.9, table 11.5): exactly one of ten bits is set in rd,
// according to the class of the single in rs1; no flags are raised, even for a signaling NaN.
#include "vireo_test.h"

.macro CLASS n, bits, expected
    LOAD_FS fa1, \bits
    fclass.s a0, fa1
    CHECK \n, a0, \expected
.endm

TEST_BEGIN
    CLASS 1, 0xFF800000, 1 << 0         // -inf
    CLASS 2, 0xBF800000, 1 << 1         // negative normal
    CLASS 3, 0xFF7FFFFF, 1 << 1
    CLASS 4, 0x807FFFFF, 1 << 2         // negative subnormal
    CLASS 5, 0x80000001, 1 << 2
    CLASS 6, 0x80000000, 1 << 3         // -0
    CLASS 7, 0x00000000, 1 << 4         // +0
    CLASS 8, 0x00000001, 1 << 5         // positive subnormal
    CLASS 9, 0x007FFFFF, 1 << 5
    CLASS 10, 0x00800000, 1 << 6        // positive normal
    CLASS 11, 0x3F800000, 1 << 6
    CLASS 12, 0x7F800000, 1 << 7        // +inf
    CLASS 13, 0x7F800001, 1 << 8        // signaling NaN
    CLASS 14, 0xFFBFFFFF, 1 << 8
    CLASS 15, 0x7FC00000, 1 << 9        // quiet NaN
    CLASS 16, 0xFFC12345, 1 << 9
    CHECK_FFLAGS 20, 0
TEST_PASS
