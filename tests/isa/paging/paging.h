// Shared layout and helpers of the paging tests (tests/isa/paging/*.S), on top of vireo_test.h.
//
// The common Sv39 layout (SV39_LAYOUT): RAM is mapped twice by gigapages, at its own address for
// S-mode (root[2]: VA = PA, not U) and at RAM + U_ALIAS for U-mode (root[3], U), so that the test
// code runs in either mode; and a window of 4 KiB pages at WINDOW (root[0] -> l1[128] -> l0), page
// i at VA(i), which each test fills with MAP. Nothing is delegated: page faults go to M-mode, where
// vt_trap_frame records them.
#ifndef VIREO_PAGING_H
#define VIREO_PAGING_H

#include "vireo_test.h"

#define WINDOW    0x10000000
#define VA(i)     (WINDOW + (i) * 0x1000)
#define U_ALIAS   0x40000000
#define PTE_AD    (PTE_A | PTE_D)

// Builds the common Sv39 layout in the page tables root, l1 and l0 (without enabling it).
.macro SV39_LAYOUT root, l1, l0
    li a0, RAM_BASE
    SET_PTE \root, 2, a0, PTE_LEAF_RWX
    SET_PTE \root, 3, a0, PTE_LEAF_RWX | PTE_U
    SET_PTE_TABLE \root, 0, \l1
    SET_PTE_TABLE \l1, 128, \l0
.endm

// l0[index] = a leaf for the page at symbol page, with flags. Clobbers a0.
.macro MAP index, page, flags
    la a0, \page
    SET_PTE l0, \index, a0, \flags
.endm

// Enters mode (PRV_S or PRV_U) at label, through the mapping that mode can execute.
.macro ENTER_LOWER mode, label
    .if (\mode) == PRV_U
    ENTER_UMODE \label, U_ALIAS
    .else
    ENTER_SMODE \label
    .endif
.endm

// Check n: in mode, with s0 = va, insn faults into M-mode with cause and mtval = s0 + off.
.macro FAULT n, mode, va, cause, off, insn:vararg
    li s0, \va
    TRAP_ARM .Lresume\@
    ENTER_LOWER \mode, .Llower\@
.Llower\@:
    \insn
    ecall
.Lresume\@:
    CHECK_TRAP \n, \cause
    addi s1, s0, \off
    CHECK_TRAP_TVAL_REG \n, s1
.endm

// Check n: in mode, with s0 = va, insn completes; the ECALL after it (or, for a jump to a page
// holding an ECALL, that one) brings execution back to M-mode.
.macro OK n, mode, va, insn:vararg
    li s0, \va
    TRAP_ARM .Lresume\@
    ENTER_LOWER \mode, .Llower\@
.Llower\@:
    \insn
    ecall
.Lresume\@:
    .if (\mode) == PRV_U
    CHECK_TRAP \n, CAUSE_USER_ECALL
    .else
    CHECK_TRAP \n, CAUSE_SUPERVISOR_ECALL
    .endif
.endm

#endif // VIREO_PAGING_H
