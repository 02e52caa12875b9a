// SUM and MXR (RISC-V privileged 1.12 §4.1.1.2, §3.1.6.3): with sstatus.SUM = 1 S-mode may load
// and store to U pages, but never execute them; with MXR = 1 loads may also read pages that are
// executable but not readable, in S- and U-mode (stores still need W). Layout: paging.h.
#include "paging.h"

#define P_URW VA(0)                     // page_data, U RW
#define P_URX VA(1)                     // page_code, U RX
#define P_X   VA(2)                     // page_code, X only
#define P_UX  VA(3)                     // page_code, U X only

TEST_BEGIN
    SV39_LAYOUT root, l1, l0
    MAP 0, page_data, PTE_V | PTE_U | PTE_R | PTE_W | PTE_AD
    MAP 1, page_code, PTE_V | PTE_U | PTE_R | PTE_X | PTE_AD
    MAP 2, page_code, PTE_V | PTE_X | PTE_AD
    MAP 3, page_code, PTE_V | PTE_U | PTE_X | PTE_AD
    SET_SATP SATP_MODE_SV39, root

    // SUM = 0, then 1.
    FAULT 1, PRV_S, P_URW, CAUSE_LOAD_PAGE_FAULT, 0, ld a0, 0(s0)
    li t0, MSTATUS_SUM
    csrs mstatus, t0
    OK    2, PRV_S, P_URW, ld a0, 0(s0)
    OK    3, PRV_S, P_URW, sd a0, 8(s0)
    OK    4, PRV_S, P_URW, amoswap.d a0, a0, (s0)
    OK    5, PRV_S, P_URX, ld a0, 0(s0)
    FAULT 6, PRV_S, P_URX, CAUSE_FETCH_PAGE_FAULT, 0, jalr zero, 0(s0)   // never executable
    FAULT 7, PRV_S, P_URX, CAUSE_STORE_PAGE_FAULT, 0, sd a0, 0(s0)       // still needs W
    // S-mode can set SUM itself, through sstatus.
    li t0, MSTATUS_SUM
    csrc mstatus, t0
    li s0, P_URW
    TRAP_ARM 1f
    ENTER_SMODE 2f
2:  li t0, SSTATUS_SUM
    csrs sstatus, t0
    ld a0, 0(s0)
    ecall
1:  CHECK_TRAP 8, CAUSE_SUPERVISOR_ECALL
    CHECK_CSR_MASKED 9, mstatus, MSTATUS_SUM, MSTATUS_SUM
    li t0, MSTATUS_SUM
    csrc mstatus, t0
    // Clearing SUM takes back what it granted, also for pages S-mode reached a moment ago.
    FAULT 10, PRV_S, P_URW, CAUSE_LOAD_PAGE_FAULT, 0, ld a0, 0(s0)
    FAULT 11, PRV_S, P_URW, CAUSE_STORE_PAGE_FAULT, 0, sd a0, 0(s0)

    // MXR = 0, then 1.
    FAULT 20, PRV_S, P_X, CAUSE_LOAD_PAGE_FAULT, 0, ld a0, 0(s0)
    FAULT 21, PRV_U, P_UX, CAUSE_LOAD_PAGE_FAULT, 0, ld a0, 0(s0)
    li t0, MSTATUS_MXR
    csrs mstatus, t0
    OK    22, PRV_S, P_X, lw a0, 0(s0)
    CHECK 23, a0, 0x00000073            // the ECALL's encoding, read through an X-only page
    OK    24, PRV_U, P_UX, lw a0, 0(s0)
    FAULT 25, PRV_S, P_X, CAUSE_STORE_PAGE_FAULT, 0, sw a0, 0(s0)
    FAULT 26, PRV_U, P_X, CAUSE_LOAD_PAGE_FAULT, 0, ld a0, 0(s0)         // not a U page
    li t0, MSTATUS_MXR
    csrc mstatus, t0
    // Clearing MXR takes back the loads it allowed, in both modes.
    FAULT 27, PRV_S, P_X, CAUSE_LOAD_PAGE_FAULT, 0, lw a0, 0(s0)
    FAULT 28, PRV_U, P_UX, CAUSE_LOAD_PAGE_FAULT, 0, lw a0, 0(s0)
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
