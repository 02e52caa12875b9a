// Register-register arithmetic and logic: ADD, SUB, SLT, SLTU, XOR, OR, AND (RISC-V unprivileged
// 20191213 §2.4.2, §5.2.2): 64-bit, wrapping on overflow, SLT signed and SLTU unsigned.
#include "vireo_test.h"

TEST_BEGIN
    li a1, 0x7FFFFFFFFFFFFFFF
    li a2, 1
    add a0, a1, a2                      // overflow wraps
    CHECK 1, a0, 0x8000000000000000
    li a1, 0x00000000FFFFFFFF
    add a0, a1, a2
    CHECK 2, a0, 0x100000000
    li a1, -5
    li a2, 3
    add a0, a1, a2
    CHECK 3, a0, -2

    li a1, 0x8000000000000000
    li a2, 1
    sub a0, a1, a2                      // underflow wraps
    CHECK 10, a0, 0x7FFFFFFFFFFFFFFF
    li a1, 3
    li a2, 5
    sub a0, a1, a2
    CHECK 11, a0, -2
    sub a0, zero, a1                    // neg
    CHECK 12, a0, -3
    sub a0, a1, a1
    CHECK 13, a0, 0

    li a1, -1
    li a2, 1
    slt a0, a1, a2                      // signed: -1 < 1
    CHECK 20, a0, 1
    slt a0, a2, a1
    CHECK 21, a0, 0
    sltu a0, a1, a2                     // unsigned: 0xFFFF... > 1
    CHECK 22, a0, 0
    sltu a0, a2, a1
    CHECK 23, a0, 1
    slt a0, a2, a2
    CHECK 24, a0, 0
    sltu a0, a2, a2
    CHECK 25, a0, 0
    sltu a0, zero, a2                   // snez
    CHECK 26, a0, 1
    sltu a0, zero, zero
    CHECK 27, a0, 0
    li a1, 0x8000000000000000
    li a2, 0x7FFFFFFFFFFFFFFF
    slt a0, a1, a2
    CHECK 28, a0, 1
    sltu a0, a1, a2
    CHECK 29, a0, 0

    li a1, 0xFF00FF00FF00FF00
    li a2, 0x0FF00FF00FF00FF0
    xor a0, a1, a2
    CHECK 30, a0, 0xF0F0F0F0F0F0F0F0
    or a0, a1, a2
    CHECK 31, a0, 0xFFF0FFF0FFF0FFF0
    and a0, a1, a2
    CHECK 32, a0, 0x0F000F000F000F00
    xor a0, a1, a1
    CHECK 33, a0, 0
TEST_PASS
