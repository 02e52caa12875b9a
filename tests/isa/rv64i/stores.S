// Stores SB, SH, SW, SD (RISC-V unprivileged 20191213 §2.6, §5.3): little-endian, writing only the
// low 8/16/32/64 bits of rs2 to exactly those bytes; FENCE (§2.7) orders them and is otherwise a
// no-op for a single hart.
#include "vireo_test.h"

TEST_BEGIN
    la s0, buffer
    li a1, -1
    sd a1, 0(s0)
    sd a1, 8(s0)

    li a2, 0x0123456789ABCDEF
    sb a2, 0(s0)                        // only 0xEF, only byte 0
    ld a0, 0(s0)
    CHECK 1, a0, 0xFFFFFFFFFFFFFFEF
    sh a2, 2(s0)                        // 0xCDEF at bytes 2..3
    ld a0, 0(s0)
    CHECK 2, a0, 0xFFFFFFFFCDEFFFEF
    sw a2, 4(s0)                        // 0x89ABCDEF at bytes 4..7
    ld a0, 0(s0)
    CHECK 3, a0, 0x89ABCDEFCDEFFFEF
    ld a0, 8(s0)                        // nothing past the stores was touched
    CHECK 4, a0, -1

    sd a2, 8(s0)
    ld a0, 8(s0)
    CHECK 10, a0, 0x0123456789ABCDEF
    lbu a0, 8(s0)                       // little-endian: least significant byte first
    CHECK 11, a0, 0xEF
    lbu a0, 15(s0)
    CHECK 12, a0, 0x01

    // Negative offsets.
    la s1, buffer + 16
    sw zero, -16(s1)
    ld a0, 0(s0)
    CHECK 20, a0, 0x89ABCDEF00000000
    sh zero, -2(s1)
    ld a0, 8(s0)
    CHECK 21, a0, 0x0000456789ABCDEF
    sb zero, -9(s1)
    ld a0, 0(s0)
    CHECK 22, a0, 0x00ABCDEF00000000

    // Fences of every kind are accepted and keep program order visible.
    li a2, 42
    sd a2, 0(s0)
    fence
    fence rw, rw
    fence w, r
    fence iorw, iorw
    fence.tso
    ld a0, 0(s0)
    CHECK 30, a0, 42
TEST_PASS

    .data
    .align 3
buffer: .dword 0, 0
