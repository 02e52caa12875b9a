// The Zicsr instructions CSRRW, CSRRS, CSRRC, CSRRWI, CSRRSI, CSRRCI (RISC-V unprivileged 20191213
// §9.1): each atomically reads the old value of the CSR into rd and writes rs1 (W), old | rs1 (S)
// or old & ~rs1 (C); the I forms use a 5-bit zero-extended immediate instead of rs1.
// mscratch and sscratch are plain read/write registers (privileged 1.12 §3.1.14, §4.1.6).
#include "vireo_test.h"

TEST_BEGIN
    li a1, 0x0123456789ABCDEF
    csrw mscratch, a1
    li a2, 0xFFFFFFFF00000000
    csrrw a0, mscratch, a2              // swap
    CHECK 1, a0, 0x0123456789ABCDEF
    CHECK_CSR 2, mscratch, 0xFFFFFFFF00000000

    li a2, 0xF0
    csrrs a0, mscratch, a2              // set bits
    CHECK 3, a0, 0xFFFFFFFF00000000
    CHECK_CSR 4, mscratch, 0xFFFFFFFF000000F0
    li a2, 0xFFFF000000000030
    csrrc a0, mscratch, a2              // clear bits
    CHECK 5, a0, 0xFFFFFFFF000000F0
    CHECK_CSR 6, mscratch, 0x0000FFFF000000C0

    // Immediate forms: zimm is 5 bits, zero-extended.
    csrrwi a0, mscratch, 31
    CHECK 10, a0, 0x0000FFFF000000C0
    CHECK_CSR 11, mscratch, 31
    csrrci a0, mscratch, 0x11
    CHECK 12, a0, 31
    CHECK_CSR 13, mscratch, 0x0E
    csrrsi a0, mscratch, 0x10
    CHECK 14, a0, 0x0E
    CHECK_CSR 15, mscratch, 0x1E
    csrrwi a0, mscratch, 0
    CHECK_CSR 16, mscratch, 0

    // rd == rs1: the old value is read before rs1 is used... and written after.
    li a0, 0x55
    csrw mscratch, a0
    li a0, 0xAA
    csrrw a0, mscratch, a0
    CHECK 20, a0, 0x55
    CHECK_CSR 21, mscratch, 0xAA
    li a0, 0x0F
    csrrs a0, mscratch, a0
    CHECK 22, a0, 0xAA
    CHECK_CSR 23, mscratch, 0xAF

    // The pseudo-instructions: csrr, csrw, csrs, csrc, csrwi, csrsi, csrci (rd = x0 forms).
    li a0, 0x1000
    csrw sscratch, a0
    csrr a1, sscratch
    CHECK 30, a1, 0x1000
    li a0, 0x0101
    csrs sscratch, a0
    CHECK_CSR 31, sscratch, 0x1101
    li a0, 0x1001
    csrc sscratch, a0
    CHECK_CSR 32, sscratch, 0x0100
    csrwi sscratch, 7
    csrsi sscratch, 8
    csrci sscratch, 1
    CHECK_CSR 33, sscratch, 0xE
    csrw mscratch, zero
    csrw sscratch, zero
TEST_PASS
