// Page faults delegated to S-mode (RISC-V privileged 1.12 §3.1.8, §4.1.9, §4.1.7): with medeleg
// bits 12, 13 and 15 set, page faults from S- and U-mode are taken in S-mode with scause = the
// cause, sepc = the faulting instruction (or fetch address) and stval = the faulting virtual
// address; M-mode sees nothing. The S-mode handler is vt_strap_entry, reachable through the
// identity mapping. Layout: paging.h.
#include "paging.h"

// Check n: in mode, with s0 = va, insn faults into S-mode with cause and stval = s0 + off; the
// handler resumes in S-mode, whose ECALL returns to M-mode.
.macro S_FAULT n, mode, va, cause, off, insn:vararg
    li s0, \va
    ld s9, vt_trap_count
    TRAP_ARM .Lm\@
    STRAP_ARM .Ls\@
    ENTER_LOWER \mode, .Llower\@
.Llower\@:
    \insn
    FAIL \n
.Ls\@:
    ecall
.Lm\@:
    CHECK_TRAP \n, CAUSE_SUPERVISOR_ECALL
    ld a0, vt_trap_count
    addi s9, s9, 1
    CHECK_REG \n, a0, s9                // M-mode took only that ECALL
    CHECK_STRAP \n, \cause
    addi s1, s0, \off
    CHECK_STRAP_TVAL_REG \n, s1
.endm

#define PAGE_FAULTS ((1 << CAUSE_FETCH_PAGE_FAULT) | (1 << CAUSE_LOAD_PAGE_FAULT) | \
                     (1 << CAUSE_STORE_PAGE_FAULT))

TEST_BEGIN
    SV39_LAYOUT root, l1, l0
    MAP 0, page_data, PTE_V | PTE_R | PTE_AD                // read-only
    MAP 1, page_data, PTE_V | PTE_U | PTE_R | PTE_W | PTE_AD
    SET_SATP SATP_MODE_SV39, root
    li t0, PAGE_FAULTS
    csrw medeleg, t0
    la t0, vt_strap_entry
    csrw stvec, t0

    S_FAULT 1, PRV_S, VA(0), CAUSE_STORE_PAGE_FAULT, 0x10, sd a0, 0x10(s0)
    ld a0, vt_strap_status
    andi a0, a0, MSTATUS_SPP
    CHECK 2, a0, MSTATUS_SPP
    S_FAULT 3, PRV_S, VA(2), CAUSE_LOAD_PAGE_FAULT, 0, lw a0, 0(s0)
    S_FAULT 4, PRV_S, VA(3), CAUSE_FETCH_PAGE_FAULT, 0, jalr zero, 0(s0)
    ld a0, vt_strap_epc                 // a fetch fault's sepc is the target
    CHECK_REG 5, a0, s0
    S_FAULT 6, PRV_S, VA(1), CAUSE_LOAD_PAGE_FAULT, 8, ld a0, 8(s0)     // U page, SUM = 0

    // From U-mode (whose code runs at the U alias, so sepc is an alias address).
    S_FAULT 10, PRV_U, VA(0), CAUSE_LOAD_PAGE_FAULT, 0, ld a0, 0(s0)
    ld a0, vt_strap_status
    andi a0, a0, MSTATUS_SPP
    CHECK 11, a0, 0
    S_FAULT 12, PRV_U, VA(5), CAUSE_STORE_PAGE_FAULT, 0x7FF, sb a0, 0x7FF(s0)
    li s0, VA(1)
    TRAP_ARM 1f
    STRAP_ARM 3f
    ENTER_UMODE 2f, U_ALIAS
2:  jalr zero, 0x100(s0)                // U RW page, not executable
    FAIL 13
3:  ecall
1:  CHECK_STRAP 14, CAUSE_FETCH_PAGE_FAULT
    addi s1, s0, 0x100
    CHECK_STRAP_TVAL_REG 15, s1
    ld a0, vt_strap_epc
    CHECK_REG 16, a0, s1
    csrw medeleg, zero
    csrw satp, zero
TEST_PASS

    .data
    .align 12
page_data: .dword 0

    .bss
    .align 12
root: .space 4096
l1:   .space 4096
l0:   .space 4096
