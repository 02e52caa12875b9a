# 32-bit PVH payload: an ELF32 with a XEN_ELFNOTE_PHYS32_ENTRY note, entered in flat 32-bit
# protected mode with paging off and %ebx = hvm_start_info (the Xen PVH boot ABI, as Linux's
# arch/x86/platform/pvh/head.S expects it).
#
# It reports over COM1 ("pvh: ..."): the start_info magic, the command line, the memory map
# entries, the initrd module (checked against the test's pattern: byte i = (i * 7 + 3) mod 256),
# the registers of every virtio-mmio slot and what a 9p or net device has in its configuration
# space (MMIO exits), and, when the command line says "cpus=N",
# starts the other N-1 vCPUs with INIT/SIPI through the local APIC: each runs a real-mode
# trampoline that reads its APIC ID with CPUID and reports "pvh: cpu K up" under a spinlock.
# Then it resets through the i8042.
        .set    TRAMPOLINE, 0x3000              # SIPI vector 0x03
        .set    LOCK, 0x3f00
        .set    COUNT, 0x3f04
        .set    LAPIC, 0xfee00000

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
        mov     $stack_top, %esp
        mov     %ebx, %edi                      # hvm_start_info

        mov     $msg_magic, %esi
        call    puts
        mov     (%edi), %eax
        call    print_hex
        call    newline

        mov     $msg_cmdline, %esi
        call    puts
        mov     24(%edi), %esi                  # cmdline_paddr
        call    puts
        call    newline

        mov     $msg_memmap, %esi
        call    puts
        mov     48(%edi), %eax                  # memmap_entries
        call    print_hex
        call    newline

        # Module 0: paddr (u64), size (u64) at modlist_paddr.
        mov     $msg_modules, %esi
        call    puts
        mov     12(%edi), %eax                  # nr_modules
        call    print_hex
        test    %eax, %eax
        jz      5f
        mov     16(%edi), %ebx                  # modlist_paddr
        mov     8(%ebx), %ecx                   # size
        mov     0(%ebx), %ebx                   # paddr
        mov     $msg_size, %esi
        call    puts
        mov     %ecx, %eax
        call    print_hex
        xor     %edx, %edx
        mov     $3, %al
1:      cmp     %ecx, %edx
        je      2f
        cmp     %al, (%ebx,%edx)
        jne     3f
        add     $7, %al
        inc     %edx
        jmp     1b
2:      mov     $msg_pattern_ok, %esi
        call    puts
        jmp     5f
3:      mov     $msg_pattern_bad, %esi
        call    puts
5:      call    newline

        call    virtio_slots

        # An address no device answers reads as all ones.
        mov     $msg_unmapped, %esi
        call    puts
        mov     0xd0000f00, %eax
        call    print_hex
        call    newline

        call    start_aps

        mov     $msg_done, %esi
        call    puts
        mov     $0xfe, %al
        out     %al, $0x64
9:      hlt
        jmp     9b

# The number after "cpus=" on the command line, or 1.
cpus_wanted:
        mov     24(%edi), %esi
1:      mov     (%esi), %al
        test    %al, %al
        jz      3f
        cmpl    $0x73757063, (%esi)             # "cpus"
        jne     2f
        cmpb    $'=', 4(%esi)
        jne     2f
        movzbl  5(%esi), %eax
        sub     $'0', %eax
        ret
2:      inc     %esi
        jmp     1b
3:      mov     $1, %eax
        ret

start_aps:
        call    cpus_wanted
        mov     %eax, %ebp
        cmp     $1, %ebp
        jbe     9f
        # The trampoline must sit below 1 MiB on a page boundary: copy it there.
        mov     $ap_start, %esi
        mov     $TRAMPOLINE, %edi
        mov     $(ap_end - ap_start), %ecx
        rep movsb
        movl    $0, LOCK
        movl    $0, COUNT
        # Software-enable the local APIC (SVR bit 8), then INIT and two SIPIs to all but self
        # (ICR: destination shorthand 11, level assert; Intel SDM vol. 3 §10.6.1, §8.4.4.1).
        orl     $0x100, (LAPIC + 0xf0)
        movl    $0, (LAPIC + 0x310)
        movl    $0x000c4500, (LAPIC + 0x300)    # INIT
        movl    $0x000c4600 | (TRAMPOLINE >> 12), (LAPIC + 0x300)   # SIPI
        movl    $0x000c4600 | (TRAMPOLINE >> 12), (LAPIC + 0x300)
        dec     %ebp
1:      pause
        cmp     %ebp, COUNT
        jb      1b
        mov     $msg_all_up, %esi
        call    puts
        mov     COUNT, %eax
        inc     %eax
        call    print_hex
        call    newline
9:      ret

# Every virtio-mmio slot (8 of them, 4 KiB apart from 0xd0000000): MagicValue, Version, DeviceID,
# VendorID (an empty slot reads all ones); then, from the configuration space (offset 0x100), a
# 9p device's mount tag (le16 length, then the bytes) and a network card's first 8 bytes (MAC,
# status).
virtio_slots:
        xor     %ebp, %ebp
        mov     $0xd0000000, %ebx
