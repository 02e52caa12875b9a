# 32-bit PVH payload that floods its consoles with interrupts off: after cli it loops forever,
# writing 'x' to COM1 (a port exit each) and 'v' to the virtio console's emerg_wr (virtio-mmio
# slot 1, config + 8: an MMIO exit each), never waiting for a transmitter. Between two bytes it
# reads COM1's LSR; a received byte c is echoed as "[c]", so a test can tell that typed input
# still reaches the guest while the host drowns in output.
        .set    COM1, 0x3f8
        .set    EMERG_WR, 0xd0001108

        .section .note.Xen, "a", @note
        .align  4
        .long   4                               # namesz
        .long   4                               # descsz
        .long   18                              # XEN_ELFNOTE_PHYS32_ENTRY
        .asciz  "Xen"
        .long   pvh_entry

        .code32
        .text
        .globl  pvh_entry
pvh_entry:
        cli
1:      mov     $COM1 + 5, %dx                  # LSR
        in      %dx, %al
        test    $1, %al                         # data ready
        jz      2f
        mov     $COM1, %dx
        in      %dx, %al                        # RBR
        mov     %al, %bl
        mov     $'[', %al
        out     %al, %dx
        mov     %bl, %al
        out     %al, %dx
        mov     $']', %al
        out     %al, %dx
2:      mov     $COM1, %dx
        mov     $'x', %al
        out     %al, %dx
        movl    $'v', EMERG_WR
        jmp     1b
