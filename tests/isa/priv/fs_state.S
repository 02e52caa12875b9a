// The floating-point context status mstatus.FS (RISC-V privileged 1.12 §3.1.6.6): Off at reset in
// Vireo; while Off, every F/D instruction and every access to fcsr/fflags/frm is an illegal
// instruction, in every mode. An instruction that modifies the FP state (registers or fcsr) while
// FS is Initial or Clean makes it Dirty, which also sets mstatus.SD (bit 63), visible in sstatus.
#include "vireo_test.h"

TEST_BEGIN
    ld a0, vt_boot_mstatus
    li t0, MSTATUS_FS
    and a0, a0, t0
    CHECK 1, a0, 0                      // Off at reset

    li t0, MSTATUS_FS
    csrc mstatus, t0                    // Off again (the harness turned it on)
    CHECK_CSR_MASKED 2, mstatus, MSTATUS_FS | MSTATUS_SD, 0
    EXPECT_ILLEGAL 3, 0x00B57553, fadd.s fa0, fa0, fa1, dyn
    EXPECT_ILLEGAL 4, 0x02B57553, fadd.d fa0, fa0, fa1, dyn
    EXPECT_ILLEGAL 5, 0x00012507, flw fa0, 0(sp)
    EXPECT_ILLEGAL 6, 0x00A13027, fsd fa0, 0(sp)
    EXPECT_ILLEGAL 7, 0xE0050553, fmv.x.w a0, fa0
    EXPECT_ILLEGAL 8, 0xF2050553, fmv.d.x fa0, a0
    EXPECT_ILLEGAL 9, 0x00302573, csrr a0, fcsr
    EXPECT_ILLEGAL 10, 0x00105073, csrwi fflags, 0
    EXPECT_ILLEGAL 11, 0x00202573, frrm a0
    .option push
    .option rvc
    EXPECT_ILLEGAL 12, 0x2008, c.fld fa0, 0(s0)         // mtval: 0 or the 16 bits
    .option pop
    EXPECT_TRAP_IN_MODE 13, PRV_U, CAUSE_ILLEGAL_INSTRUCTION, fmv.w.x fa0, zero
    EXPECT_TRAP_IN_MODE 14, PRV_S, CAUSE_ILLEGAL_INSTRUCTION, csrr a0, fflags

    // Initial -> Dirty through a register write.
    li t0, MSTATUS_FS_INITIAL
    csrs mstatus, t0
    CHECK_CSR_MASKED 20, mstatus, MSTATUS_FS | MSTATUS_SD, MSTATUS_FS_INITIAL
    fmv.w.x fa0, zero
    CHECK_CSR_MASKED 21, mstatus, MSTATUS_FS | MSTATUS_SD, MSTATUS_FS_DIRTY | MSTATUS_SD
    CHECK_CSR_MASKED 22, sstatus, MSTATUS_FS | MSTATUS_SD, MSTATUS_FS_DIRTY | MSTATUS_SD

    // Clean -> Dirty through an fcsr write, and through a load into an FP register.
    li t0, MSTATUS_FS
    csrc mstatus, t0
    li t0, MSTATUS_FS_CLEAN
    csrs mstatus, t0
    CHECK_CSR_MASKED 30, mstatus, MSTATUS_FS | MSTATUS_SD, MSTATUS_FS_CLEAN
    csrwi fflags, FFLAGS_NX
    CHECK_CSR_MASKED 31, mstatus, MSTATUS_FS | MSTATUS_SD, MSTATUS_FS_DIRTY | MSTATUS_SD
    li t0, MSTATUS_FS
    csrc mstatus, t0
    li t0, MSTATUS_FS_CLEAN
    csrs mstatus, t0
    fld fa1, -8(sp)
    CHECK_CSR_MASKED 32, mstatus, MSTATUS_FS | MSTATUS_SD, MSTATUS_FS_DIRTY | MSTATUS_SD
    // ...and through an arithmetic instruction.
    li t0, MSTATUS_FS
    csrc mstatus, t0
    li t0, MSTATUS_FS_CLEAN
    csrs mstatus, t0
    fadd.d fa2, fa1, fa1
    CHECK_CSR_MASKED 33, mstatus, MSTATUS_FS | MSTATUS_SD, MSTATUS_FS_DIRTY | MSTATUS_SD

    // S-mode can switch FS through sstatus.
    li t0, MSTATUS_FS
    csrc mstatus, t0
    TRAP_ARM 1f
    ENTER_SMODE 2f
2:  li t0, MSTATUS_FS_INITIAL
    csrs sstatus, t0
    fmv.w.x fa0, zero                   // no trap now
    ecall
1:  CHECK_TRAP 40, CAUSE_SUPERVISOR_ECALL
    CHECK_CSR_MASKED 41, mstatus, MSTATUS_FS, MSTATUS_FS_DIRTY
    csrwi fcsr, 0
TEST_PASS
