// Sv39 translation (RISC-V privileged 1.12 §4.4, with the walk of §4.3.2): a three-level walk from
// satp.PPN with 9-bit VPN fields; a leaf at level 0 maps a 4 KiB page, at level 1 a 2 MiB
// megapage, at level 2 a 1 GiB gigapage, and the page offset (12, 21 or 30 bits) passes through.
// Two virtual pages may map the same physical page. Everything runs in S-mode; the code itself is
// identity-mapped by a gigapage.
#include "vireo_test.h"

#define WINDOW    0x10000000            // 4 KiB pages: root[0] -> l1[128] -> l0
#define MEGAPAGE  0x10200000            // l1[129]: 2 MiB, onto RAM_BASE
#define GIGAPAGE  0x100000000           // root[4]: 1 GiB, onto RAM_BASE
#define RW        (PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
#define RO        (PTE_V | PTE_R | PTE_A)

TEST_BEGIN
    li a0, RAM_BASE
    SET_PTE root, 2, a0, PTE_LEAF_RWX                   // the code: VA = PA
    SET_PTE_TABLE root, 0, l1
    SET_PTE_TABLE l1, 128, l0
    la a0, page_a
    SET_PTE l0, 0, a0, RW                               // WINDOW + 0x0000 -> page_a
    la a0, page_b
    SET_PTE l0, 1, a0, RW                               // WINDOW + 0x1000 -> page_b
    la a0, page_a
    SET_PTE l0, 511, a0, RW                             // WINDOW + 0x1FF000 -> page_a again
    li a0, RAM_BASE
    SET_PTE l1, 129, a0, RO
    SET_PTE root, 4, a0, RO
    SET_SATP SATP_MODE_SV39, root

    TRAP_ARM 1f
    ENTER_SMODE 2f
2:  li s0, WINDOW
    ld s2, 0x10(s0)
    li t0, WINDOW + 0x1000
    ld s3, 0x18(t0)
    li t0, 0x1FF000
    add s1, s0, t0
    ld s4, 0x10(s1)
    // Offsets into the superpages: where `marker` is, relative to RAM_BASE.
    la t0, marker
    li t1, RAM_BASE
    sub t0, t0, t1
    li t1, MEGAPAGE
    add t1, t1, t0
    ld s5, 0(t1)
    li t1, GIGAPAGE
    add t1, t1, t0
    ld s6, 0(t1)
    // A store through one alias is seen through the other.
    li t0, 0x77
    sd t0, 0x20(s1)
    ld s7, 0x20(s0)
    ecall
1:  CHECK_TRAP 1, CAUSE_SUPERVISOR_ECALL
    CHECK 2, s2, 0xAAAA000000000010
    CHECK 3, s3, 0xBBBB000000000018
    CHECK 4, s4, 0xAAAA000000000010
    CHECK 5, s5, 0x5151515151515151
    CHECK 6, s6, 0x5151515151515151
    CHECK 7, s7, 0x77
    ld a0, page_a + 0x20                // and it went to the physical page
    CHECK 8, a0, 0x77
TEST_PASS

    .data
    .align 12
page_a:
    .dword 0, 0, 0xAAAA000000000010, 0xAAAA000000000018, 0
    .align 12
page_b:
    .dword 0, 0, 0xBBBB000000000010, 0xBBBB000000000018
    .align 3
marker: .dword 0x5151515151515151

    .bss
    .align 12
root: .space 4096
l1:   .space 4096
l0:   .space 4096
