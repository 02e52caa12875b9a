// Vireo's ISA test harness: start-up code, a recording M-mode trap handler, pass/fail reporting
// through HTIF, and the assembler macros the tests in tests/isa/<group>/<name>.S are written with.
//
// A test looks like this:
//
//     #include "vireo_test.h"
//     TEST_BEGIN
//         li   a0, 1
//         addi a1, a0, -2
//         CHECK 1, a1, -1                     // check 1: a1 == -1
//         EXPECT_TRAP 2, CAUSE_BREAKPOINT, ebreak
//     TEST_PASS
//
// The machine is Vireo's `--bare` machine (and QEMU's `-M spike`, which the suite is validated
// against): one hart starting in M-mode at _start, RAM at 0x8000_0000, a CLINT at 0x0200_0000 and
// HTIF through the `tohost`/`fromhost` symbols defined below.
//
// Exit status (the HTIF value >> 1), kept below 256 so that QEMU's process exit status carries it:
//   0          pass (after printing "vireo-test: PASS", which tests/isa/run_test.cmake also
//              requires, so that a runner that never looks at tohost cannot pass)
//   1..199     the check with that number failed (a message says what was found and expected)
//   200+c      an unexpected exception with mcause c was taken into M-mode
//   216+c      an unexpected exception with scause c was taken into S-mode by vt_strap_entry
//   232+c      an unexpected interrupt with code c (M- or S-mode; the message says which)
//
// Register conventions: gp holds the number of the check being run (it is what a failure
// reports, so tests must not use gp otherwise); every macro may clobber t5 and t6 and nothing else
// (the trap handlers clobber nothing but the CSRs they record into vt_trap_frame/vt_strap_frame,
// and mscratch/sscratch, which the harness owns while a trap is being handled). Reports (pass or
// fail), which end the test, may run in any mode: if paging hides tohost from that mode, the
// M-mode handler finishes them.
// All code assembles with `.option norvc`, so every instruction a test writes is the 32-bit
// encoding it names; the rv64c tests opt back in with `.option rvc` where they mean to.
#ifndef VIREO_TEST_H
#define VIREO_TEST_H

// ---- Architectural constants (names as in the specs) ----------------------------------------

// mcause/scause exception codes, RISC-V privileged 1.12 §3.1.15 table 3.6.
#define CAUSE_MISALIGNED_FETCH     0
#define CAUSE_FETCH_ACCESS         1
#define CAUSE_ILLEGAL_INSTRUCTION  2
#define CAUSE_BREAKPOINT           3
#define CAUSE_MISALIGNED_LOAD      4
#define CAUSE_LOAD_ACCESS          5
#define CAUSE_MISALIGNED_STORE     6
#define CAUSE_STORE_ACCESS         7
#define CAUSE_USER_ECALL           8
#define CAUSE_SUPERVISOR_ECALL     9
#define CAUSE_MACHINE_ECALL        11
#define CAUSE_FETCH_PAGE_FAULT     12
#define CAUSE_LOAD_PAGE_FAULT      13
#define CAUSE_STORE_PAGE_FAULT     15

// Interrupt codes (mcause with the Interrupt bit set), same table.
#define IRQ_S_SOFT   1
#define IRQ_M_SOFT   3
#define IRQ_S_TIMER  5
#define IRQ_M_TIMER  7
#define IRQ_S_EXT    9
#define IRQ_M_EXT    11
#define MCAUSE_INTERRUPT 0x8000000000000000
#define INTERRUPT_CAUSE(code) (MCAUSE_INTERRUPT | (code))

// mip/mie bits, privileged 1.12 §3.1.9.
#define MIP_SSIP (1 << IRQ_S_SOFT)
#define MIP_MSIP (1 << IRQ_M_SOFT)
#define MIP_STIP (1 << IRQ_S_TIMER)
#define MIP_MTIP (1 << IRQ_M_TIMER)
#define MIP_SEIP (1 << IRQ_S_EXT)
#define MIP_MEIP (1 << IRQ_M_EXT)

// mstatus fields, privileged 1.12 §3.1.6 (sstatus is a restricted view of the same register,
// §4.1.1).
#define MSTATUS_SIE   0x2
#define MSTATUS_MIE   0x8
#define MSTATUS_SPIE  0x20
#define MSTATUS_MPIE  0x80
#define MSTATUS_SPP   0x100
#define MSTATUS_MPP   0x1800
#define MSTATUS_MPP_S 0x0800
#define MSTATUS_MPP_M 0x1800
#define MSTATUS_FS    0x6000
#define MSTATUS_FS_INITIAL 0x2000
#define MSTATUS_FS_CLEAN   0x4000
#define MSTATUS_FS_DIRTY   0x6000
#define MSTATUS_XS    0x18000
#define MSTATUS_MPRV  0x20000
#define MSTATUS_SUM   0x40000
#define MSTATUS_MXR   0x80000
#define MSTATUS_TVM   0x100000
#define MSTATUS_TW    0x200000
#define MSTATUS_TSR   0x400000
#define MSTATUS_UXL   0x300000000
#define MSTATUS_SXL   0xC00000000
#define MSTATUS_SD    0x8000000000000000
#define SSTATUS_SIE   MSTATUS_SIE
#define SSTATUS_SPIE  MSTATUS_SPIE
#define SSTATUS_SPP   MSTATUS_SPP
#define SSTATUS_SUM   MSTATUS_SUM
#define SSTATUS_MXR   MSTATUS_MXR

// Privilege levels, privileged 1.12 §1.2 table 1.1.
#define PRV_U 0
#define PRV_S 1
#define PRV_M 3

// satp, privileged 1.12 §4.1.11: MODE in bits 63:60, PPN of the root table in bits 43:0.
#define SATP_MODE_SV39 0x8000000000000000
#define SATP_MODE_SV48 0x9000000000000000
#define SATP_MODE_SV57 0xA000000000000000

// Page-table entry bits, privileged 1.12 §4.3.1 (Sv39/48/57 share them, §4.4.1).
#define PTE_V 0x01
#define PTE_R 0x02
#define PTE_W 0x04
#define PTE_X 0x08
#define PTE_U 0x10
#define PTE_G 0x20
#define PTE_A 0x40
#define PTE_D 0x80
#define PTE_RWX (PTE_R | PTE_W | PTE_X)
// A leaf the hart never needs to update: accessed and dirty already set.
#define PTE_LEAF_RWX (PTE_V | PTE_RWX | PTE_A | PTE_D)
#define PAGE_SIZE 4096

// PMP, privileged 1.12 §3.7.1: pmpcfg.A = NAPOT plus R/W/X.
#define PMP_R 0x1
#define PMP_W 0x2
#define PMP_X 0x4
#define PMP_NAPOT 0x18

// fcsr, unprivileged 20191213 §11.2: rounding modes (frm) and exception flags (fflags).
#define FRM_RNE 0
#define FRM_RTZ 1
#define FRM_RDN 2
#define FRM_RUP 3
#define FRM_RMM 4
#define FRM_DYN 7
#define FFLAGS_NX 0x01
#define FFLAGS_UF 0x02
#define FFLAGS_OF 0x04
#define FFLAGS_DZ 0x08
#define FFLAGS_NV 0x10

// The bare machine's devices (Vireo `--bare`, QEMU `-M spike`): SiFive-compatible CLINT.
#define CLINT_BASE     0x02000000
#define CLINT_MSIP     (CLINT_BASE + 0x0)
#define CLINT_MTIMECMP (CLINT_BASE + 0x4000)
#define CLINT_MTIME    (CLINT_BASE + 0xBFF8)
#define RAM_BASE       0x80000000
// A physical address that is neither RAM nor a device on either machine.
#define UNMAPPED_ADDR  0x40000000

// HTIF: a store of (device << 56 | command << 48 | payload) to tohost. Device 0 command 0 with an
// odd payload ends the run with status payload >> 1; device 1 command 1 prints payload's low byte.
#define HTIF_CONSOLE_PUTC 0x0101000000000000

// Harness-private: the layout of the trap records vt_trap_frame (M-mode, vt_trap_entry) and
// vt_strap_frame (S-mode, vt_strap_entry).
#define VT_FRAME_CAUSE  0
#define VT_FRAME_EPC    8
#define VT_FRAME_TVAL   16
#define VT_FRAME_STATUS 24
#define VT_FRAME_RESUME 32
#define VT_FRAME_COUNT  40
#define VT_FRAME_T1     48

// Harness-private: a7 value with which vt_strap_entry asks the M-mode handler to report.
#define VT_ECALL_STRAP_REPORT 0x5649524545 /* "VIREE" */

// ---- Macros for tests ------------------------------------------------------------------------

// Starts the test body; the start-up code jumps here in M-mode.
.macro TEST_BEGIN
    .text
    .option norvc
    .globl vt_test
vt_test:
.endm

// Ends the test successfully (from any privilege mode; see vt_report_begin).
.macro TEST_PASS
    j vt_pass
.endm

// Sets the check number reported if what follows fails. 1..199; the rest are the harness's.
.macro VT_CHECK_NUM n
    .if (\n) < 1 || (\n) > 199
    .error "check numbers are 1..199"
    .endif
    li gp, \n
.endm

// Fails check n unconditionally (for paths that must not be reached).
.macro FAIL n
    VT_CHECK_NUM \n
    j vt_fail
.endm

// Check n: register reg == expected (any 64-bit constant).
.macro CHECK n, reg, expected
    VT_CHECK_NUM \n
    mv t5, \reg
    li t6, \expected
    beq t5, t6, .Lvt_ok\@
    j vt_fail_value
.Lvt_ok\@:
.endm

// Check n: register a == register b.
.macro CHECK_REG n, a, b
    VT_CHECK_NUM \n
    mv t5, \a
    mv t6, \b
    beq t5, t6, .Lvt_ok\@
    j vt_fail_value
.Lvt_ok\@:
.endm

// Check n: register reg == the address of symbol or label sym.
.macro CHECK_ADDR n, reg, sym
    VT_CHECK_NUM \n
    mv t5, \reg
    la t6, \sym
    beq t5, t6, .Lvt_ok\@
    j vt_fail_value
.Lvt_ok\@:
.endm

// Check n: CSR csr == expected.
.macro CHECK_CSR n, csr, expected
    VT_CHECK_NUM \n
    csrr t5, \csr
    li t6, \expected
    beq t5, t6, .Lvt_ok\@
    j vt_fail_value
.Lvt_ok\@:
.endm

// Check n: (CSR csr & mask) == expected.
.macro CHECK_CSR_MASKED n, csr, mask, expected
    VT_CHECK_NUM \n
    csrr t5, \csr
    li t6, \mask
    and t5, t5, t6
    li t6, \expected
    beq t5, t6, .Lvt_ok\@
    j vt_fail_value
.Lvt_ok\@:
.endm

// Check n: the 64 bits of FP register freg == bits (so the NaN-boxing of singles is checked too).
.macro CHECK_FD n, freg, bits
    VT_CHECK_NUM \n
    fmv.x.d t5, \freg
    li t6, \bits
    beq t5, t6, .Lvt_ok\@
    j vt_fail_value
.Lvt_ok\@:
.endm

// Check n: freg holds the single-precision value bits, properly NaN-boxed
// (unprivileged 20191213 §12.2: the upper 32 bits are all ones).
.macro CHECK_FS n, freg, bits
    CHECK_FD \n, \freg, (0xFFFFFFFF00000000 | (\bits))
.endm

// freg = the single-precision value with these bits, NaN-boxed (through FMV.W.X).
.macro LOAD_FS freg, bits
    li t6, \bits
    fmv.w.x \freg, t6
.endm

// freg = exactly these 64 bits (through FMV.D.X), e.g. a double, or an improperly boxed single.
.macro LOAD_FD freg, bits
    li t6, \bits
    fmv.d.x \freg, t6
.endm

// Check n: fflags == flags, then clears fflags for the next check.
.macro CHECK_FFLAGS n, flags
    VT_CHECK_NUM \n
    csrrw t5, fflags, zero
    li t6, \flags
    beq t5, t6, .Lvt_ok\@
    j vt_fail_value
.Lvt_ok\@:
.endm

// Arms the M-mode trap handler: the next trap taken into M-mode is recorded in vt_trap_frame and
// execution resumes at label, in M-mode with mstatus.MIE = 0 and MPRV = 0 (whatever mode
// trapped). One-shot.
// Also marks the recorded cause as "no trap yet", so CHECK_TRAP fails if nothing trapped.
.macro TRAP_ARM label
    la t6, \label
    sd t6, vt_trap_resume, t5
    li t6, -1
    sd t6, vt_trap_cause, t5
.endm

// Disarms the M-mode handler without a trap having happened.
.macro TRAP_DISARM
    sd zero, vt_trap_resume, t5
.endm

// Check n: the last trap into M-mode had mcause == cause.
.macro CHECK_TRAP n, cause
    VT_CHECK_NUM \n
    ld t5, vt_trap_cause
    li t6, \cause
    beq t5, t6, .Lvt_ok\@
    j vt_fail_value
.Lvt_ok\@:
.endm

