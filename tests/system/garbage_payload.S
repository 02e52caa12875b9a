/* A hostile S-mode "kernel" for system tests: started by OpenSBI like sbi_payload.S, it hammers
 * every device window of the board — the UART, the PLIC and all eight virtio-mmio slots — with
 * pseudo-random loads and stores of random sizes (1, 2, 4, 8 bytes) at random offsets, including
 * the virtio queue registers, so devices walk garbage rings. Accesses that fault are skipped by
 * the trap handler. The host must survive it all; the payload then shuts down through SBI SRST.
 * Iterations: 200000, from a fixed xorshift64 seed so every run is the same. */
    .option norvc             /* every instruction 4 bytes: the trap handler skips 4 */
    .section .text
    .globl _start
_start:
    .option push
    .option norvc
    j real_start              /* Linux Image header: code0 */
    .option pop
    .word 0
    .dword 0x200000           /* text_offset */
    .dword image_end - _start /* image_size */
    .dword 0, 0               /* flags, version + res1 */
    .dword 0
    .ascii "RISCV\0\0\0"
    .ascii "RSC\x05"
    .word 0
real_start:
    la t0, skip_trap
    csrw stvec, t0
    la a0, start_msg
    call puts
    li s0, 0x9e3779b97f4a7c15 /* xorshift64 state */
    li s1, 200000             /* iterations */
loop:
    /* xorshift64: s0 ^= s0 << 13; s0 ^= s0 >> 7; s0 ^= s0 << 17 */
    slli t0, s0, 13
    xor s0, s0, t0
    srli t0, s0, 7
    xor s0, s0, t0
    slli t0, s0, 17
    xor s0, s0, t0
    /* pick a window: bits 0-1 */
    andi t1, s0, 3
    li t2, 0x10000000         /* UART, 0x100 bytes */
    li t3, 0xff
    beqz t1, 1f
    li t2, 0x0c000000         /* PLIC, 0x600000 bytes: take 22 random bits */
    li t3, 0x3fffff
    li t4, 1
    beq t1, t4, 1f
    li t2, 0x10001000         /* virtio slots 0..7, 0x8000 bytes */
    li t3, 0x7fff
1:  srli t4, s0, 8
    and t4, t4, t3
    add t2, t2, t4            /* address */
    srli t5, s0, 40           /* size selector and load/store choice */
    andi t6, t5, 3
    srli t5, t5, 2
    andi t5, t5, 1
    srli a1, s0, 3            /* value */
    /* align the address to the access size */
    li t4, 1
    sll t4, t4, t6
    addi t4, t4, -1
    not t4, t4
    and t2, t2, t4
    bnez t5, do_load
    li t4, 0
    beq t6, t4, 10f
    li t4, 1
    beq t6, t4, 11f
    li t4, 2
    beq t6, t4, 12f
    sd a1, 0(t2)
    j next
10: sb a1, 0(t2)
    j next
11: sh a1, 0(t2)
    j next
12: sw a1, 0(t2)
    j next
do_load:
    li t4, 0
    beq t6, t4, 20f
    li t4, 1
    beq t6, t4, 21f
    li t4, 2
    beq t6, t4, 22f
    ld a2, 0(t2)
    j next
20: lb a2, 0(t2)
    j next
21: lh a2, 0(t2)
    j next
22: lw a2, 0(t2)
next:
    addi s1, s1, -1
    bnez s1, loop
    la a0, done_msg
    call puts
    li a7, 0x53525354         /* SBI SRST: shutdown */
    li a6, 0
    li a0, 0
    li a1, 0
    ecall
    j .

/* Faulting accesses (and stray interrupts, which this payload never enables) come here: skip
 * the instruction. Every access above is a 4-byte instruction (norvc below). */
    .balign 4
skip_trap:
    csrr t0, scause
    bltz t0, 1f               /* an interrupt: just return */
    csrr t0, sepc
    addi t0, t0, 4
    csrw sepc, t0
1:  sret

puts:
    mv t2, a0
1:  lbu a0, 0(t2)
    beqz a0, 2f
    li a7, 1                  /* legacy SBI console_putchar */
    ecall
    addi t2, t2, 1
    j 1b
2:  ret
    .section .rodata
start_msg: .string "vireo-test: garbage payload started\n"
done_msg:  .string "vireo-test: garbage payload done\n"
    .balign 8
image_end:
