# Real-mode payload: loaded at 0x10000 and entered at CS:IP = 1000:0000 (kvm::CpuMode::Real).
# Exercises port I/O exits (COM1), a pattern the host wrote into guest RAM (the command line at
# 0x20000 and the zero page at 0x7000), the in-kernel PIC and PIT (timer interrupts wake HLT), an
# interrupt the host raises with KVM_IRQ_LINE (COM1's THRE interrupt, IRQ 4), and the i8042 reset
# that ends the VM. Everything it finds is reported on COM1 as "real: ..." lines.
        .code16
        .text
        .globl _start
_start:
        cli
        mov     %cs, %ax
        mov     %ax, %ds
        mov     %ax, %ss
        mov     $0xfff0, %sp

        mov     $msg_hello, %si
        call    puts

        # The command line the host wrote at 0x20000 (segment 0x2000).
        mov     $msg_cmdline, %si
        call    puts
        push    %ds
        mov     $0x2000, %ax
        mov     %ax, %ds
        xor     %si, %si
        call    puts
        pop     %ds
        mov     $'\n', %al
        call    putc

        # boot_params.e820_entries (0x1e8) of the zero page at 0x7000.
        mov     $msg_e820, %si
        call    puts
        push    %es
        mov     $0x700, %ax
        mov     %ax, %es
        mov     %es:0x1e8, %al
        pop     %es
        add     $'0', %al
        call    putc
        mov     $'\n', %al
        call    putc

        # Interrupt vectors 0x20 (timer) and 0x24 (COM1) in the IVT at 0:0.
        xor     %ax, %ax
        mov     %ax, %es
        movw    $timer_isr, %es:0x80
        mov     %cs, %es:0x82
        movw    $uart_isr, %es:0x90
        mov     %cs, %es:0x92

        # 8259 initialization: ICW1..ICW4, master at vector 0x20, slave at 0x28.
        mov     $0x11, %al
        out     %al, $0x20
        out     %al, $0xa0
        mov     $0x20, %al
        out     %al, $0x21
        mov     $0x28, %al
        out     %al, $0xa1
        mov     $0x04, %al
        out     %al, $0x21
        mov     $0x02, %al
        out     %al, $0xa1
        mov     $0x01, %al
        out     %al, $0x21
        out     %al, $0xa1
        mov     $0xfe, %al              # only IRQ 0 (the PIT) unmasked
        out     %al, $0x21
        mov     $0xff, %al
        out     %al, $0xa1

        # 8254 channel 0, mode 2, divisor 11932: about 100 Hz.
        mov     $0x34, %al
        out     %al, $0x43
        mov     $(11932 & 0xff), %al
        out     %al, $0x40
        mov     $(11932 >> 8), %al
        out     %al, $0x40
1:      sti
        hlt
        cli
        cmpw    $3, ticks
        jb      1b
        mov     $msg_pit, %si
        call    puts

        # COM1: unmask IRQ 4 only, then enable the THRE interrupt, which the UART raises at once
        # (the transmitter is empty); the host turns it into KVM_IRQ_LINE(4).
        mov     $0xef, %al
        out     %al, $0x21
        mov     $0x3fc, %dx             # MCR: OUT2, which gates the IRQ on a PC
        mov     $0x08, %al
        out     %al, %dx
        mov     $0x3f9, %dx             # IER: ETBEI
        mov     $0x02, %al
        out     %al, %dx
2:      cmpb    $0, uart_irq
        jne     3f
        sti
        hlt
        cli
        jmp     2b
3:      mov     $msg_uart, %si
        call    puts

        mov     $msg_done, %si
        call    puts
        mov     $0xfe, %al              # i8042: pulse reset
        out     %al, $0x64
4:      hlt
        jmp     4b

timer_isr:
        push    %ax
        incw    %cs:ticks
        mov     $0x20, %al              # EOI
        out     %al, $0x20
        pop     %ax
        iret

uart_isr:
        push    %ax
        push    %dx
        mov     $0x3fa, %dx             # IIR: reading it clears the THRE condition
        in      %dx, %al
        mov     %al, %cs:uart_iir
        mov     $0x3f9, %dx             # IER = 0: no more interrupts
        xor     %al, %al
        out     %al, %dx
        movb    $1, %cs:uart_irq
        mov     $0x20, %al
        out     %al, $0x20
        pop     %dx
        pop     %ax
        iret

# putc: the byte in %al to COM1.
putc:
        push    %dx
        mov     $0x3f8, %dx
        out     %al, %dx
        pop     %dx
        ret

# puts: the zero-terminated string at %ds:%si.
puts:
        push    %ax
1:      lodsb
        test    %al, %al
        jz      2f
        call    putc
        jmp     1b
2:      pop     %ax
        ret

ticks:          .word 0
uart_irq:       .byte 0
uart_iir:       .byte 0
msg_hello:      .asciz "real: hello from real mode\n"
msg_cmdline:    .asciz "real: cmdline="
msg_e820:       .asciz "real: e820 entries="
msg_pit:        .asciz "real: PIT timer interrupts through the in-kernel PIC\n"
msg_uart:       .asciz "real: COM1 IRQ 4 through KVM_IRQ_LINE\n"
msg_done:       .asciz "real: done\n"
