/* A minimal S-mode "kernel" for system tests: a Linux RISC-V Image header (so Vireo and OpenSBI's
 * fw_jump treat it like a kernel), then a program that prints through the SBI debug console
 * (legacy console_putchar, SBI v0.1 EID 0x01), reads the hart id and devicetree address OpenSBI
 * passes in a0/a1, and shuts the machine down with the SBI SRST extension (EID 0x53525354). */
    .section .text
    .globl _start
_start:
    .option push
    .option norvc              /* the header's layout is fixed: code0 must be 4 bytes */
    j real_start              /* code0 */
    .option pop
    .word 0                   /* code1 */
    .dword 0x200000           /* text_offset */
    .dword image_end - _start /* image_size */
    .dword 0                  /* flags */
    .word 2                   /* version */
    .word 0
    .dword 0
    .ascii "RISCV\0\0\0"      /* magic (deprecated) */
    .ascii "RSC\x05"          /* magic2 */
    .word 0
real_start:
    mv s0, a0                 /* hart id */
    mv s1, a1                 /* devicetree */
    la a0, message
    call puts
    /* The devicetree must start with its magic 0xd00dfeed (big-endian). */
    lwu t0, 0(s1)
    li t1, 0xedfe0dd0
    bne t0, t1, bad_fdt
    la a0, fdt_ok
    call puts
    /* SBI SRST: system_reset(type = shutdown, reason = none). */
    li a7, 0x53525354
    li a6, 0
    li a0, 0
    li a1, 0
    ecall
    j .
bad_fdt:
    la a0, fdt_bad
    call puts
    li a7, 0x53525354
    li a6, 0
    li a0, 0
    li a1, 1                  /* reason: system failure */
    ecall
    j .
puts:
    mv t2, a0
1:  lbu a0, 0(t2)
    beqz a0, 2f
    li a7, 1
    ecall
    addi t2, t2, 1
    j 1b
2:  ret
    .section .rodata
message: .string "vireo-test: payload running in S-mode\n"
fdt_ok:  .string "vireo-test: devicetree found\n"
fdt_bad: .string "vireo-test: no devicetree in a1\n"
    .balign 8
image_end:
