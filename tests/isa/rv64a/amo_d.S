// Doubleword AMOs (RISC-V unprivileged 20191213 §8.4): AMOSWAP/ADD/XOR/AND/OR/MIN/MAX/MINU/MAXU.D
// atomically load the doubleword at rs1 into rd, compute with rs2 and store the result; MIN/MAX
// compare signed, MINU/MAXU unsigned. The neighbouring doubleword must never change.
#include "vireo_test.h"

// Check n: with the doubleword at s0 = init, `op a0, rs2, (s0)` gives a0 = init and leaves new.
.macro AMO_D n, op, init, rs2, new
    li t0, \init
    sd t0, 0(s0)
    li a1, \rs2
    \op a0, a1, (s0)
    CHECK \n, a0, \init
    ld a2, 0(s0)
    CHECK \n, a2, \new
    ld a2, 8(s0)
    CHECK \n, a2, 0x5A5A5A5A5A5A5A5A
.endm

TEST_BEGIN
    la s0, slot
    AMO_D 1, amoswap.d, 0x8000000000000000, 0x0123456789ABCDEF, 0x0123456789ABCDEF
    AMO_D 10, amoadd.d, 0x7FFFFFFFFFFFFFFF, 1, 0x8000000000000000
    AMO_D 11, amoadd.d, 0x00000000FFFFFFFF, 1, 0x100000000      // carries into the upper word
    AMO_D 20, amoxor.d, 0xF0F0F0F0F0F0F0F0, 0xFF00FF00FF00FF00, 0x0FF00FF00FF00FF0
    AMO_D 21, amoand.d, 0xF0F0F0F0F0F0F0F0, 0xFF00FF00FF00FF00, 0xF000F000F000F000
    AMO_D 22, amoor.d, 0x0F0F0F0F0F0F0F0F, 0xFF00FF00FF00FF00, 0xFF0FFF0FFF0FFF0F
    AMO_D 30, amomin.d, 0x8000000000000000, 1, 0x8000000000000000
    AMO_D 31, amomin.d, 5, -3, -3
    AMO_D 32, amomin.d, 0x00000000FFFFFFFF, 0xFFFFFFFF00000000, 0xFFFFFFFF00000000
    AMO_D 33, amomax.d, -1, 1, 1
    AMO_D 34, amomax.d, 0x7FFFFFFFFFFFFFFF, 0x8000000000000000, 0x7FFFFFFFFFFFFFFF
    AMO_D 40, amominu.d, -1, 1, 1
    AMO_D 41, amominu.d, 0x00000000FFFFFFFF, 0xFFFFFFFF00000000, 0x00000000FFFFFFFF
    AMO_D 42, amomaxu.d, 1, -1, -1
    AMO_D 43, amomaxu.d, 0x8000000000000000, 0x7FFFFFFFFFFFFFFF, 0x8000000000000000

    // rd = x0 still updates memory; rd = rs2 reads rs2 first.
    li t0, 10
    sd t0, 0(s0)
    li a1, -20
    amoadd.d zero, a1, (s0)
    ld a2, 0(s0)
    CHECK 50, a2, -10
    li a0, 3
    amoswap.d a0, a0, (s0)
    CHECK 51, a0, -10
    ld a2, 0(s0)
    CHECK 52, a2, 3
TEST_PASS

    .data
    .align 3
slot: .dword 0, 0x5A5A5A5A5A5A5A5A
