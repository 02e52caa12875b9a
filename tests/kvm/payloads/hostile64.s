# A hostile 64-bit guest (entered like long64.s, as an ELF at 0x1000200): it reads every port
# with every size, writes random values of random sizes to random ports and to random places in
# the virtio-mmio windows and the rest of the MMIO gap, reads them back, and runs string I/O with
# counts far larger than a page. The host must answer all of it and stay up; then the guest says
# "hostile: survived" and resets. It leaves out only the ports that would end the run early or
# flood the console (0x64, 0x600, COM1) and the in-kernel local APIC and IOAPIC pages. The
# generator (xorshift64) has a fixed seed, so every run makes the same accesses.
        .code64
        .text
        .globl  entry64
        .org    0x200
entry64:
        cli
        lea     stack_top(%rip), %rsp
        lea     msg_start(%rip), %rsi
        call    puts

        # 1. IN of 1, 2 and 4 bytes from every port (the 4-byte one at 0xffff leaves the port space).
        xor     %edx, %edx
1:      inb     %dx, %al
        inw     %dx, %ax
        inl     %dx, %eax
        inc     %edx
        cmp     $0x10000, %edx
        jb      1b
        lea     msg_in(%rip), %rsi
        call    puts

        # 2. Random OUTs: port = bits 0-15, size = bits 16-17, value = bits 32-63.
        mov     $20000, %r12
2:      call    rand
        mov     %eax, %edx
        and     $0xffff, %edx
        cmp     $0x64, %dx
        je      3f
        cmp     $0x600, %dx
        je      3f
        mov     %edx, %ecx
        and     $0xfff8, %ecx
        cmp     $0x3f8, %ecx
        je      3f
        mov     %rax, %rcx
        shr     $16, %rcx
        and     $3, %ecx
        mov     %rax, %r8
        shr     $32, %r8
        mov     %r8, %rax
        cmp     $1, %ecx
        je      4f
        cmp     $2, %ecx
        je      5f
        outb    %al, %dx
        jmp     3f
4:      outw    %ax, %dx
        jmp     3f
5:      outl    %eax, %dx
3:      dec     %r12
        jnz     2b
        lea     msg_out(%rip), %rsi
        call    puts

        # 3. Random MMIO: bit 63 picks a virtio window (0xd0000000 + 32 KiB) or the gap below the
        # IOAPIC (0xc0000000 + up to 0x3dffffff); bits 20-21 the size; bit 22 read or write.
        mov     $20000, %r12
6:      call    rand
        mov     %rax, %rbx
        call    rand
        mov     %rax, %r8                       # the value
        mov     %rbx, %rdi
        bt      $63, %rbx
        jnc     7f
        and     $0x7fff, %edi
        mov     $0xd0000000, %r9d
        add     %r9, %rdi
        jmp     8f
7:      and     $0x3dffffff, %edi
        mov     $0xc0000000, %r9d
        add     %r9, %rdi
8:      mov     %rbx, %rcx
        shr     $20, %rcx
        and     $3, %ecx
        bt      $22, %rbx
        jc      10f
        # write
        cmp     $0, %ecx
        jne     11f
        mov     %r8b, (%rdi)
        jmp     19f
11:     cmp     $1, %ecx
        jne     12f
        mov     %r8w, (%rdi)
        jmp     19f
12:     cmp     $2, %ecx
        jne     13f
        mov     %r8d, (%rdi)
        jmp     19f
13:     mov     %r8, (%rdi)
        jmp     19f
        # read
10:     cmp     $0, %ecx
        jne     14f
        mov     (%rdi), %al
        jmp     19f
14:     cmp     $1, %ecx
        jne     15f
        mov     (%rdi), %ax
        jmp     19f
15:     cmp     $2, %ecx
        jne     16f
        mov     (%rdi), %eax
        jmp     19f
16:     mov     (%rdi), %rax
19:     dec     %r12
        jnz     6b
        lea     msg_mmio(%rip), %rsi
        call    puts

        # 4. String I/O of 256 KiB each way through an unmapped port.
        lea     buffer(%rip), %rdi
        mov     $0x40000, %rcx
        mov     $0x80, %dx
        cld
        rep insb
        lea     buffer(%rip), %rsi
        mov     $0x40000, %rcx
        rep outsb
        lea     msg_string(%rip), %rsi
        call    puts

        lea     msg_survived(%rip), %rsi
        call    puts
        mov     $0xfe, %al
        out     %al, $0x64
9:      hlt
        jmp     9b

# xorshift64 (Marsaglia 2003) in %rax.
rand:
        mov     state(%rip), %rax
        mov     %rax, %rdx
        shl     $13, %rdx
        xor     %rdx, %rax
        mov     %rax, %rdx
        shr     $7, %rdx
        xor     %rdx, %rax
        mov     %rax, %rdx
        shl     $17, %rdx
        xor     %rdx, %rax
        mov     %rax, state(%rip)
        ret

puts:
        push    %rax
        push    %rdx
        mov     $0x3f8, %dx
1:      lodsb
        test    %al, %al
        jz      2f
        out     %al, %dx
        jmp     1b
2:      pop     %rdx
        pop     %rax
        ret

        .data
state:          .quad   0x9e3779b97f4a7c15
msg_start:      .asciz  "hostile: start\n"
msg_in:         .asciz  "hostile: read every port\n"
msg_out:        .asciz  "hostile: random port writes\n"
msg_mmio:       .asciz  "hostile: random MMIO\n"
msg_string:     .asciz  "hostile: string I/O\n"
msg_survived:   .asciz  "hostile: survived\n"
        .bss
        .align  16
        .space  4096
stack_top:
buffer:
        .space  0x40000
