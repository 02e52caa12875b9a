// Vireo writes mtval = the pc on EBREAK and C.EBREAK: privileged 1.12 §3.1.16 allows 0 or the
// faulting virtual address for a breakpoint, and Vireo's contract is the address.
// Not run under QEMU 7.2, which writes 0.
#include "vireo_test.h"

TEST_BEGIN
    TRAP_ARM 1f
2:  ebreak
1:  CHECK_TRAP 1, CAUSE_BREAKPOINT
    CHECK_TRAP_TVAL_ADDR 2, 2b

    TRAP_ARM 1f
    ENTER_UMODE 2f
2:  ebreak
1:  CHECK_TRAP 3, CAUSE_BREAKPOINT
    CHECK_TRAP_TVAL_ADDR 4, 2b

    .option push
    .option rvc
    c.nop                               // the C.EBREAK at an address that is 2 mod 4
    TRAP_ARM 1f
2:  c.ebreak
    .option pop
1:  CHECK_TRAP 5, CAUSE_BREAKPOINT
    CHECK_TRAP_TVAL_ADDR 6, 2b
TEST_PASS
