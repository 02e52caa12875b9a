// Sv48 translation (RISC-V privileged 1.12 §4.5): four levels; besides 4 KiB pages, 2 MiB and
// 1 GiB superpages, a leaf at level 3 maps a 512 GiB terapage.
#include "vireo_test.h"

#define WINDOW    0x10000000            // root[0] -> l2[0] -> l1[128] -> l0
#define MEGAPAGE  0x10200000            // l1[129], onto RAM_BASE
#define TERAPAGE  0x8000000000          // root[1]: 512 GiB onto physical address 0
#define RW        (PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
#define RO        (PTE_V | PTE_R | PTE_A)

TEST_BEGIN
    SET_PTE_TABLE root, 0, l2
    li a0, RAM_BASE
    SET_PTE l2, 2, a0, PTE_LEAF_RWX                     // the code: VA = PA (gigapage)
    SET_PTE_TABLE l2, 0, l1
    SET_PTE_TABLE l1, 128, l0
    la a0, page_a
    SET_PTE l0, 0, a0, RW
    la a0, page_b
    SET_PTE l0, 3, a0, RW
    li a0, RAM_BASE
    SET_PTE l1, 129, a0, RO
    li a0, 0
    SET_PTE root, 1, a0, RO
    SET_SATP SATP_MODE_SV48, root

    TRAP_ARM 1f
    ENTER_SMODE 2f
2:  li s0, WINDOW
    ld s2, 0x10(s0)
    li t0, WINDOW + 0x3000
    ld s3, 0x18(t0)
    la t0, marker
    li t1, RAM_BASE
    sub t1, t0, t1
    li t2, MEGAPAGE
    add t2, t2, t1
    ld s4, 0(t2)
    li t2, TERAPAGE                     // physical address 0 is at TERAPAGE, so marker is at
    add t2, t2, t0                      // TERAPAGE + its physical address
    ld s5, 0(t2)
    ecall
1:  CHECK_TRAP 1, CAUSE_SUPERVISOR_ECALL
    CHECK 2, s2, 0xAAAA000000000010
    CHECK 3, s3, 0xBBBB000000000018
    CHECK 4, s4, 0x4848484848484848
    CHECK 5, s5, 0x4848484848484848
TEST_PASS

    .data
    .align 12
page_a:
    .dword 0, 0, 0xAAAA000000000010, 0xAAAA000000000018
    .align 12
page_b:
    .dword 0, 0, 0xBBBB000000000010, 0xBBBB000000000018
    .align 3
marker: .dword 0x4848484848484848

    .bss
    .align 12
root: .space 4096
l2:   .space 4096
l1:   .space 4096
l0:   .space 4096
