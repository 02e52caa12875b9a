// Non-canonical virtual addresses (RISC-V privileged 1.12 §4.4.1, §4.5.1, §4.6.1): under Sv39,
// Sv48 and Sv57, bits 63:39, 63:48 and 63:57 of an address must all equal bit 38, 47 or 56
// respectively, or a load, store or fetch raises a page fault (mtval = the address), even though
// the low bits alone would select a valid mapping. Sign-extended ("negative") addresses are fine.
#include "vireo_test.h"

// Check n: with s0 = the address, insn faults with cause and mtval = s0, in S-mode.
.macro NONCANONICAL n, address, cause, insn:vararg
    li s0, \address
    add s0, s0, s2                      // s2: offset of page_data in RAM
    EXPECT_TRAP_IN_MODE \n, PRV_S, \cause, \insn
    CHECK_TRAP_TVAL_REG \n, s0
.endm

TEST_BEGIN
    la s2, page_data
    li t0, RAM_BASE
    sub s2, s2, t0

    // Sv39: VA = PA for the code, VA 0 and VA -1 GiB map RAM too.
    li a0, RAM_BASE
    SET_PTE r39, 2, a0, PTE_LEAF_RWX
    SET_PTE r39, 0, a0, PTE_LEAF_RWX
    SET_PTE r39, 511, a0, PTE_LEAF_RWX
    SET_SATP SATP_MODE_SV39, r39
    li s0, 0
    add s0, s0, s2
    EXPECT_OK_IN_MODE 1, PRV_S, ld a0, 0(s0)            // low canonical: page_data
    CHECK 2, a0, 0xDA7A
    li s0, 0xFFFFFFFFC0000000
    add s0, s0, s2
    EXPECT_OK_IN_MODE 3, PRV_S, ld a0, 0(s0)            // high canonical
    CHECK 4, a0, 0xDA7A
    NONCANONICAL 5, 0x0000008000000000, CAUSE_LOAD_PAGE_FAULT, ld a0, 0(s0)
    NONCANONICAL 6, 0xFFFFFF8000000000, CAUSE_LOAD_PAGE_FAULT, ld a0, 0(s0)
    NONCANONICAL 7, 0x4000000000000000, CAUSE_STORE_PAGE_FAULT, sd a0, 0(s0)
    NONCANONICAL 8, 0x0000008000000000, CAUSE_FETCH_PAGE_FAULT, jalr zero, 0(s0)

    // Sv48: VA = PA for the code and VA 0 -> RAM, through a level-2 table.
    SET_PTE_TABLE r48, 0, l48
    li a0, RAM_BASE
    SET_PTE l48, 2, a0, PTE_LEAF_RWX
    SET_PTE l48, 0, a0, PTE_LEAF_RWX
    SET_SATP SATP_MODE_SV48, r48
    li s0, 0
    add s0, s0, s2
    EXPECT_OK_IN_MODE 10, PRV_S, ld a0, 0(s0)
    NONCANONICAL 11, 0x0001000000000000, CAUSE_LOAD_PAGE_FAULT, ld a0, 0(s0)
    NONCANONICAL 12, 0x8000000000000000, CAUSE_STORE_PAGE_FAULT, sd a0, 0(s0)
    NONCANONICAL 13, 0x0000800000000000, CAUSE_FETCH_PAGE_FAULT, jalr zero, 0(s0)   // bit 47

    // Sv57: the same with two intermediate tables.
    SET_PTE_TABLE r57, 0, l57a
    SET_PTE_TABLE l57a, 0, l57b
    li a0, RAM_BASE
    SET_PTE l57b, 2, a0, PTE_LEAF_RWX
    SET_PTE l57b, 0, a0, PTE_LEAF_RWX
    SET_SATP SATP_MODE_SV57, r57
    li s0, 0
    add s0, s0, s2
    EXPECT_OK_IN_MODE 20, PRV_S, ld a0, 0(s0)
    NONCANONICAL 21, 0x0200000000000000, CAUSE_LOAD_PAGE_FAULT, ld a0, 0(s0)
    NONCANONICAL 22, 0x0100000000000000, CAUSE_STORE_PAGE_FAULT, sd a0, 0(s0)   // bit 56
    NONCANONICAL 23, 0x8000000000000000, CAUSE_FETCH_PAGE_FAULT, jalr zero, 0(s0)
    csrw satp, zero
TEST_PASS

    .data
    .align 12
page_data: .dword 0xDA7A

    .bss
    .align 12
r39:  .space 4096
r48:  .space 4096
l48:  .space 4096
r57:  .space 4096
l57a: .space 4096
l57b: .space 4096
