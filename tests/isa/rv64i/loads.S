// Loads LB, LH, LW, LD, LBU, LHU, LWU (RISC-V unprivileged 20191213 §2.6, §5.3): little-endian,
// signed loads sign-extend and unsigned loads zero-extend to 64 bits; the address is rs1 plus a
// sign-extended 12-bit offset.
#include "vireo_test.h"

TEST_BEGIN
    la s0, data
    lb a0, 0(s0)
    CHECK 1, a0, 0xFFFFFFFFFFFFFF80
    lbu a0, 0(s0)
    CHECK 2, a0, 0x80
    lb a0, 1(s0)
    CHECK 3, a0, 0x7F
    lbu a0, 1(s0)
    CHECK 4, a0, 0x7F

    lh a0, 2(s0)                        // bytes 01 80
    CHECK 10, a0, 0xFFFFFFFFFFFF8001
    lhu a0, 2(s0)
    CHECK 11, a0, 0x8001
    lh a0, 0(s0)                        // bytes 80 7F
    CHECK 12, a0, 0x7F80

    lw a0, 4(s0)                        // bytes 78 56 34 92
    CHECK 20, a0, 0xFFFFFFFF92345678
    lwu a0, 4(s0)
    CHECK 21, a0, 0x92345678
    lw a0, 8(s0)
    CHECK 22, a0, 0x76543210
    lwu a0, 8(s0)
    CHECK 23, a0, 0x76543210

    ld a0, 8(s0)
    CHECK 30, a0, 0xFEDCBA9876543210
    ld a0, 0(s0)
    CHECK 31, a0, 0x9234567880017F80

    // Negative offsets, and the largest offsets both ways.
    la s1, data + 16
    ld a0, -8(s1)
    CHECK 40, a0, 0xFEDCBA9876543210
    lbu a0, -1(s1)
    CHECK 41, a0, 0xFE
    la s1, data + 2048
    lbu a0, -2048(s1)
    CHECK 42, a0, 0x80
    la s1, data - 2047
    lbu a0, 2047(s1)
    CHECK 43, a0, 0x80

    // The destination may be the base register.
    la a0, pointer
    ld a0, 0(a0)
    CHECK 50, a0, 0x1122334455667788
TEST_PASS

    .data
    .align 3
data:
    .byte 0x80, 0x7F, 0x01, 0x80        // 0..3
    .word 0x92345678                    // 4..7
    .dword 0xFEDCBA9876543210           // 8..15
pointer:
    .dword 0x1122334455667788
