# 64-bit payload, linked at 0x1000000 with its entry 0x200 bytes in: the layout of a bzImage's
# protected-mode kernel, so the same code boots as an ELF (entered at e_entry, like a vmlinux
# without a PVH note) and, behind bzhdr.s, as a bzImage (entered at load address + 0x200). Both
# follow Linux's 64-bit boot protocol: long mode, identity-mapped, %rsi = boot_params.
#
# It reports over COM1 ("long: ..."): the command line and initrd that boot_params point at (the
# initrd carries a byte pattern the test wrote: byte i = (i * 7 + 3) mod 256), the RAM in the
# e820 map, the CPUID hypervisor bit, a `rep outsb` string I/O exit, and a virtio-console found by
# probing the virtio-mmio slots and driven through one transmit-queue round trip (MMIO exits,
# guest memory read and written by the host device). Then it resets through the i8042.
        .code64
        .text
        .globl entry64
start:
        .org    0x200
entry64:
        cli
        mov     %rsi, %r15                      # boot_params
        lea     stack_top(%rip), %rsp

        lea     msg_hello(%rip), %rsi
        call    puts

        # String I/O: one `rep outsb` of a whole line is one KVM_EXIT_IO with count > 1.
        lea     msg_outsb(%rip), %rsi
        mov     $msg_outsb_len, %rcx
        mov     $0x3f8, %dx
        rep outsb

        # Loader fields: type_of_loader (0x210), protocol version (0x206).
        lea     msg_loader(%rip), %rsi
        call    puts
        movzbl  0x210(%r15), %eax
        call    print_hex
        lea     msg_version(%rip), %rsi
        call    puts
        movzwl  0x206(%r15), %eax
        call    print_hex
        call    newline

        # Command line: cmd_line_ptr (0x228) | ext_cmd_line_ptr (0x0c8) << 32.
        lea     msg_cmdline(%rip), %rsi
        call    puts
        mov     0x228(%r15), %esi
        mov     0x0c8(%r15), %eax
        shl     $32, %rax
        or      %rax, %rsi
        call    puts
        call    newline

        # e820: count (0x1e8), entries of 20 bytes at 0x2d0; sum the RAM (type 1).
        movzbl  0x1e8(%r15), %ecx
        lea     0x2d0(%r15), %rbx
        xor     %r8, %r8
1:      test    %ecx, %ecx
        jz      2f
        cmpl    $1, 16(%rbx)
        jne     3f
        add     8(%rbx), %r8
3:      add     $20, %rbx
        dec     %ecx
        jmp     1b
2:      lea     msg_e820(%rip), %rsi
        call    puts
        movzbl  0x1e8(%r15), %eax
        call    print_hex
        lea     msg_ram(%rip), %rsi
        call    puts
        mov     %r8, %rax
        call    print_hex
        call    newline

        # initrd: ramdisk_image (0x218) | ext (0x0c0) << 32, ramdisk_size (0x21c) | ext (0x0c4) << 32.
        mov     0x218(%r15), %ebx
        mov     0x0c0(%r15), %eax
        shl     $32, %rax
        or      %rax, %rbx
        mov     0x21c(%r15), %ecx
        mov     0x0c4(%r15), %eax
        shl     $32, %rax
        or      %rax, %rcx
        lea     msg_initrd(%rip), %rsi
        call    puts
        mov     %rcx, %rax
        call    print_hex
        test    %rcx, %rcx
        jz      5f
        xor     %rdx, %rdx                      # i
        mov     $3, %r9b                        # expected byte
4:      cmp     %rcx, %rdx
        je      6f
        cmp     %r9b, (%rbx,%rdx)
        jne     7f
        add     $7, %r9b
        inc     %rdx
        jmp     4b
6:      lea     msg_pattern_ok(%rip), %rsi
        call    puts
        jmp     5f
7:      lea     msg_pattern_bad(%rip), %rsi
        call    puts
        mov     %rdx, %rax
        call    print_hex
5:      call    newline

        # CPUID.1:ECX[31], the hypervisor bit.
        mov     $1, %eax
        cpuid
        lea     msg_hv_yes(%rip), %rsi
        bt      $31, %ecx
        jc      8f
        lea     msg_hv_no(%rip), %rsi
8:      call    puts

        call    virtio_console

        lea     msg_done(%rip), %rsi
        call    puts
        mov     $0xfe, %al
        out     %al, $0x64
9:      hlt
        jmp     9b

# Finds the virtio-console among the eight slots at 0xd0000000 (MagicValue 0x74726976, Version 2,
# DeviceID 3) and sends one buffer through its transmit queue (virtio 1.2 §3.1.1 driver steps,
# §4.2.2 registers).
        .set    VQ, 0x200000                    # descriptor table; avail at +0x100, used at +0x200
virtio_console:
        mov     $0xd0000000, %rbx
        xor     %r12d, %r12d                    # slot
1:      cmp     $8, %r12d
        je      9f
        cmpl    $0x74726976, 0x000(%rbx)
        jne     2f
        cmpl    $2, 0x004(%rbx)
        jne     2f
        cmpl    $3, 0x008(%rbx)
        je      3f
2:      add     $0x1000, %rbx
        inc     %r12d
        jmp     1b
9:      lea     msg_no_console(%rip), %rsi
        jmp     puts