// Check n: the last trap into M-mode had mepc == the address of label.
.macro CHECK_TRAP_EPC n, label
    VT_CHECK_NUM \n
    ld t5, vt_trap_epc
    la t6, \label
    beq t5, t6, .Lvt_ok\@
    j vt_fail_value
.Lvt_ok\@:
.endm

// Check n: the last trap into M-mode had mtval == value (a constant).
.macro CHECK_TRAP_TVAL n, value
    VT_CHECK_NUM \n
    ld t5, vt_trap_tval
    li t6, \value
    beq t5, t6, .Lvt_ok\@
    j vt_fail_value
.Lvt_ok\@:
.endm

// Check n: the last trap into M-mode had mtval == register reg.
.macro CHECK_TRAP_TVAL_REG n, reg
    VT_CHECK_NUM \n
    ld t5, vt_trap_tval
    mv t6, \reg
    beq t5, t6, .Lvt_ok\@
    j vt_fail_value
.Lvt_ok\@:
.endm

// Check n: the last trap into M-mode had mtval == the address of label (e.g. EBREAK, fetch faults).
.macro CHECK_TRAP_TVAL_ADDR n, label
    VT_CHECK_NUM \n
    ld t5, vt_trap_tval
    la t6, \label
    beq t5, t6, .Lvt_ok\@
    j vt_fail_value
.Lvt_ok\@:
.endm

// Check n: (mstatus as it was right after the last trap into M-mode & mask) == expected.
.macro CHECK_TRAP_STATUS n, mask, expected
    VT_CHECK_NUM \n
    ld t5, vt_trap_status
    li t6, \mask
    and t5, t5, t6
    li t6, \expected
    beq t5, t6, .Lvt_ok\@
    j vt_fail_value
.Lvt_ok\@:
.endm

// Check n: executing insn (one instruction, any operands) traps into M-mode with mcause == cause
// and mepc == its address. Execution continues after the macro in M-mode.
.macro EXPECT_TRAP n, cause, insn:vararg
    TRAP_ARM .Lvt_resume\@
.Lvt_insn\@:
    \insn
.Lvt_resume\@:
    CHECK_TRAP \n, \cause
    CHECK_TRAP_EPC \n, .Lvt_insn\@
.endm

// Like EXPECT_TRAP, for an illegal instruction; mtval must be 0 or the instruction's bits
// (privileged 1.12 §3.1.16 allows both). bits is the 32-bit encoding insn assembles to.
.macro EXPECT_ILLEGAL n, bits, insn:vararg
    EXPECT_TRAP \n, CAUSE_ILLEGAL_INSTRUCTION, \insn
    ld t5, vt_trap_tval
    beqz t5, .Lvt_ok\@
    li t6, \bits
    beq t5, t6, .Lvt_ok\@
    j vt_fail_value
.Lvt_ok\@:
.endm

// Check n: insn executes without trapping (in M-mode, with the handler armed around it).
.macro EXPECT_NO_TRAP n, insn:vararg
    TRAP_ARM .Lvt_resume\@
    \insn
    TRAP_DISARM
    j .Lvt_done\@
.Lvt_resume\@:
    FAIL \n
.Lvt_done\@:
.endm

// Waits, in any mode, for an armed trap (typically an interrupt) to take execution elsewhere; fails
// check n if none has come after `iterations` rounds of a two-instruction loop.
.macro WAIT_FOR_TRAP n, iterations=1000000
    li t6, \iterations
.Lvt_wait\@:
    addi t6, t6, -1
    bnez t6, .Lvt_wait\@
    FAIL \n
.endm

// Leaves M-mode for mode (PRV_S or PRV_U, or PRV_M) at label, through MRET with mstatus.MPP = mode
// (privileged 1.12 §3.3.2). mstatus.MPIE is left as it is. With offset, enters at label + offset
// instead: the same code seen through another virtual mapping (paging tests).
.macro ENTER_MODE mode, label, offset=0
    la t6, \label
    .if (\offset) != 0
    li t5, \offset
    add t6, t6, t5
    .endif
    csrw mepc, t6
    li t6, MSTATUS_MPP
    csrc mstatus, t6
    li t6, ((\mode) << 11)
    csrs mstatus, t6
    mret
.endm
.macro ENTER_SMODE label, offset=0
    ENTER_MODE PRV_S, \label, \offset
.endm
.macro ENTER_UMODE label, offset=0
    ENTER_MODE PRV_U, \label, \offset
.endm

