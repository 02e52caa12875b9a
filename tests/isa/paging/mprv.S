// Modify PRiVilege (RISC-V privileged 1.12 §3.1.6.3): with mstatus.MPRV = 1, M-mode loads and
// stores are translated and checked as if the hart were in mode MPP (with SUM and MXR applying as
// for that mode); instruction fetches are not affected; MPP = M means no translation.
// Layout: paging.h.
#include "paging.h"

#define P_S  VA(0)                      // page_data, S RW
#define P_U  VA(1)                      // page_data, U RW
#define P_X  VA(2)                      // page_data, S X only

// MPRV = 1 with MPP = mode. The code after it still runs from physical addresses.
.macro MPRV_ON mode
    li t0, MSTATUS_MPP
    csrc mstatus, t0
    li t0, MSTATUS_MPRV | ((\mode) << 11)
    csrs mstatus, t0
.endm

.macro MPRV_OFF
    li t0, MSTATUS_MPRV
    csrc mstatus, t0
.endm

// Check n: with MPRV = 1 and MPP = mode, `ld a1, 0(s0)` with s0 = va loads expected.
.macro MPRV_LOAD n, mode, va, expected
    li s0, \va
    li a1, 0
    TRAP_ARM .Lfault\@
    MPRV_ON \mode
    ld a1, 0(s0)
    MPRV_OFF
    TRAP_DISARM
    CHECK \n, a1, \expected
    j .Ldone\@
.Lfault\@:
    FAIL \n
.Ldone\@:
.endm

// Check n: with MPRV = 1 and MPP = mode, `ld a1, 0(s0)` with s0 = va traps with cause, mtval = s0.
// (The handler resumes with MPRV = 0.)
.macro MPRV_FAULT n, mode, va, cause
    li s0, \va
    TRAP_ARM .Lfault\@
    MPRV_ON \mode
    ld a1, 0(s0)
    MPRV_OFF
    FAIL \n
.Lfault\@:
    CHECK_TRAP \n, \cause
    CHECK_TRAP_TVAL_REG \n, s0
.endm

TEST_BEGIN
    SV39_LAYOUT root, l1, l0
    MAP 0, page_data, PTE_V | PTE_R | PTE_W | PTE_AD
    MAP 1, page_data, PTE_V | PTE_U | PTE_R | PTE_W | PTE_AD
    MAP 2, page_data, PTE_V | PTE_X | PTE_AD
    SET_SATP SATP_MODE_SV39, root

    // MPP = S: translated with S-mode permissions.
    MPRV_LOAD 1, PRV_S, P_S, 0x1234
    MPRV_FAULT 2, PRV_S, P_U, CAUSE_LOAD_PAGE_FAULT              // SUM = 0
    MPRV_FAULT 3, PRV_S, P_X, CAUSE_LOAD_PAGE_FAULT              // MXR = 0
    MPRV_FAULT 4, PRV_S, VA(3), CAUSE_LOAD_PAGE_FAULT            // unmapped
    // Stores too.
    li s0, P_S
    li a2, 0x5678
    MPRV_ON PRV_S
    sd a2, 8(s0)
    MPRV_OFF
    ld a0, page_data + 8
    CHECK 5, a0, 0x5678

    // SUM and MXR apply.
    li t0, MSTATUS_SUM | MSTATUS_MXR
    csrs mstatus, t0
    MPRV_LOAD 10, PRV_S, P_U, 0x1234
    MPRV_LOAD 11, PRV_S, P_X, 0x1234
    li t0, MSTATUS_SUM | MSTATUS_MXR
    csrc mstatus, t0

    // MPP = U: U-mode permissions. The instructions between MPRV_ON and the load are fetched from
    // physical addresses that are not U pages, so fetches are clearly not translated.
    MPRV_LOAD 20, PRV_U, P_U, 0x1234
    MPRV_FAULT 21, PRV_U, P_S, CAUSE_LOAD_PAGE_FAULT
    li s0, P_S
    TRAP_ARM 1f
    MPRV_ON PRV_U
    sd a2, 0(s0)
    MPRV_OFF
    FAIL 22
1:  CHECK_TRAP 23, CAUSE_STORE_PAGE_FAULT
    CHECK_TRAP_TVAL_REG 24, s0

    // MPP = M: physical. WINDOW is not memory, so the load is an access fault.
    MPRV_FAULT 30, PRV_M, P_S, CAUSE_LOAD_ACCESS
    csrw satp, zero
TEST_PASS

    .data
    .align 12
page_data: .dword 0x1234, 0

    .bss
    .align 12
root: .space 4096
l1:   .space 4096
l0:   .space 4096
