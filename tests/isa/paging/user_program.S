// A U-mode program under S-mode paging, run the way an operating system runs one (RISC-V
// privileged 1.12 §4.1, §4.3-4.4). M-mode delegates ECALLs from U-mode and page faults to S-mode
// and starts a tiny S-mode kernel, which (with satp = 0, so physically) builds its own Sv39 tables:
// itself identity-mapped for S-mode only, the program's code at USER_CODE (U, RX) and data at
// USER_DATA (U, RW, A = D = 0); USER_HEAP is left unmapped. It then sets stvec and satp and SRETs
// to the program, which computes, makes system calls, touches the heap (the kernel maps a page
// there on the page fault and returns to the faulting store, which then completes), and exits.
// The kernel reports back to M-mode with an ECALL and M-mode checks what happened.
#include "vireo_test.h"

#define USER_CODE 0x400000              // l0[0] of the l1[2] table
#define USER_DATA 0x401000              // l0[1]
#define USER_HEAP 0x402000              // l0[2], mapped on demand
#define SYS_ADD   1                     // kernel_counter += a0
#define SYS_EXIT  2                     // exit status a0
#define DELEGATED ((1 << CAUSE_USER_ECALL) | (1 << CAUSE_FETCH_PAGE_FAULT) | \
                   (1 << CAUSE_LOAD_PAGE_FAULT) | (1 << CAUSE_STORE_PAGE_FAULT))

TEST_BEGIN
    li t0, DELEGATED
    csrw medeleg, t0
    TRAP_ARM 1f
    ENTER_SMODE kernel_main
1:  CHECK_TRAP 1, CAUSE_SUPERVISOR_ECALL
    CHECK 2, s11, 0                     // the kernel did not panic
    ld a0, exit_status
    CHECK 3, a0, 0
    ld a0, kernel_counter
    CHECK 4, a0, 100
    ld a0, user_data
    CHECK 5, a0, 55
    ld a0, fault_count
    CHECK 6, a0, 1
    ld a0, fault_cause
    CHECK 7, a0, CAUSE_STORE_PAGE_FAULT
    ld a0, fault_address
    CHECK 8, a0, USER_HEAP + 0x10
    ld a0, heap_page + 0x10
    CHECK 9, a0, 0xFEED
    // The hart set A and D in the program's data PTE, and only A in its code PTE.
    ld a0, k_l0 + 8
    andi a0, a0, PTE_A | PTE_D
    CHECK 10, a0, PTE_A | PTE_D
    ld a0, k_l0
    andi a0, a0, PTE_A | PTE_D
    CHECK 11, a0, PTE_A
    csrw medeleg, zero
    csrw satp, zero
TEST_PASS

// ---- The S-mode kernel. s8-s11 belong to it: the program leaves them alone. ----
kernel_main:
    li s11, 0
    la t0, kernel_trap
    csrw stvec, t0
    li a0, RAM_BASE
    SET_PTE k_root, 2, a0, PTE_LEAF_RWX                 // the kernel: VA = PA, not U
    SET_PTE_TABLE k_root, 0, k_l1
    SET_PTE_TABLE k_l1, 2, k_l0
    la a0, user_code
    SET_PTE k_l0, 0, a0, PTE_V | PTE_U | PTE_R | PTE_X
    la a0, user_data
    SET_PTE k_l0, 1, a0, PTE_V | PTE_U | PTE_R | PTE_W
    SET_SATP SATP_MODE_SV39, k_root
    li t0, SSTATUS_SPP
    csrc sstatus, t0                    // SRET to U-mode
    li t0, USER_CODE
    csrw sepc, t0
    sret

    .align 2
kernel_trap:
    csrr s8, scause
    li s9, CAUSE_USER_ECALL
    beq s8, s9, syscall
    li s9, CAUSE_LOAD_PAGE_FAULT
    beq s8, s9, page_fault
    li s9, CAUSE_STORE_PAGE_FAULT
    beq s8, s9, page_fault
    j kernel_panic

syscall:
    csrr s9, sepc
    addi s9, s9, 4                      // return after the ECALL
    csrw sepc, s9
    li s10, SYS_ADD
    beq a7, s10, sys_add
    li s10, SYS_EXIT
    beq a7, s10, sys_exit
    j kernel_panic
sys_add:
    ld s10, kernel_counter
    add s10, s10, a0
    sd s10, kernel_counter, s9
    sret
sys_exit:
    sd a0, exit_status, s9
    ecall                               // report to M-mode

// Demand paging: the first touch of the heap page maps heap_page there; anything else panics.
page_fault:
    csrr s9, stval
    sd s9, fault_address, s10
    sd s8, fault_cause, s10
    srli s9, s9, 12
    li s10, USER_HEAP >> 12
    bne s9, s10, kernel_panic
    ld s10, fault_count
    bnez s10, kernel_panic              // mapped already: must not fault again
    addi s10, s10, 1
    sd s10, fault_count, s9
    la s9, heap_page
    MAKE_PTE s9, s9, PTE_V | PTE_U | PTE_R | PTE_W
    sd s9, k_l0 + 8 * 2, s10
    csrr s9, stval
    sfence.vma s9, zero
    sret                                // sepc unchanged: the store is retried

kernel_panic:
    li s11, -1
    ecall

// ---- The U-mode program, alone in its page; it only knows its virtual addresses. ----
    .section .text.user, "ax", @progbits
    .balign 4096
user_code:
    li t0, 0                            // 1 + 2 + ... + 10
    li t1, 1
    li t2, 11
1:  add t0, t0, t1
    addi t1, t1, 1
    blt t1, t2, 1b
    li a1, USER_DATA
    sd t0, 0(a1)
    ld a0, 0(a1)
    li a7, SYS_ADD
    ecall                               // counter = 55
    li a0, 45
    li a7, SYS_ADD
    ecall                               // counter = 100
    li a2, USER_HEAP
    li t0, 0xFEED
    sd t0, 0x10(a2)                     // page fault, mapped, retried
    ld t1, 0x10(a2)
    li a0, 13
    bne t0, t1, 2f
    li a0, 0
2:  li a7, SYS_EXIT
    ecall

    .data
    .align 3
kernel_counter: .dword 0
exit_status:    .dword -1
fault_count:    .dword 0
fault_cause:    .dword 0
fault_address:  .dword 0
    .align 12
user_data:      .dword 0
    .align 12
heap_page:      .dword 0, 0, 0

    .bss
    .align 12
k_root: .space 4096
k_l1:   .space 4096
k_l0:   .space 4096