// Check n: insn, run in mode (PRV_S or PRV_U) at its own address, traps into M-mode with mcause ==
// cause. If it does not trap, the ECALL after it does, and the check fails with that cause.
// Execution continues in M-mode.
.macro EXPECT_TRAP_IN_MODE n, mode, cause, insn:vararg
    TRAP_ARM .Lvt_resume\@
    ENTER_MODE \mode, .Lvt_lower\@
.Lvt_lower\@:
    \insn
    ecall
.Lvt_resume\@:
    CHECK_TRAP \n, \cause
.endm

// Check n: insn, run in mode (PRV_S or PRV_U) at its own address, completes without a trap
// (the ECALL after it is then the trap, with cause 8 or 9). Execution continues in M-mode.
.macro EXPECT_OK_IN_MODE n, mode, insn:vararg
    TRAP_ARM .Lvt_resume\@
    ENTER_MODE \mode, .Lvt_lower\@
.Lvt_lower\@:
    \insn
    ecall
.Lvt_resume\@:
    .if (\mode) == PRV_U
    CHECK_TRAP \n, CAUSE_USER_ECALL
    .else
    CHECK_TRAP \n, CAUSE_SUPERVISOR_ECALL
    .endif
.endm

// S-mode counterpart of TRAP_ARM for traps delegated to S-mode and handled by vt_strap_entry
// (set stvec to it): the next such trap is recorded in vt_strap_frame and execution resumes at
// label in S-mode with sstatus.SIE = 0. Needs the harness reachable from S-mode at its physical
// addresses (identity-mapped, when paging is on).
.macro STRAP_ARM label
    la t6, \label
    sd t6, vt_strap_resume, t5
    li t6, -1
    sd t6, vt_strap_cause, t5
.endm

// Check n: the last trap into S-mode (through vt_strap_entry) had scause == cause.
.macro CHECK_STRAP n, cause
    VT_CHECK_NUM \n
    ld t5, vt_strap_cause
    li t6, \cause
    beq t5, t6, .Lvt_ok\@
    j vt_fail_value
.Lvt_ok\@:
.endm

// Check n: the last trap into S-mode had sepc == the address of label.
.macro CHECK_STRAP_EPC n, label
    VT_CHECK_NUM \n
    ld t5, vt_strap_epc
    la t6, \label
    beq t5, t6, .Lvt_ok\@
    j vt_fail_value
.Lvt_ok\@:
.endm

// Check n: the last trap into S-mode had stval == register reg.
.macro CHECK_STRAP_TVAL_REG n, reg
    VT_CHECK_NUM \n
    ld t5, vt_strap_tval
    mv t6, \reg
    beq t5, t6, .Lvt_ok\@
    j vt_fail_value
.Lvt_ok\@:
.endm

// rd = the leaf or pointer PTE for physical address pa (a register) with flags,
// privileged 1.12 §4.4.1: PPN = pa >> 12 goes in bits 53:10.
.macro MAKE_PTE rd, pa, flags
    srli \rd, \pa, 12
    slli \rd, \rd, 10
    ori \rd, \rd, \flags
.endm

// table[index] = PTE for physical address pa (a register) with flags. table is a symbol,
// index 0..511. Clobbers t5 and t6.
.macro SET_PTE table, index, pa, flags
    MAKE_PTE t5, \pa, \flags
    la t6, \table
    .if (\index) < 256
    sd t5, ((\index) * 8)(t6)
    .else
    addi t6, t6, 2047
    sd t5, ((\index) * 8 - 2047)(t6)
    .endif
.endm

// table[index] = a pointer to the next-level table next (a symbol): a non-leaf PTE, V only.
.macro SET_PTE_TABLE table, index, next
    la t5, \next
    MAKE_PTE t5, t5, PTE_V
    la t6, \table
    .if (\index) < 256
    sd t5, ((\index) * 8)(t6)
    .else
    addi t6, t6, 2047
    sd t5, ((\index) * 8 - 2047)(t6)
    .endif
.endm

// satp = mode | PPN(root); then sfence.vma (privileged 1.12 §4.2.1) so no stale translation is
// used. Takes effect in S- and U-mode (and for M-mode loads/stores only through MPRV).
.macro SET_SATP mode, root
    la t5, \root
    srli t5, t5, 12
    li t6, \mode
    or t5, t5, t6
    csrw satp, t5
    sfence.vma
.endm

// ---- The harness itself ------------------------------------------------------------------------

    .section .text.init, "ax", @progbits
    .option norvc
    .globl _start
