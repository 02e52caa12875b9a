// Zacas 1.0 (atomic compare-and-swap, newest riscv-tests rv64ua): AMOCAS.W/.D/.Q rd, rs2, (rs1).
// rd holds the expected value and receives the old memory value; on a match memory takes rs2.
// .Q works on 128 bits in even register pairs, low half in the even register. Encoded with .insn
// (binutils 2.40 predates Zacas): opcode AMO 0x2f, funct7 = funct5 0b00101 << 2 = 0x14.
#include "vireo_test.h"

#define AMOCAS_W(rd, rs2, rs1) .insn r 0x2f, 2, 0x14, rd, rs1, rs2
#define AMOCAS_D(rd, rs2, rs1) .insn r 0x2f, 3, 0x14, rd, rs1, rs2
#define AMOCAS_Q(rd, rs2, rs1) .insn r 0x2f, 4, 0x14, rd, rs1, rs2

TEST_BEGIN
    la s0, slot

    // .D, match: memory takes the new value, rd gets the old one.
    li t0, 0x1122334455667788
    sd t0, 0(s0)
    li a0, 0x1122334455667788
    li a1, 0x0123456789ABCDEF
    AMOCAS_D(a0, a1, s0)
    CHECK 1, a0, 0x1122334455667788
    ld a2, 0(s0)
    CHECK 2, a2, 0x0123456789ABCDEF
    // .D, mismatch: memory unchanged, rd gets the current value.
    li a0, 5
    li a1, 6
    AMOCAS_D(a0, a1, s0)
    CHECK 3, a0, 0x0123456789ABCDEF
    ld a2, 0(s0)
    CHECK 4, a2, 0x0123456789ABCDEF

    // .W compares 32 bits (the upper half of rd does not matter) and sign-extends the result.
    li t0, 0x80000001
    sw t0, 0(s0)
    li t0, 0x7777
    sw t0, 4(s0)                      // the neighbouring word must not change
    li a0, 0xFFFFFFFF80000001
    li a1, 0x12345678
    AMOCAS_W(a0, a1, s0)
    CHECK 10, a0, 0xFFFFFFFF80000001
    lwu a2, 0(s0)
    CHECK 11, a2, 0x12345678
    lwu a2, 4(s0)
    CHECK 12, a2, 0x7777
    li a0, 0xABCD000012345678         // upper bits differ, low 32 match
    li a1, 0x9
    AMOCAS_W(a0, a1, s0)
    CHECK 13, a0, 0x12345678
    lwu a2, 0(s0)
    CHECK 14, a2, 0x9

    // .Q, match and mismatch on 128 bits: rd pair (a0, a1), rs2 pair (a2, a3).
    li t0, 0x1111
    sd t0, 0(s0)
    li t0, 0x2222
    sd t0, 8(s0)
    li a0, 0x1111
    li a1, 0x2222
    li a2, 0x3333
    li a3, 0x4444
    AMOCAS_Q(a0, a2, s0)
    CHECK 20, a0, 0x1111
    CHECK 21, a1, 0x2222
    ld t1, 0(s0)
    CHECK 22, t1, 0x3333
    ld t1, 8(s0)
    CHECK 23, t1, 0x4444
    li a0, 0x3333                     // low half matches, high half does not
    li a1, 0x9999
    li a2, 0x5555
    li a3, 0x6666
    AMOCAS_Q(a0, a2, s0)
    CHECK 24, a0, 0x3333
    CHECK 25, a1, 0x4444
    ld t1, 0(s0)
    CHECK 26, t1, 0x3333
    // The x0 pair as rs2 stores zeros.
    li a0, 0x3333
    li a1, 0x4444
    AMOCAS_Q(a0, zero, s0)
    ld t1, 0(s0)
    CHECK 27, t1, 0
    ld t1, 8(s0)
    CHECK 28, t1, 0

    // A misaligned address is a store/AMO address-misaligned exception (cause 6).
    addi s1, s0, 8
    EXPECT_TRAP 30, CAUSE_MISALIGNED_STORE, AMOCAS_Q(a0, a2, s1)
    addi s1, s0, 4
    EXPECT_TRAP 31, CAUSE_MISALIGNED_STORE, AMOCAS_D(a0, a2, s1)
TEST_PASS

    .data
    .balign 16
slot: .dword 0, 0, 0
