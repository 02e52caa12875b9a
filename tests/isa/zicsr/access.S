// CSR access rules (RISC-V privileged 1.12 §2.1, §2.6): an access to a CSR that does not exist,
// or whose address bits 9:8 name a more privileged level than the current one, is an illegal
// instruction; so is a write to a read-only CSR. mtval is 0 or the instruction bits.
#include "vireo_test.h"

TEST_BEGIN
    // CSR numbers no standard extension Vireo implements defines.
    EXPECT_ILLEGAL 1, 0x7FF02573, csrr a0, 0x7FF          // a custom M-mode read/write CSR
    EXPECT_ILLEGAL 2, 0x3FF02573, csrr a0, 0x3FF
    EXPECT_ILLEGAL 3, 0x0C002573, csrr a0, 0x0C0

    // S-mode: no M-mode CSRs; its own S-mode CSRs work.
    TRAP_ARM 1f
    ENTER_SMODE 2f
2:  csrr a0, sscratch                   // fine
    csrr a0, sstatus                    // fine
3:  csrr a0, mstatus                    // illegal
    FAIL 4
1:  CHECK_TRAP 5, CAUSE_ILLEGAL_INSTRUCTION
    CHECK_TRAP_EPC 6, 3b
    CHECK_TRAP_STATUS 7, MSTATUS_MPP, MSTATUS_MPP_S    // it came from S-mode
    TRAP_ARM 1f
    ENTER_SMODE 2f
2:  csrw mscratch, zero
    FAIL 8
1:  CHECK_TRAP 9, CAUSE_ILLEGAL_INSTRUCTION

    // U-mode: no S- or M-mode CSRs.
    TRAP_ARM 1f
    ENTER_UMODE 2f
2:  csrr a0, sscratch
    FAIL 10
1:  CHECK_TRAP 11, CAUSE_ILLEGAL_INSTRUCTION
    CHECK_TRAP_STATUS 12, MSTATUS_MPP, 0
    TRAP_ARM 1f
    ENTER_UMODE 2f
2:  csrr a0, mepc
    FAIL 13
1:  CHECK_TRAP 14, CAUSE_ILLEGAL_INSTRUCTION
    TRAP_ARM 1f
    ENTER_UMODE 2f
2:  csrr a0, satp
    FAIL 15
1:  CHECK_TRAP 16, CAUSE_ILLEGAL_INSTRUCTION

    // U-mode may use the floating-point CSRs (FS is on).
    TRAP_ARM 1f
    ENTER_UMODE 2f
2:  csrr a0, fcsr
    csrw fflags, zero
    ecall
1:  CHECK_TRAP 20, CAUSE_USER_ECALL

    // M-mode reads its identification CSRs; writes to them are illegal.
    csrr a0, mvendorid
    csrr a0, marchid
    csrr a0, mimpid
    CHECK_CSR 30, mhartid, 0
    EXPECT_ILLEGAL 31, 0xF1351073, csrw mimpid, a0
TEST_PASS