_start:
    // The handler first, so that a fault in the start-up code is reported too.
    la t0, vt_trap_entry
    csrw mtvec, t0
    // Keep what reset left for the tests that check it: a0 = mhartid, and mstatus.
    sd a0, vt_boot_a0, t0
    csrr t1, mstatus
    sd t1, vt_boot_mstatus, t0
    // PMP entry 0 covers all of memory with RWX: with PMP implemented, S- and U-mode accesses that
    // match no entry fail (privileged 1.12 §3.7.1). Vireo does not enforce PMP; QEMU does.
    li t0, -1
    csrw pmpaddr0, t0
    li t0, PMP_NAPOT | PMP_R | PMP_W | PMP_X
    csrw pmpcfg0, t0
    // The FPU is Off at reset (privileged 1.12 §3.1.6.6); turn it on so that F and D instructions
    // do not trap, with round-to-nearest-even and no flags raised.
    li t0, MSTATUS_FS_INITIAL
    csrs mstatus, t0
    csrwi fcsr, 0
    // Nothing delegated, no interrupt enabled, no translation: each test opts in.
    csrw medeleg, zero
    csrw mideleg, zero
    csrw mie, zero
    csrw satp, zero
    la sp, vt_stack_top
    li gp, 0
    j vt_test

// The M-mode trap handler (mtvec, direct mode). Records mcause, mepc, mtval and mstatus in
// vt_trap_frame; then, if armed by TRAP_ARM, resumes at the armed label in M-mode, otherwise
// reports an unexpected trap. t0 is kept in mscratch while it runs; nothing else is clobbered.
    .align 2
    .globl vt_trap_entry
vt_trap_entry:
    csrw mscratch, t0
    la t0, vt_trap_frame
    sd t1, VT_FRAME_T1(t0)
    csrr t1, mcause
    sd t1, VT_FRAME_CAUSE(t0)
    csrr t1, mepc
    sd t1, VT_FRAME_EPC(t0)
    csrr t1, mtval
    sd t1, VT_FRAME_TVAL(t0)
    csrr t1, mstatus
    sd t1, VT_FRAME_STATUS(t0)
    ld t1, VT_FRAME_COUNT(t0)
    addi t1, t1, 1
    sd t1, VT_FRAME_COUNT(t0)

    // A report (vt_pass/vt_fail*) started in S- or U-mode faults if paging hides tohost or the
    // harness; restart it here in M-mode, where addresses are physical. t4 says which report was
    // running. Checked before the armed resume so that a failing EXPECT_TRAP in a lower mode is
    // reported, not resumed.
    csrr t1, mepc
    la t0, vt_report_begin
    bltu t1, t0, 1f
    la t0, vt_report_end
    bgeu t1, t0, 1f
    ld t1, vt_trap_frame + VT_FRAME_T1
    csrr t0, mscratch
    bnez t4, 2f
    j vt_pass
2:  addi t4, t4, -1
    bnez t4, 3f
    j vt_fail
3:  j vt_fail_value
1:
    // vt_strap_entry asks for an unexpected S-mode trap to be reported with an ECALL from S-mode.
    csrr t1, mcause
    li t0, CAUSE_SUPERVISOR_ECALL
    bne t1, t0, 1f
    li t0, VT_ECALL_STRAP_REPORT
    beq a7, t0, vt_report_strap
1:
    la t0, vt_trap_frame
    ld t1, VT_FRAME_RESUME(t0)
    beqz t1, vt_report_trap
    sd zero, VT_FRAME_RESUME(t0)
    csrw mepc, t1
    // MRET to M-mode (MPP = M) with MIE = MPIE = 0, so that a still-pending interrupt does not
    // re-enter at once (privileged 1.12 §3.1.6.1), and with MPRV = 0: returning to M-mode keeps
    // MPRV, and MRET leaves MPP = U, which would make the resumed code's loads and stores
    // translated as U-mode ones (§3.1.6.3).
    li t1, MSTATUS_MPP
    csrs mstatus, t1
    li t1, MSTATUS_MPIE | MSTATUS_MPRV
    csrc mstatus, t1
    ld t1, VT_FRAME_T1(t0)
    csrr t0, mscratch
    mret

// The S-mode trap handler for tests that delegate traps (stvec = vt_strap_entry): records scause,
// sepc, stval and sstatus in vt_strap_frame and resumes at the label armed by STRAP_ARM, in
// S-mode; an unexpected trap is passed to M-mode with an ECALL to be reported.
    .align 2
    .globl vt_strap_entry
