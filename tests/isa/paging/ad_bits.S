// Hardware A/D updates (RISC-V privileged 1.12 §4.3.1, §4.3.2 step 7; Vireo implements no Svade):
// an access through a leaf with A = 0 sets A, a store through one with D = 0 sets D (and A), a
// load or fetch never sets D, and nothing is updated when the access faults. The A/D bits of
// non-leaf PTEs are reserved and left alone. After clearing A/D in memory, SFENCE.VMA makes the
// hart look at the PTE again. Layout: paging.h.
#include "paging.h"

#define LEAF(i) (l0 + 8 * (i))
#define AD_MASK (PTE_A | PTE_D)

// Check n: the A and D bits of l0[index] are expected.
.macro CHECK_AD n, index, expected
    ld a0, LEAF(\index)
    andi a0, a0, AD_MASK
    CHECK \n, a0, \expected
.endm

TEST_BEGIN
    SV39_LAYOUT root, l1, l0
    MAP 0, page_data, PTE_V | PTE_R | PTE_W                // A = D = 0
    MAP 1, page_data, PTE_V | PTE_R | PTE_W | PTE_A        // D = 0
    MAP 2, page_code, PTE_V | PTE_R | PTE_X                // A = 0, executable
    MAP 3, page_data, PTE_V | PTE_R                        // read-only, A = 0
    MAP 4, page_data, PTE_V | PTE_U | PTE_R | PTE_W        // for U-mode
    SET_SATP SATP_MODE_SV39, root
    ld s10, root                        // the non-leaf PTEs, to compare at the end
    ld s11, l1 + 8 * 128

    OK 1, PRV_S, VA(0), ld a0, 0(s0)
    CHECK_AD 2, 0, PTE_A
    OK 3, PRV_S, VA(0), sd a0, 0(s0)
    CHECK_AD 4, 0, PTE_A | PTE_D
    OK 5, PRV_S, VA(1), sw a0, 4(s0)
    CHECK_AD 6, 1, PTE_A | PTE_D
    OK 7, PRV_S, VA(2), jalr zero, 0(s0)           // fetch: A only
    CHECK_AD 8, 2, PTE_A
    OK 9, PRV_S, VA(2), ld a0, 0(s0)
    CHECK_AD 10, 2, PTE_A

    // A faulting store changes nothing, not even A.
    FAULT 20, PRV_S, VA(3), CAUSE_STORE_PAGE_FAULT, 0, sd a0, 0(s0)
    CHECK_AD 21, 3, 0

    // An AMO is a store.
    OK 22, PRV_U, VA(4), amoadd.w a0, a0, (s0)
    CHECK_AD 23, 4, PTE_A | PTE_D

    // Clear A and D again: after SFENCE.VMA, the next load sets A (and only A) again.
    ld a0, LEAF(0)
    andi a0, a0, ~AD_MASK
    sd a0, LEAF(0), t0
    sfence.vma
    OK 30, PRV_S, VA(0), ld a0, 0(s0)
    CHECK_AD 31, 0, PTE_A

    // The non-leaf PTEs were not touched.
    ld a0, root
    CHECK_REG 40, a0, s10
    ld a0, l1 + 8 * 128
    CHECK_REG 41, a0, s11
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
