// Misaligned superpages (RISC-V privileged 1.12 §4.3.2 step 6): a leaf above level 0 whose low PPN
// fields are not zero is a misaligned superpage, and using it raises a page fault of the access
// type, in Sv39 and Sv48 alike. An aligned superpage next to it works. Layout: paging.h.
#include "paging.h"

#define MEGA_ALIGNED    0x10400000      // l1[130]: 2 MiB onto RAM_BASE
#define MEGA_MISALIGNED 0x10600000      // l1[131]: onto RAM_BASE + 4 KiB
#define GIGA_MISALIGNED 0x140000000     // root[5]: onto RAM_BASE + 2 MiB
#define TERA_MISALIGNED 0x8000000000    // Sv48 root[1]: 512 GiB onto 1 GiB

TEST_BEGIN
    SV39_LAYOUT root, l1, l0
    li a0, RAM_BASE
    SET_PTE l1, 130, a0, PTE_LEAF_RWX
    li a0, RAM_BASE + 0x1000
    SET_PTE l1, 131, a0, PTE_LEAF_RWX
    li a0, RAM_BASE + 0x200000
    SET_PTE root, 5, a0, PTE_LEAF_RWX
    SET_SATP SATP_MODE_SV39, root

    OK    1, PRV_S, MEGA_ALIGNED, ld a0, 0(s0)
    FAULT 2, PRV_S, MEGA_MISALIGNED, CAUSE_LOAD_PAGE_FAULT, 0, ld a0, 0(s0)
    FAULT 3, PRV_S, MEGA_MISALIGNED, CAUSE_STORE_PAGE_FAULT, 0x10, sd a0, 0x10(s0)
    FAULT 4, PRV_S, MEGA_MISALIGNED, CAUSE_FETCH_PAGE_FAULT, 0, jalr zero, 0(s0)
    FAULT 5, PRV_S, GIGA_MISALIGNED, CAUSE_LOAD_PAGE_FAULT, 0, ld a0, 0(s0)
    FAULT 6, PRV_S, GIGA_MISALIGNED, CAUSE_STORE_PAGE_FAULT, 0, sw a0, 0(s0)

    // Sv48: a terapage whose PPN[2] is not zero.
    SET_PTE_TABLE r48, 0, l48
    li a0, RAM_BASE
    SET_PTE l48, 2, a0, PTE_LEAF_RWX
    li a0, 0x40000000
    SET_PTE r48, 1, a0, PTE_LEAF_RWX
    SET_SATP SATP_MODE_SV48, r48
    FAULT 10, PRV_S, TERA_MISALIGNED + RAM_BASE, CAUSE_LOAD_PAGE_FAULT, 0, ld a0, 0(s0)
    li a0, 0
    SET_PTE r48, 1, a0, PTE_LEAF_RWX    // aligned: physical 0, so RAM is at + RAM_BASE
    sfence.vma
    OK    11, PRV_S, TERA_MISALIGNED + RAM_BASE, ld a0, 0(s0)
    csrw satp, zero
TEST_PASS

    .bss
    .align 12
root: .space 4096
l1:   .space 4096
l0:   .space 4096
r48:  .space 4096
l48:  .space 4096
