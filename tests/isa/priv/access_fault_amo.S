// An AMO at a physical address that is neither RAM nor a device raises a store/AMO access fault,
// cause 7, with mtval = the address (RISC-V privileged 1.12 §3.1.15 table 3.6, §3.5.1); rd and
// memory are not written. Not run under QEMU 7.2, which reports AMO faults as load access faults
// (cause 5).
#include "vireo_test.h"

TEST_BEGIN
    li s0, UNMAPPED_ADDR
    li a0, 99
    EXPECT_TRAP 1, CAUSE_STORE_ACCESS, amoadd.d a0, a0, (s0)
    CHECK_TRAP_TVAL_REG 2, s0
    EXPECT_TRAP 3, CAUSE_STORE_ACCESS, amoswap.w.aqrl a0, a0, (s0)
    CHECK_TRAP_TVAL_REG 4, s0
    addi s1, s0, 64
    EXPECT_TRAP 5, CAUSE_STORE_ACCESS, amomaxu.d a0, a0, (s1)
    CHECK_TRAP_TVAL_REG 6, s1
    CHECK 7, a0, 99
TEST_PASS
