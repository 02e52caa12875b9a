// Misaligned loads and stores (RISC-V unprivileged 20191213 §2.6; privileged 1.12 §3.6.3): the
// hardware may perform them or raise an address-misaligned exception (load: cause 4, store: 6)
// with mtval = the address. Vireo performs them; QEMU 7.2 does too, but other harts trap, so each
// check accepts either outcome as long as it is consistent.
#include "vireo_test.h"

// Check n: `op a0, off(s0)` loads expected, or traps with cause 4 and mtval = s0 + off.
.macro MISALIGNED_LOAD n, op, off, expected
    addi s1, s0, \off
    TRAP_ARM .Ltrap\@
    \op a0, \off(s0)
    TRAP_DISARM
    CHECK \n, a0, \expected
    j .Ldone\@
.Ltrap\@:
    CHECK_TRAP \n, CAUSE_MISALIGNED_LOAD
    CHECK_TRAP_TVAL_REG \n, s1
.Ldone\@:
.endm

// Check n: `op a1, off(s0)` stores a1 so that the 8 bytes at s0 + (off & ~7) read back expected,
// or traps with cause 6 and mtval = s0 + off.
.macro MISALIGNED_STORE n, op, off, expected
    addi s1, s0, \off
    TRAP_ARM .Ltrap\@
    \op a1, \off(s0)
    TRAP_DISARM
    ld a0, (\off & ~7)(s0)
    CHECK \n, a0, \expected
    j .Ldone\@
.Ltrap\@:
    CHECK_TRAP \n, CAUSE_MISALIGNED_STORE
    CHECK_TRAP_TVAL_REG \n, s1
.Ldone\@:
.endm

TEST_BEGIN
    la s0, data                         // 00 11 22 33 44 55 66 77 88 99 AA BB CC DD EE FF
    MISALIGNED_LOAD 1, lh, 1, 0x2211
    MISALIGNED_LOAD 2, lhu, 7, 0x8877
    MISALIGNED_LOAD 3, lh, 7, 0xFFFFFFFFFFFF8877
    MISALIGNED_LOAD 4, lw, 1, 0x44332211
    MISALIGNED_LOAD 5, lw, 5, 0xFFFFFFFF88776655
    MISALIGNED_LOAD 6, lwu, 6, 0x99887766
    MISALIGNED_LOAD 7, ld, 1, 0x8877665544332211
    MISALIGNED_LOAD 8, ld, 7, 0xEEDDCCBBAA998877

    // Across a page boundary: page_end is the start of a page (see below).
    la s0, page_end - 4
    MISALIGNED_LOAD 9, ld, 1, 0x4433221100FFEEDD

    la s0, buffer
    li a1, 0x0123456789ABCDEF
    MISALIGNED_STORE 20, sh, 1, 0x0000000000CDEF00
    MISALIGNED_STORE 21, sw, 3, 0x0089ABCDEFCDEF00
    MISALIGNED_STORE 22, sd, 9, 0x23456789ABCDEF00
    ld a0, 16(s0)                       // the top byte of the SD above went to the next word
                                        // (or nowhere, if it trapped)
    beqz a0, 1f
    CHECK 23, a0, 0x01
1:
TEST_PASS

    .data
    .align 3
data:
    .dword 0x7766554433221100, 0xFFEEDDCCBBAA9988
buffer:
    .dword 0, 0, 0

    .align 12
    .space 4096 - 8
    .dword 0xFFEEDDCCBBAA9988           // the last 8 bytes of a page...
page_end:
    .dword 0x7766554433221100           // ...and the first 8 of the next
