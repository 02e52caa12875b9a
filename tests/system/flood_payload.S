/* A console-flooding S-mode "kernel" for system tests: started by OpenSBI like sbi_payload.S, it
 * turns its interrupts off (sstatus.SIE = 0) and never yields: a tight loop that writes 'x' to the
 * UART's THR and 'v' to the virtio console's emerg_wr (slot 1: there is no disk, slot 0 is the
 * rng), forever, without ever waiting for the transmitter. Between two bytes it looks at the
 * UART's LSR; a received byte c is echoed as "[c]", so a test can tell that typed input still
 * reaches the guest while the host drowns in output. */
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
    csrci sstatus, 2          /* SIE = 0: nothing interrupts the loop */
    csrw sie, zero
    li s0, 0x10000000         /* the UART */
    li s1, 0x10002000         /* virtio-mmio slot 1: the virtio console */
    li s2, 'x'
    li s3, 'v'
loop:
    lbu t0, 5(s0)             /* LSR */
    andi t0, t0, 1            /* data ready */
    beqz t0, 1f
    lbu t1, 0(s0)             /* RBR */
    li t2, '['
    sb t2, 0(s0)
    sb t1, 0(s0)
    li t2, ']'
    sb t2, 0(s0)
1:  sb s2, 0(s0)              /* THR */
    sw s3, 0x108(s1)          /* config + 8: emerg_wr (virtio 1.2 §5.3.4) */
    j loop
    .section .rodata
image_end:
