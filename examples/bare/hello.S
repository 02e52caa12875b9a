// A bare-metal RISC-V program for Vireo's `--bare` machine (and QEMU's `-M spike`): prints a line
// on the HTIF console and exits with status 0. Built with tests/isa/link.ld (RAM at 0x8000_0000).
//
// HTIF: storing (device << 56) | (command << 48) | payload to `tohost` sends a request to the host.
// Device 1, command 1 prints the low byte of the payload; device 0, command 0 with an odd payload
// ends the run with exit status payload >> 1.

#define HTIF_CONSOLE_PUTC 0x0101000000000000

    .section .text.init, "ax", @progbits
    .globl _start
_start:
    la a1, message
    la a2, tohost
    li a3, HTIF_CONSOLE_PUTC
1:  lbu a0, 0(a1)
    beqz a0, 2f
    or a0, a0, a3
    sd a0, 0(a2)
    addi a1, a1, 1
    j 1b
2:  li a0, 1                            // exit status 0: (0 << 1) | 1
    sd a0, 0(a2)
3:  j 3b                                // the host stops us; nothing left to do meanwhile

    .section .rodata
message:
    .asciz "Hello from a bare-metal RISC-V program on Vireo!\n"

    // The HTIF mailboxes: 64-bit, found by the loader through these symbols.
    .section .tohost, "aw", @progbits
    .align 3
    .globl tohost, fromhost
    .type tohost, @object
    .size tohost, 8
tohost:   .dword 0
    .type fromhost, @object
    .size fromhost, 8
fromhost: .dword 0
