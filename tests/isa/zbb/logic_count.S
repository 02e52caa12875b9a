// Zbb logic with negate and bit counting (RISC-V Bit-Manipulation ISA-extensions 1.0.0 §2.2.1,
// §2.2.2, §2.2.3): ANDN, ORN, XNOR; CLZ, CTZ, CPOP over 64 bits (CLZ/CTZ of 0 is 64) and CLZW,
// CTZW, CPOPW over the low 32 bits (CLZW/CTZW of 0 is 32).
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
    OP 1, andn, 0xFF00FF00FF00FF00, 0x0FF00FF00FF00FF0, 0xF000F000F000F000
    OP 2, orn,  0xFF00FF00FF00FF00, 0x0FF00FF00FF00FF0, 0xFF0FFF0FFF0FFF0F
    OP 3, xnor, 0xFF00FF00FF00FF00, 0x0FF00FF00FF00FF0, 0x0F0F0F0F0F0F0F0F
    OP 4, andn, -1, 0, -1
    OP 5, orn,  0, 0, -1
    OP 6, xnor, 0, 0, -1

    UNARY 10, clz, 0, 64
    UNARY 11, clz, 1, 63
    UNARY 12, clz, -1, 0
    UNARY 13, clz, 0x00F0000000000000, 8
    UNARY 14, clz, 0x0000000080000000, 32
    UNARY 15, clzw, 0, 32
    UNARY 16, clzw, 0xFFFFFFFF00000001, 31          // upper half ignored
    UNARY 17, clzw, 0x80000000, 0
    UNARY 18, clzw, 0x0000FFFF, 16

    UNARY 20, ctz, 0, 64
    UNARY 21, ctz, 0x8000000000000000, 63
    UNARY 22, ctz, 1, 0
    UNARY 23, ctz, 0x0000010000000000, 40
    UNARY 24, ctzw, 0, 32
    UNARY 25, ctzw, 0x100000000, 32                 // low word zero
    UNARY 26, ctzw, 0x80000000, 31
    UNARY 27, ctzw, 0xFFFFFFFFFFFF0100, 8

    UNARY 30, cpop, -1, 64
    UNARY 31, cpop, 0, 0
    UNARY 32, cpop, 0x5555555555555555, 32
    UNARY 33, cpop, 0x8000000000000001, 2
    UNARY 34, cpopw, -1, 32
    UNARY 35, cpopw, 0xFFFFFFFF00000001, 1
    UNARY 36, cpopw, 0x00000000F0F0F0F0, 16
TEST_PASS
