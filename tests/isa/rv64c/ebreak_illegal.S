// C.EBREAK raises a breakpoint exception (cause 3) with mepc at the 16-bit instruction (RISC-V
// unprivileged 20191213 §16.4; privileged 1.12 §3.3.1); mtval is 0 or the pc (privileged 1.12
// §3.1.16). The all-zero 16-bit instruction is defined to be illegal (unprivileged §16.5), and
// execution resumes correctly at 16-bit-aligned addresses after traps.
#include "vireo_test.h"

TEST_BEGIN
    .option push
    .option rvc
    TRAP_ARM 2f
1:  c.ebreak
    .option pop
2:  CHECK_TRAP 1, CAUSE_BREAKPOINT
    CHECK_TRAP_EPC 2, 1b
    ld a0, vt_trap_tval
    beqz a0, 3f
    CHECK_ADDR 3, a0, 1b
3:
    // Once more at an address that is 2 mod 4.
    .balign 4
    .option push
    .option rvc
    c.nop
    TRAP_ARM 5f
4:  c.ebreak
    .option pop
5:  CHECK_TRAP 4, CAUSE_BREAKPOINT
    CHECK_TRAP_EPC 5, 4b

    // 0x0000 is illegal; its mtval is 0 either way (0 or the instruction bits, which are 0).
    TRAP_ARM 7f
6:  .hword 0
    .hword 0
7:  CHECK_TRAP 10, CAUSE_ILLEGAL_INSTRUCTION
    CHECK_TRAP_EPC 11, 6b
    CHECK_TRAP_TVAL 12, 0
TEST_PASS
