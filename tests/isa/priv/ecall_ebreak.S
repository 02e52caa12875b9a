// ECALL and EBREAK (RISC-V privileged 1.12 §3.3.1): ECALL raises an environment-call exception
// whose cause names the mode it came from (U: 8, S: 9, M: 11); EBREAK raises a breakpoint
// (cause 3). mepc is the address of the instruction itself; mtval is 0 for ECALL, and 0 or the pc
// for EBREAK (§3.1.16; Vireo writes the pc, which priv/ebreak_tval.S checks).
#include "vireo_test.h"

TEST_BEGIN
    li t0, 0x55
    csrw mtval, t0                      // so that "written with 0" is observable

    // ECALL from M-, S- and U-mode.
    EXPECT_TRAP 1, CAUSE_MACHINE_ECALL, ecall
    CHECK_TRAP_TVAL 2, 0
    CHECK_TRAP_STATUS 3, MSTATUS_MPP, MSTATUS_MPP_M

    csrw mtval, t0
    TRAP_ARM 1f
    ENTER_SMODE 2f
2:  ecall
1:  CHECK_TRAP 10, CAUSE_SUPERVISOR_ECALL
    CHECK_TRAP_EPC 11, 2b
    CHECK_TRAP_TVAL 12, 0
    CHECK_TRAP_STATUS 13, MSTATUS_MPP, MSTATUS_MPP_S

    csrw mtval, t0
    TRAP_ARM 1f
    ENTER_UMODE 2f
2:  ecall
1:  CHECK_TRAP 20, CAUSE_USER_ECALL
    CHECK_TRAP_EPC 21, 2b
    CHECK_TRAP_TVAL 22, 0
    CHECK_TRAP_STATUS 23, MSTATUS_MPP, 0

    // EBREAK from each mode.
    TRAP_ARM 1f
2:  ebreak
1:  CHECK_TRAP 30, CAUSE_BREAKPOINT
    CHECK_TRAP_EPC 31, 2b
    ld a0, vt_trap_tval
    beqz a0, 3f
    CHECK_ADDR 32, a0, 2b
3:
    TRAP_ARM 1f
    ENTER_SMODE 2f
2:  ebreak
1:  CHECK_TRAP 40, CAUSE_BREAKPOINT
    CHECK_TRAP_EPC 41, 2b
    CHECK_TRAP_STATUS 42, MSTATUS_MPP, MSTATUS_MPP_S
    ld a0, vt_trap_tval
    beqz a0, 3f
    CHECK_ADDR 43, a0, 2b
3:
    TRAP_ARM 1f
    ENTER_UMODE 2f
2:  ebreak
1:  CHECK_TRAP 50, CAUSE_BREAKPOINT
    CHECK_TRAP_EPC 51, 2b
    CHECK_TRAP_STATUS 52, MSTATUS_MPP, 0
    ld a0, vt_trap_tval
    beqz a0, 3f
    CHECK_ADDR 53, a0, 2b
3:
TEST_PASS
