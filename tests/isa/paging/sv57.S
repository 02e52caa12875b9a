// Sv57 translation (RISC-V privileged 1.12 §4.6): five levels; besides 4 KiB pages and the 2 MiB,
// 1 GiB and 512 GiB superpages, a leaf at level 4 maps a 256 TiB petapage.
#include "vireo_test.h"

#define WINDOW    0x10000000            // root[0] -> l3[0] -> l2[0] -> l1[128] -> l0
#define TERAPAGE  0x8000000000          // l3[1]: 512 GiB onto physical address 0
#define PETAPAGE  0x1000000000000       // root[1]: 256 TiB onto physical address 0
#define RW        (PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
#define RO        (PTE_V | PTE_R | PTE_A)

TEST_BEGIN
    SET_PTE_TABLE root, 0, l3
    SET_PTE_TABLE l3, 0, l2
    li a0, RAM_BASE
    SET_PTE l2, 2, a0, PTE_LEAF_RWX                     // the code: VA = PA (gigapage)
    SET_PTE_TABLE l2, 0, l1
    SET_PTE_TABLE l1, 128, l0
    la a0, page_a
    SET_PTE l0, 0, a0, RW
    la a0, page_b
    SET_PTE l0, 7, a0, RW
    li a0, 0
    SET_PTE l3, 1, a0, RO
    SET_PTE root, 1, a0, RO
    SET_SATP SATP_MODE_SV57, root

    TRAP_ARM 1f
    ENTER_SMODE 2f
2:  li s0, WINDOW
    ld s2, 0x10(s0)
    li t0, WINDOW + 0x7000
    ld s3, 0x18(t0)
    la t0, marker
    li t2, TERAPAGE
    add t2, t2, t0
    ld s4, 0(t2)
    li t2, PETAPAGE
    add t2, t2, t0
    ld s5, 0(t2)
    li t0, 0x99
    sd t0, 0x28(s0)                     // and a store through a 4 KiB page
    ecall
1:  CHECK_TRAP 1, CAUSE_SUPERVISOR_ECALL
    CHECK 2, s2, 0xAAAA000000000010
    CHECK 3, s3, 0xBBBB000000000018
    CHECK 4, s4, 0x5757575757575757
    CHECK 5, s5, 0x5757575757575757
    ld a0, page_a + 0x28
    CHECK 6, a0, 0x99
TEST_PASS

    .data
    .align 12
page_a:
    .dword 0, 0, 0xAAAA000000000010, 0xAAAA000000000018, 0, 0
    .align 12
page_b:
    .dword 0, 0, 0xBBBB000000000010, 0xBBBB000000000018
    .align 3
marker: .dword 0x5757575757575757

    .bss
    .align 12
root: .space 4096
l3:   .space 4096
l2:   .space 4096
l1:   .space 4096
l0:   .space 4096