1:      mov     $msg_virtio, %esi
        call    puts
        mov     %ebp, %eax
        add     $'0', %al
        call    putc
        mov     $msg_virtio_regs, %esi
        call    puts
        mov     0x000(%ebx), %eax
        call    print_hex
        call    space
        mov     0x004(%ebx), %eax
        call    print_hex
        call    space
        mov     0x008(%ebx), %eax
        call    print_hex
        call    space
        mov     0x00c(%ebx), %eax
        call    print_hex
        call    newline
        cmpl    $9, 0x008(%ebx)                 # virtio-9p
        jne     3f
        mov     $msg_tag, %esi
        call    puts
        movzwl  0x100(%ebx), %ecx
        xor     %edx, %edx
2:      cmp     %ecx, %edx
        jae     5f
        movb    0x102(%ebx,%edx), %al
        call    putc
        inc     %edx
        jmp     2b
3:      cmpl    $1, 0x008(%ebx)                 # virtio-net
        jne     6f
        mov     $msg_net, %esi
        call    puts
        mov     0x100(%ebx), %eax
        call    print_hex
        call    space
        mov     0x104(%ebx), %eax
        call    print_hex
5:      call    newline
6:      add     $0x1000, %ebx
        inc     %ebp
        cmp     $8, %ebp
        jb      1b
        ret

# puts: the zero-terminated string at %esi to COM1. Preserves all but %esi.
puts:
        push    %eax
        push    %edx
        mov     $0x3f8, %dx
1:      lodsb
        test    %al, %al
        jz      2f
        out     %al, %dx
        jmp     1b
2:      pop     %edx
        pop     %eax
        ret

# putc: %al to COM1. Preserves all registers.
putc:
        push    %eax
        jmp     1f
space:
        push    %eax
        mov     $' ', %al
        jmp     1f
newline:
        push    %eax
        mov     $'\n', %al
1:      push    %edx
        mov     $0x3f8, %dx
        out     %al, %dx
        pop     %edx
        pop     %eax
        ret

# print_hex: %eax as 0x and eight hex digits.
print_hex:
        push    %eax
        push    %ebx
        push    %ecx
        push    %edx
        mov     %eax, %ebx
        mov     $0x3f8, %dx
        mov     $'0', %al
        out     %al, %dx
        mov     $'x', %al
        out     %al, %dx
        mov     $8, %ecx
1:      rol     $4, %ebx
        mov     %bl, %al
        and     $0xf, %al
        cmp     $10, %al
        jb      2f
        add     $('a' - '0' - 10), %al
2:      add     $'0', %al
        out     %al, %dx
        loop    1b
        pop     %edx
        pop     %ecx
        pop     %ebx
        pop     %eax
        ret

# The application processors' real-mode entry, copied to TRAMPOLINE; SIPI starts it at
# CS:IP = 0300:0000. Addresses inside it are TRAMPOLINE-relative, with DS = 0.
        .code16
ap_start:
        cli
        xor     %ax, %ax
        mov     %ax, %ds
        mov     $1, %eax
        cpuid
        shr     $24, %ebx                       # initial APIC ID
1:      mov     $1, %al
        xchg    %al, (LOCK)
        test    %al, %al
        jz      2f
        pause
        jmp     1b
2:      mov     $0x3f8, %dx
        mov     $(TRAMPOLINE + ap_msg - ap_start), %si
3:      lodsb
        test    %al, %al
        jz      4f
        out     %al, %dx
        jmp     3b
4:      mov     %bl, %al
        add     $'0', %al
        out     %al, %dx
        mov     $(TRAMPOLINE + ap_msg2 - ap_start), %si
5:      lodsb
        test    %al, %al
        jz      6f
        out     %al, %dx
        jmp     5b
6:      lock incl (COUNT)
        movb    $0, (LOCK)
7:      cli
        hlt
        jmp     7b
ap_msg:         .asciz  "pvh: cpu "
ap_msg2:        .asciz  " up\n"
ap_end:

        .data
msg_magic:      .asciz  "pvh: start_info magic="
msg_cmdline:    .asciz  "pvh: cmdline="
msg_memmap:     .asciz  "pvh: memmap entries="
msg_modules:    .asciz  "pvh: modules="
msg_size:       .asciz  " size="
msg_pattern_ok: .asciz  " pattern ok"
msg_pattern_bad: .asciz " pattern MISMATCH"
msg_virtio:     .asciz  "pvh: virtio slot "
msg_virtio_regs: .asciz " magic/version/device/vendor="
msg_tag:        .asciz  "pvh:   9p tag="
msg_net:        .asciz  "pvh:   net config="
msg_unmapped:   .asciz  "pvh: unmapped MMIO reads "
msg_all_up:     .asciz  "pvh: cpus up="
msg_done:       .asciz  "pvh: done\n"
        .bss
        .align  16
        .space  4096
stack_top:
