// SFENCE.VMA (RISC-V privileged 1.12 §4.2.1): after the page tables change, an SFENCE.VMA, with
// rs1 = x0 (all addresses) or the virtual address concerned, and rs2 = x0 (all address spaces) or
// the ASID, makes later accesses use the new PTEs: a new target page, a removed mapping, added
// permissions, a superpage unmapped through a fence for another of its pages. It can be executed
// in S-mode and in M-mode. Layout: paging.h.
#include "paging.h"

#define LEAF(i) (l0 + 8 * (i))

#define RW (PTE_V | PTE_R | PTE_W | PTE_AD)
#define RO (PTE_V | PTE_R | PTE_AD)
#define MEGA 0x10400000

TEST_BEGIN
    SV39_LAYOUT root, l1, l0
    MAP 0, page_a, RW
    SET_SATP SATP_MODE_SV39, root

    // Warm up the translation of VA(0), then point it at page_b and fence that address in S-mode.
    li s0, VA(0)
    TRAP_ARM 1f
    ENTER_SMODE 2f
2:  ld a1, 0(s0)
    ld a1, 0(s0)
    ecall
1:  CHECK 1, a1, 0xAAAA
    MAP 0, page_b, RW
    TRAP_ARM 1f
    ENTER_SMODE 2f
2:  sfence.vma s0, zero
    ld a1, 0(s0)
    ecall
1:  CHECK_TRAP 2, CAUSE_SUPERVISOR_ECALL
    CHECK 3, a1, 0xBBBB

    // Back to page_a, with a global fence from M-mode.
    MAP 0, page_a, RW
    sfence.vma zero, zero
    OK 4, PRV_S, VA(0), ld a1, 0(s0)
    CHECK 5, a1, 0xAAAA

    // With the address and the ASID (0, the current one): warm up page_b first.
    MAP 0, page_b, RW
    TRAP_ARM 1f
    ENTER_SMODE 2f
2:  sfence.vma s0, zero
    ld a1, 0(s0)
    ecall
1:  CHECK 6, a1, 0xBBBB
    MAP 0, page_a, RW
    TRAP_ARM 1f
    ENTER_SMODE 2f
2:  li t0, 0
    sfence.vma s0, t0
    ld a1, 0(s0)
    ecall
1:  CHECK 7, a1, 0xAAAA

    // Removing the mapping: after the fence, the access faults.
    sd zero, LEAF(0), t0
    sfence.vma s0, zero
    FAULT 10, PRV_S, VA(0), CAUSE_LOAD_PAGE_FAULT, 0, ld a1, 0(s0)

    // Adding write permission: a store faults, then works after the PTE change and fence.
    MAP 0, page_a, RO
    sfence.vma
    FAULT 20, PRV_S, VA(0), CAUSE_STORE_PAGE_FAULT, 8, sd zero, 8(s0)
    MAP 0, page_a, RW
    sfence.vma s0
    OK 22, PRV_S, VA(0), sd zero, 8(s0)
    ld a0, page_a + 8
    CHECK 23, a0, 0

    // A megapage (l1[130], onto RAM_BASE): one leaf PTE maps all its pages, so a fence for one
    // of them also drops what was cached for the others.
    li a0, RAM_BASE
    SET_PTE l1, 130, a0, PTE_LEAF_RWX
    sfence.vma
    OK 30, PRV_S, MEGA + 0x3000, ld a1, 0(s0)
    sd zero, l1 + 8 * 130, t0
    li t1, MEGA + 0x5000
    sfence.vma t1, zero
    FAULT 31, PRV_S, MEGA + 0x3000, CAUSE_LOAD_PAGE_FAULT, 0, ld a1, 0(s0)
TEST_PASS

    .data
    .align 12
page_a: .dword 0xAAAA, 0x1111
    .align 12
page_b: .dword 0xBBBB, 0x2222

    .bss
    .align 12
root: .space 4096
l1:   .space 4096
l0:   .space 4096
