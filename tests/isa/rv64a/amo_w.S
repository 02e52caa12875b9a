// Word AMOs (RISC-V unprivileged 20191213 §8.4): AMOSWAP/ADD/XOR/AND/OR/MIN/MAX/MINU/MAXU.W
// atomically load the word at rs1 into rd (sign-extended), compute with the low word of rs2 and
// store the 32-bit result; MIN/MAX compare as signed words, MINU/MAXU as unsigned words.
// The word next to the one operated on must never change.
#include "vireo_test.h"

// Check n: with the word at s0 = init, `op a0, rs2, (s0)` gives a0 = old (sign-extended) and leaves
// the word = new.
.macro AMO_W n, op, init, rs2, old, new
    li t0, \init
    sw t0, 0(s0)
    li a1, \rs2
    \op a0, a1, (s0)
    CHECK \n, a0, \old
    lwu a2, 0(s0)
    CHECK \n, a2, \new
    lwu a2, 4(s0)
    CHECK \n, a2, 0x5A5A5A5A
.endm

TEST_BEGIN
    la s0, slot
    AMO_W 1, amoswap.w, 0x80000000, 0x12345678, 0xFFFFFFFF80000000, 0x12345678
    AMO_W 2, amoswap.w, 0x7FFFFFFF, 0xFFFFFFFF00000000, 0x7FFFFFFF, 0

    AMO_W 10, amoadd.w, 0x7FFFFFFF, 1, 0x7FFFFFFF, 0x80000000    // wraps at 32 bits
    AMO_W 11, amoadd.w, 0xFFFFFFFF, 0xFFFFFFFF00000002, -1, 1   // upper half of rs2 ignored

    AMO_W 20, amoxor.w, 0xF0F0F0F0, 0xFF00FF00, 0xFFFFFFFFF0F0F0F0, 0x0FF00FF0
    AMO_W 21, amoand.w, 0xF0F0F0F0, 0xFF00FF00, 0xFFFFFFFFF0F0F0F0, 0xF000F000
    AMO_W 22, amoor.w, 0x0F0F0F0F, 0xFF00FF00, 0x0F0F0F0F, 0xFF0FFF0F

    AMO_W 30, amomin.w, 0x80000000, 1, 0xFFFFFFFF80000000, 0x80000000
    AMO_W 31, amomin.w, 5, 0xFFFFFFFD, 5, 0xFFFFFFFD           // -3 as a word
    AMO_W 32, amomin.w, 0, 0x00000000FFFFFFFF, 0, 0xFFFFFFFF    // rs2 is -1 as a word
    AMO_W 33, amomax.w, 0xFFFFFFFF, 1, -1, 1
    AMO_W 34, amomax.w, 0x7FFFFFFF, 0x80000000, 0x7FFFFFFF, 0x7FFFFFFF

    AMO_W 40, amominu.w, 0xFFFFFFFF, 1, -1, 1
    AMO_W 41, amominu.w, 5, 0x100000000, 5, 0                   // rs2 is 0 as a word
    AMO_W 42, amomaxu.w, 1, 0xFFFFFFFF, 1, 0xFFFFFFFF
    AMO_W 43, amomaxu.w, 0x80000000, 0x7FFFFFFF, 0xFFFFFFFF80000000, 0x80000000

    // rd = x0: the memory still changes. rd = rs2: rs2 is read before rd is written.
    li t0, 10
    sw t0, 0(s0)
    li a1, 5
    amoadd.w zero, a1, (s0)
    lw a2, 0(s0)
    CHECK 50, a2, 15
    li a0, 3
    amoswap.w a0, a0, (s0)
    CHECK 51, a0, 15
    lw a2, 0(s0)
    CHECK 52, a2, 3
TEST_PASS

    .data
    .align 3
slot: .word 0, 0x5A5A5A5A
