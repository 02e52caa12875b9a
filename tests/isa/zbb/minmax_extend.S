// Zbb minimum/maximum and sign/zero extension (RISC-V Bit-Manipulation ISA-extensions 1.0.0
// §2.2.4, §2.2.5): MAX/MIN compare signed, MAXU/MINU unsigned; SEXT.B and SEXT.H sign-extend the
// low byte/halfword, ZEXT.H zero-extends the low halfword.
#include "vireo_test.h"

.macro OP n, op, a, b, result
    li a1, \a
    li a2, \b
    \op a0, a1, a2
    CHECK \n, a0, \result
.endm

.macro UNARY n, op, a, result
    li a1, \a
    \op a0, a1
    CHECK \n, a0, \result
.endm

TEST_BEGIN
    OP 1, max, -1, 1, 1
    OP 2, max, 0x8000000000000000, 0x7FFFFFFFFFFFFFFF, 0x7FFFFFFFFFFFFFFF
    OP 3, min, -1, 1, -1
    OP 4, min, 0x8000000000000000, 0x7FFFFFFFFFFFFFFF, 0x8000000000000000
    OP 5, maxu, -1, 1, -1
    OP 6, maxu, 0x8000000000000000, 0x7FFFFFFFFFFFFFFF, 0x8000000000000000
    OP 7, minu, -1, 1, 1
    OP 8, minu, 0x8000000000000000, 0x7FFFFFFFFFFFFFFF, 0x7FFFFFFFFFFFFFFF
    OP 9, max, 5, 5, 5
    OP 10, minu, 0, 0xFFFFFFFF, 0

    UNARY 20, sext.b, 0x80, -128
    UNARY 21, sext.b, 0x7F, 127
    UNARY 22, sext.b, 0x12345678123456FF, -1
    UNARY 23, sext.h, 0x8000, 0xFFFFFFFFFFFF8000
    UNARY 24, sext.h, 0xFFFFFFFFFFFF7FFF, 0x7FFF
    UNARY 25, zext.h, 0xFFFFFFFFFFFF8001, 0x8001
    UNARY 26, zext.h, 0x1234, 0x1234
TEST_PASS