3:      lea     msg_console(%rip), %rsi
        call    puts
        mov     %r12d, %eax
        call    print_hex
        lea     msg_magic(%rip), %rsi
        call    puts
        mov     0x000(%rbx), %eax
        call    print_hex
        lea     msg_version2(%rip), %rsi
        call    puts
        mov     0x004(%rbx), %eax
        call    print_hex
        call    newline

        movl    $0, 0x070(%rbx)                 # Status: reset
        movl    $1, 0x070(%rbx)                 # ACKNOWLEDGE
        movl    $3, 0x070(%rbx)                 # DRIVER
        movl    $1, 0x024(%rbx)                 # DriverFeaturesSel 1
        movl    $1, 0x020(%rbx)                 # VIRTIO_F_VERSION_1 (bit 32)
        movl    $0, 0x024(%rbx)
        movl    $0, 0x020(%rbx)
        movl    $11, 0x070(%rbx)                # FEATURES_OK
        testl   $8, 0x070(%rbx)
        jz      8f
        movl    $1, 0x030(%rbx)                 # QueueSel: transmitq
        movl    $8, 0x038(%rbx)                 # QueueNum
        movl    $VQ, 0x080(%rbx)                # QueueDescLow
        movl    $0, 0x084(%rbx)
        movl    $(VQ + 0x100), 0x090(%rbx)      # QueueDriverLow (avail ring)
        movl    $0, 0x094(%rbx)
        movl    $(VQ + 0x200), 0x0a0(%rbx)      # QueueDeviceLow (used ring)
        movl    $0, 0x0a4(%rbx)
        movl    $1, 0x044(%rbx)                 # QueueReady
        movl    $15, 0x070(%rbx)                # DRIVER_OK
        testl   $0x40, 0x070(%rbx)              # DEVICE_NEEDS_RESET?
        jnz     8f

        # Descriptor 0: the message, device-readable.
        mov     $VQ, %rdi
        lea     msg_virtq(%rip), %rax
        mov     %rax, 0(%rdi)
        movl    $msg_virtq_len, 8(%rdi)
        movw    $0, 12(%rdi)
        movw    $0, 14(%rdi)
        movw    $0, (VQ + 0x100 + 4)            # avail.ring[0] = 0
        movw    $1, (VQ + 0x100 + 2)            # avail.idx = 1
        movl    $1, 0x050(%rbx)                 # QueueNotify: queue 1
4:      cmpw    $1, (VQ + 0x200 + 2)            # used.idx
        jne     4b
        lea     msg_used(%rip), %rsi
        call    puts
        mov     (VQ + 0x200 + 4), %eax          # used.ring[0].id
        call    print_hex
        lea     msg_isr(%rip), %rsi
        call    puts
        mov     0x060(%rbx), %eax               # InterruptStatus
        call    print_hex
        mov     %eax, 0x064(%rbx)               # InterruptACK
        call    newline
        ret
8:      lea     msg_virtio_failed(%rip), %rsi
        call    puts
        mov     0x070(%rbx), %eax
        call    print_hex
        jmp     newline

# puts: the zero-terminated string at %rsi to COM1. Preserves everything but %rsi.
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

newline:
        push    %rax
        push    %rdx
        mov     $0x3f8, %dx
        mov     $'\n', %al
        out     %al, %dx
        pop     %rdx
        pop     %rax
        ret

# print_hex: %rax as 0x-prefixed hex without leading zeros.
print_hex:
        push    %rax
        push    %rbx
        push    %rcx
        push    %rdx
        mov     %rax, %rbx
        mov     $0x3f8, %dx
        mov     $'0', %al
        out     %al, %dx
        mov     $'x', %al
        out     %al, %dx
        mov     $60, %cl
        xor     %ah, %ah                        # 1 once a digit was printed
1:      mov     %rbx, %rax
        shr     %cl, %rax
        and     $0xf, %al
        test    %cl, %cl
        jz      2f                              # the last digit always prints
        test    %al, %al
        jnz     2f
        cmpb    $0, printed(%rip)
        je      3f
2:      movb    $1, printed(%rip)
        cmp     $10, %al
        jb      4f
        add     $('a' - '0' - 10), %al
4:      add     $'0', %al
        out     %al, %dx
3:      sub     $4, %cl
        jns     1b
        movb    $0, printed(%rip)
        pop     %rdx
        pop     %rcx
        pop     %rbx
        pop     %rax
        ret

        .data
printed:        .byte 0
msg_hello:      .asciz "long: hello from 64-bit mode\n"
msg_outsb:      .ascii "long: rep outsb through one string I/O exit\n"
        .set    msg_outsb_len, . - msg_outsb
msg_loader:     .asciz "long: type_of_loader="
msg_version:    .asciz " version="
msg_cmdline:    .asciz "long: cmdline="
msg_e820:       .asciz "long: e820 entries="
msg_ram:        .asciz " ram="
msg_initrd:     .asciz "long: initrd size="
msg_pattern_ok: .asciz " pattern ok"
msg_pattern_bad: .asciz " pattern MISMATCH at "
msg_hv_yes:     .asciz "long: cpuid hypervisor bit set\n"
msg_hv_no:      .asciz "long: cpuid hypervisor bit CLEAR\n"
msg_no_console: .asciz "long: no virtio-console found\n"
msg_console:    .asciz "long: virtio-console in slot "
msg_magic:      .asciz " magic="
msg_version2:   .asciz " version="
msg_virtq:      .ascii "long: hello through the virtio-console transmitq\n"
        .set    msg_virtq_len, . - msg_virtq
msg_used:       .asciz "long: used ring returned descriptor "
msg_isr:        .asciz " interrupt status="
msg_virtio_failed: .asciz "long: virtio set-up FAILED, status="
msg_done:       .asciz "long: done\n"
        .bss
        .align  16
        .space  4096
stack_top:
