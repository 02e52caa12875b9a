// Division DIV, DIVU, REM, REMU (RISC-V unprivileged 20191213 §7.2): division rounds towards zero
// and the remainder has the sign of the dividend. No trap on division by zero or overflow; the
// results are those of table 7.1: x/0 = -1 (all ones), x%0 = x, and (-2^63)/(-1) = -2^63 with
// remainder 0.
#include "vireo_test.h"

TEST_BEGIN
    li a1, 20
    li a2, 6
    div a0, a1, a2
    CHECK 1, a0, 3
    rem a0, a1, a2
    CHECK 2, a0, 2
    li a1, -20
    div a0, a1, a2                      // rounds towards zero, not down
    CHECK 3, a0, -3
    rem a0, a1, a2                      // sign of the dividend
    CHECK 4, a0, -2
    li a1, 20
    li a2, -6
    div a0, a1, a2
    CHECK 5, a0, -3
    rem a0, a1, a2
    CHECK 6, a0, 2
    li a1, -20
    div a0, a1, a2
    CHECK 7, a0, 3
    rem a0, a1, a2
    CHECK 8, a0, -2

    li a1, -1
    li a2, 2
    divu a0, a1, a2                     // (2^64 - 1) / 2
    CHECK 10, a0, 0x7FFFFFFFFFFFFFFF
    remu a0, a1, a2
    CHECK 11, a0, 1
    li a1, 20
    li a2, -6
    divu a0, a1, a2                     // 20 / (2^64 - 6)
    CHECK 12, a0, 0
    remu a0, a1, a2
    CHECK 13, a0, 20

    // Division by zero.
    li a1, 1234
    div a0, a1, zero
    CHECK 20, a0, -1
    divu a0, a1, zero
    CHECK 21, a0, 0xFFFFFFFFFFFFFFFF
    rem a0, a1, zero
    CHECK 22, a0, 1234
    remu a0, a1, zero
    CHECK 23, a0, 1234
    li a1, -1234
    div a0, a1, zero
    CHECK 24, a0, -1
    rem a0, a1, zero
    CHECK 25, a0, -1234
    remu a0, a1, zero
    CHECK 26, a0, -1234

    // Signed overflow.
    li a1, 0x8000000000000000
    li a2, -1
    div a0, a1, a2
    CHECK 30, a0, 0x8000000000000000
    rem a0, a1, a2
    CHECK 31, a0, 0
    divu a0, a1, a2                     // unsigned: 2^63 / (2^64 - 1) = 0
    CHECK 32, a0, 0
    remu a0, a1, a2
    CHECK 33, a0, 0x8000000000000000
TEST_PASS
