// Zbb rotations, OR-combine and byte reverse (RISC-V Bit-Manipulation ISA-extensions 1.0.0
// §2.2.6, §2.2.7, §2.2.8): ROL/ROR/RORI rotate 64 bits by rs2[5:0] or an immediate; ROLW/RORW/
// RORIW rotate the low word by rs2[4:0] or an immediate and sign-extend; ORC.B makes each nonzero
// byte 0xFF; REV8 reverses the byte order of the register.
#include "vireo_test.h"

.macro OP n, op, a, b, result
    li a1, \a
    li a2, \b
    \op a0, a1, a2
    CHECK \n, a0, \result
.endm

.macro OPI n, op, a, imm, result
    li a1, \a
    \op a0, a1, \imm
    CHECK \n, a0, \result
.endm

.macro UNARY n, op, a, result
    li a1, \a
    \op a0, a1
    CHECK \n, a0, \result
.endm

TEST_BEGIN
    OP 1, rol, 0x8000000000000001, 1, 3
    OP 2, rol, 0x0123456789ABCDEF, 68, 0x123456789ABCDEF0      // 68 & 63 = 4
    OP 3, ror, 1, 1, 0x8000000000000000
    OP 4, ror, 0x0123456789ABCDEF, 0, 0x0123456789ABCDEF
    OP 5, ror, 0x0123456789ABCDEF, -4, 0x123456789ABCDEF0     // by 60
    OPI 6, rori, 0x0123456789ABCDEF, 4, 0xF0123456789ABCDE
    OPI 7, rori, 0x8000000000000001, 63, 3

    OP 10, rolw, 0x80000001, 1, 3
    OP 11, rolw, 0x40000000, 1, 0xFFFFFFFF80000000           // sign-extended
    OP 12, rolw, 0xFFFFFFFF00000001, 33, 2                   // upper half, rs2[5] ignored
    OP 13, rorw, 1, 1, 0xFFFFFFFF80000000
    OP 14, rorw, 0x12345678, 32, 0x12345678
    OPI 15, roriw, 0x12345678, 4, 0xFFFFFFFF81234567
    OPI 16, roriw, 0xAAAAAAAA00000002, 1, 1

    UNARY 20, orc.b, 0x0100000000FF0010, 0xFF00000000FF00FF
    UNARY 21, orc.b, 0, 0
    UNARY 22, orc.b, 0x8040201008040201, -1
    UNARY 23, rev8, 0x0123456789ABCDEF, 0xEFCDAB8967452301
    UNARY 24, rev8, 0xFF, 0xFF00000000000000
TEST_PASS
