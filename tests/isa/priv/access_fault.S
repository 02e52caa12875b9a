// Access faults (RISC-V privileged 1.12 §3.5.1, §3.1.15): a load, store/AMO or instruction fetch
// at a physical address that is neither RAM nor a device raises cause 5, 7 or 1, with mtval = the
// faulting address (§3.1.16) and mepc = the instruction (for a fetch, the target itself). The
// destination register of a faulting load is not written.
#include "vireo_test.h"

TEST_BEGIN
    li s0, UNMAPPED_ADDR
    li a0, 99
    EXPECT_TRAP 1, CAUSE_LOAD_ACCESS, ld a0, 0(s0)
    CHECK_TRAP_TVAL_REG 2, s0
    CHECK 3, a0, 99
    EXPECT_TRAP 4, CAUSE_LOAD_ACCESS, lbu a0, 0x123(s0)
    addi s1, s0, 0x123                  // mtval is the effective address
    CHECK_TRAP_TVAL_REG 5, s1
    EXPECT_TRAP 6, CAUSE_STORE_ACCESS, sw a0, -8(s0)
    addi s1, s0, -8
    CHECK_TRAP_TVAL_REG 7, s1
    EXPECT_TRAP 10, CAUSE_LOAD_ACCESS, lr.w a0, (s0)    // (AMOs: priv/access_fault_amo.S)
    CHECK_TRAP_TVAL_REG 11, s0
    EXPECT_TRAP 14, CAUSE_LOAD_ACCESS, fld fa0, 16(s0)
    addi s1, s0, 16
    CHECK_TRAP_TVAL_REG 15, s1
    EXPECT_TRAP 16, CAUSE_STORE_ACCESS, fsw fa0, 0(s0)
    CHECK 17, a0, 99

    // Instruction fetch: mepc and mtval are the target.
    TRAP_ARM 1f
    jalr ra, 0(s0)
1:  CHECK_TRAP 20, CAUSE_FETCH_ACCESS
    CHECK_TRAP_TVAL_REG 21, s0
    ld a1, vt_trap_epc
    CHECK_REG 22, a1, s0

    // The same from U-mode (PMP allows everything, so the cause is the missing memory).
    TRAP_ARM 1f
    ENTER_UMODE 2f
2:  sd zero, 8(s0)
1:  CHECK_TRAP 30, CAUSE_STORE_ACCESS
    addi s1, s0, 8
    CHECK_TRAP_TVAL_REG 31, s1
    CHECK_TRAP_STATUS 32, MSTATUS_MPP, 0
TEST_PASS
