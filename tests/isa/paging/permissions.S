// Page permissions under Sv39 (RISC-V privileged 1.12 §4.3.1, §4.3.2 steps 3-5): a load needs R,
// a store W, a fetch X, each in a leaf with V = 1; W without R is reserved; a non-leaf PTE at the
// last level and an invalid PTE fault. U-mode may only use U pages; S-mode may not use them at all
// here (SUM = 0; see sum_mxr.S). The faults are load (13), store/AMO (15) and instruction (12)
// page faults with mtval = the virtual address (§3.1.16), taken in M-mode (nothing delegated).
// Layout and helpers: paging.h.
#include "paging.h"

// Pages of the window (l0 entries) and what they map.
#define P_R       VA(0)                 // page_data, R
#define P_RW      VA(1)                 // page_data, RW
#define P_X       VA(2)                 // page_code, X only
#define P_RX      VA(3)                 // page_code, RX
#define P_URW     VA(4)                 // page_data, U RW
#define P_URX     VA(5)                 // page_code, U RX
#define P_W       VA(6)                 // page_data, W only: reserved
#define P_INVALID VA(7)                 // nothing
#define P_POINTER VA(8)                 // a non-leaf PTE at level 0
#define P_VOFF    VA(9)                 // R W X but V = 0

TEST_BEGIN
    SV39_LAYOUT root, l1, l0
    MAP 0, page_data, PTE_V | PTE_R | PTE_AD
    MAP 1, page_data, PTE_V | PTE_R | PTE_W | PTE_AD
    MAP 2, page_code, PTE_V | PTE_X | PTE_AD
    MAP 3, page_code, PTE_V | PTE_R | PTE_X | PTE_AD
    MAP 4, page_data, PTE_V | PTE_U | PTE_R | PTE_W | PTE_AD
    MAP 5, page_code, PTE_V | PTE_U | PTE_R | PTE_X | PTE_AD
    MAP 6, page_data, PTE_V | PTE_W | PTE_AD
    MAP 8, page_data, PTE_V
    MAP 9, page_data, PTE_R | PTE_W | PTE_X | PTE_AD
    SET_SATP SATP_MODE_SV39, root

    // S-mode, S pages.
    OK    1, PRV_S, P_R, ld a0, 0(s0)
    FAULT 2, PRV_S, P_R, CAUSE_STORE_PAGE_FAULT, 8, sd a0, 8(s0)
    FAULT 3, PRV_S, P_R, CAUSE_STORE_PAGE_FAULT, 0, amoadd.d a0, a0, (s0)
    OK    4, PRV_S, P_RW, sd a0, 8(s0)
    OK    5, PRV_S, P_RW, amoor.d a0, a0, (s0)
    FAULT 6, PRV_S, P_X, CAUSE_LOAD_PAGE_FAULT, 0x124, lw a0, 0x124(s0)
    OK    7, PRV_S, P_X, jalr zero, 0(s0)                // the ECALL in page_code
    FAULT 8, PRV_S, P_R, CAUSE_FETCH_PAGE_FAULT, 0, jalr zero, 0(s0)
    ld a0, vt_trap_epc                  // a fetch fault's mepc is the target itself
    CHECK_REG 12, a0, s0
    OK    9, PRV_S, P_RX, jalr zero, 0(s0)
    OK    10, PRV_S, P_RX, ld a0, 0(s0)
    FAULT 11, PRV_S, P_RX, CAUSE_STORE_PAGE_FAULT, 0, sb a0, 0(s0)

    // S-mode, U pages (SUM = 0): no access at all.
    FAULT 20, PRV_S, P_URW, CAUSE_LOAD_PAGE_FAULT, 0, ld a0, 0(s0)
    FAULT 21, PRV_S, P_URW, CAUSE_STORE_PAGE_FAULT, 0, sd a0, 0(s0)
    FAULT 22, PRV_S, P_URX, CAUSE_FETCH_PAGE_FAULT, 0, jalr zero, 0(s0)

    // U-mode (running from the U alias of RAM): U pages only.
    OK    30, PRV_U, P_URW, ld a0, 0(s0)
    OK    31, PRV_U, P_URW, sd a0, 0(s0)
    OK    32, PRV_U, P_URX, jalr zero, 0(s0)             // ECALL from U-mode there
    FAULT 33, PRV_U, P_RW, CAUSE_LOAD_PAGE_FAULT, 0, ld a0, 0(s0)
    FAULT 34, PRV_U, P_RW, CAUSE_STORE_PAGE_FAULT, 0, sd a0, 0(s0)
    FAULT 35, PRV_U, P_RX, CAUSE_FETCH_PAGE_FAULT, 0, jalr zero, 0(s0)
    FAULT 36, PRV_U, P_URX, CAUSE_STORE_PAGE_FAULT, 0, sw a0, 0(s0)

    // Reserved and invalid entries fault for every kind of access.
    FAULT 40, PRV_S, P_W, CAUSE_LOAD_PAGE_FAULT, 0, ld a0, 0(s0)
    FAULT 41, PRV_S, P_W, CAUSE_STORE_PAGE_FAULT, 0, sd a0, 0(s0)
    FAULT 42, PRV_S, P_INVALID, CAUSE_LOAD_PAGE_FAULT, 0, ld a0, 0(s0)
    FAULT 43, PRV_S, P_INVALID, CAUSE_STORE_PAGE_FAULT, 0, sd a0, 0(s0)
    FAULT 44, PRV_S, P_INVALID, CAUSE_FETCH_PAGE_FAULT, 0, jalr zero, 0(s0)
    FAULT 45, PRV_S, P_POINTER, CAUSE_LOAD_PAGE_FAULT, 0, ld a0, 0(s0)
    FAULT 46, PRV_S, P_VOFF, CAUSE_LOAD_PAGE_FAULT, 0, ld a0, 0(s0)
    FAULT 47, PRV_U, P_INVALID, CAUSE_LOAD_PAGE_FAULT, 0x7F8, ld a0, 0x7F8(s0)
TEST_PASS

    .section .text.pages, "ax", @progbits
    .balign 4096
page_code:
    ecall

    .data
    .align 12
page_data: .dword 1, 2, 3, 4

    .bss
    .align 12
root: .space 4096
l1:   .space 4096
l0:   .space 4096