vt_strap_entry:
    csrw sscratch, t0
    la t0, vt_strap_frame
    sd t1, VT_FRAME_T1(t0)
    csrr t1, scause
    sd t1, VT_FRAME_CAUSE(t0)
    csrr t1, sepc
    sd t1, VT_FRAME_EPC(t0)
    csrr t1, stval
    sd t1, VT_FRAME_TVAL(t0)
    csrr t1, sstatus
    sd t1, VT_FRAME_STATUS(t0)
    ld t1, VT_FRAME_COUNT(t0)
    addi t1, t1, 1
    sd t1, VT_FRAME_COUNT(t0)
    ld t1, VT_FRAME_RESUME(t0)
    beqz t1, 1f
    sd zero, VT_FRAME_RESUME(t0)
    csrw sepc, t1
    // SRET to S-mode (SPP = 1) with SIE = SPIE = 0 (privileged 1.12 §4.1.1).
    li t1, SSTATUS_SPP
    csrs sstatus, t1
    li t1, SSTATUS_SPIE
    csrc sstatus, t1
    ld t1, VT_FRAME_T1(t0)
    csrr t0, sscratch
    sret
1:  li a7, VT_ECALL_STRAP_REPORT
    ecall

// ---- Reports --------------------------------------------------------------------------------
// An unexpected trap into M-mode: prints what vt_trap_frame recorded. M-mode only.
vt_report_trap:
    la a1, vt_str_trap
    jal vt_puts
    ld a1, vt_trap_cause
    jal vt_puthex
    la a1, vt_str_epc
    jal vt_puts
    ld a1, vt_trap_epc
    jal vt_puthex
    la a1, vt_str_tval
    jal vt_puts
    ld a1, vt_trap_tval
    jal vt_puthex
    la a1, vt_str_after
    jal vt_puts
    mv a1, gp
    jal vt_putdec
    la a1, vt_str_close
    jal vt_puts
    ld a1, vt_trap_cause
    j vt_exit_for_cause

// An unexpected trap into S-mode, passed up by vt_strap_entry. M-mode only.
vt_report_strap:
    la a1, vt_str_strap
    jal vt_puts
    ld a1, vt_strap_cause
    jal vt_puthex
    la a1, vt_str_epc
    jal vt_puts
    ld a1, vt_strap_epc
    jal vt_puthex
    la a1, vt_str_tval
    jal vt_puts
    ld a1, vt_strap_tval
    jal vt_puthex
    la a1, vt_str_after
    jal vt_puts
    mv a1, gp
    jal vt_putdec
    la a1, vt_str_close
    jal vt_puts
    ld a1, vt_strap_cause
    bltz a1, vt_exit_for_cause          // interrupts share 232 + code
    andi a1, a1, 15
    addi a0, a1, 216
    j vt_exit

// a1 = a cause: exit with 232 + code for an interrupt, 200 + code for an exception.
vt_exit_for_cause:
    bltz a1, 1f
    andi a1, a1, 15
    addi a0, a1, 200
    j vt_exit
1:  andi a1, a1, 15
    addi a0, a1, 232
    j vt_exit

// Everything from vt_report_begin to vt_report_end may run in any privilege mode. The three
// entries set t4 to say which they are and keep gp, t4, t5 and t6 intact, so that the M-mode
// handler can restart them when a lower mode cannot reach tohost or the strings.
vt_report_begin:
    .globl vt_pass
vt_pass:
    li t4, 0
    la a1, vt_str_pass                  // what tests/isa/run_test.cmake looks for
    jal vt_puts
    li a0, 0
    j vt_exit

// Check gp failed.
    .globl vt_fail
vt_fail:
    li t4, 1
    la a1, vt_str_fail
    jal vt_puts
    mv a1, gp
    jal vt_putdec
    li a0, '\n'
    jal vt_putc
    mv a0, gp
    j vt_exit

// Check gp failed: t5 is what was found, t6 what was expected.
    .globl vt_fail_value
vt_fail_value:
    li t4, 2
    la a1, vt_str_fail
    jal vt_puts
    mv a1, gp
    jal vt_putdec
    la a1, vt_str_got
    jal vt_puts
    mv a1, t5
    jal vt_puthex
    la a1, vt_str_expected
    jal vt_puts
    mv a1, t6
    jal vt_puthex
    li a0, '\n'
    jal vt_putc
    mv a0, gp
    j vt_exit

// Ends the run with exit status a0 (HTIF device 0, command 0, payload a0 << 1 | 1).
vt_exit:
    slli a0, a0, 1
    ori a0, a0, 1
    la t0, tohost
    sd a0, 0(t0)
1:  j 1b

// Prints the character in a0 on the HTIF console. Clobbers t0, t1.
vt_putc:
    li t0, HTIF_CONSOLE_PUTC
    or t0, t0, a0
    la t1, tohost
    sd t0, 0(t1)
    ret

// Prints the NUL-terminated string at a1. Clobbers a0-a2, t0, t1.
vt_puts:
    mv a2, ra
1:  lbu a0, 0(a1)
    beqz a0, 2f
    jal vt_putc
    addi a1, a1, 1
    j 1b
2:  mv ra, a2
    ret

// Prints a1 as 16 hexadecimal digits. Clobbers a0-a3, t0, t1.
vt_puthex:
    mv a2, ra
    li a3, 60
1:  srl a0, a1, a3
    andi a0, a0, 15
    addi a0, a0, '0'
    li t0, '9'
    ble a0, t0, 2f
    addi a0, a0, 'a' - '9' - 1
2:  jal vt_putc
    addi a3, a3, -4
    bgez a3, 1b
    mv ra, a2
    ret

// Prints a1 (0..999) in decimal. Clobbers a0-a4, t0, t1.
vt_putdec:
    mv a2, ra
    li a3, 100
    li a4, 0                // set once a digit has been printed: no leading zeros
1:  divu a0, a1, a3
    remu a1, a1, a3
    bnez a0, 2f
    bnez a4, 2f
    li t0, 1
    bne a3, t0, 3f
2:  addi a0, a0, '0'
    jal vt_putc
    li a4, 1
3:  li t0, 10
    divu a3, a3, t0
    bnez a3, 1b
    mv ra, a2
    ret
vt_report_end:

    .section .rodata.vireo, "a", @progbits
vt_str_pass:     .asciz "vireo-test: PASS\n"
vt_str_fail:     .asciz "vireo-test: FAIL: check "
vt_str_got:      .asciz ": got 0x"
vt_str_expected: .asciz ", expected 0x"
vt_str_trap:     .asciz "vireo-test: FAIL: unexpected trap into M-mode: mcause=0x"
vt_str_strap:    .asciz "vireo-test: FAIL: unexpected trap into S-mode: scause=0x"
vt_str_epc:      .asciz " epc=0x"
vt_str_tval:     .asciz " tval=0x"
vt_str_after:    .asciz " (last check started: "
vt_str_close:    .asciz ")\n"

    .section .data.vireo, "aw", @progbits
    .align 3
    .globl vt_trap_frame, vt_trap_cause, vt_trap_epc, vt_trap_tval, vt_trap_status
    .globl vt_trap_resume, vt_trap_count
vt_trap_frame:
vt_trap_cause:   .dword 0
vt_trap_epc:     .dword 0
vt_trap_tval:    .dword 0
vt_trap_status:  .dword 0
vt_trap_resume:  .dword 0
vt_trap_count:   .dword 0   // traps taken into M-mode so far
                 .dword 0   // t1 while the handler runs
    .globl vt_boot_a0, vt_boot_mstatus
vt_boot_a0:      .dword 0   // a0 as the hart started (its hart ID)
vt_boot_mstatus: .dword 0   // mstatus as the hart started
    .globl vt_strap_frame, vt_strap_cause, vt_strap_epc, vt_strap_tval, vt_strap_status
    .globl vt_strap_resume, vt_strap_count
vt_strap_frame:
vt_strap_cause:  .dword 0
vt_strap_epc:    .dword 0
vt_strap_tval:   .dword 0
vt_strap_status: .dword 0
vt_strap_resume: .dword 0
vt_strap_count:  .dword 0
                 .dword 0

    // HTIF mailboxes: 64-bit each, in their own page (see link.ld) so that paging tests can
    // leave them unmapped without hiding anything else.
    .section .tohost, "aw", @progbits
    .align 3
    .globl tohost, fromhost
    .type tohost, @object
    .size tohost, 8
tohost:   .dword 0
    .type fromhost, @object
    .size fromhost, 8
fromhost: .dword 0

    .section .bss.vireo, "aw", @nobits
    .align 4
vt_stack:
    .space 4096
vt_stack_top:

#endif // VIREO_TEST_H
