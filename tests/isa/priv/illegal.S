// Illegal-instruction exceptions (RISC-V privileged 1.12 §3.1.15, cause 2): mepc is the address of
// the instruction and mtval is either 0 or the instruction's bits (§3.1.16). The all-ones word is
// illegal by definition (unprivileged 20191213 §1.5); the others are encodings that none of the
// extensions Vireo implements (RV64GC, Zba, Zbb, Zbs) assigns, which Vireo decodes as illegal.
#include "vireo_test.h"

TEST_BEGIN
    EXPECT_ILLEGAL 1, 0xFFFFFFFF, .word 0xFFFFFFFF
    EXPECT_ILLEGAL 2, 0x0000000B, .word 0x0000000B     // custom-0 major opcode
    EXPECT_ILLEGAL 3, 0x0000005B, .word 0x0000005B     // custom-2 major opcode
    EXPECT_ILLEGAL 4, 0xFE000033, .word 0xFE000033     // OP with funct7 = 0b1111111
    EXPECT_ILLEGAL 5, 0x0000301B, .word 0x0000301B     // OP-IMM-32 with funct3 = 3
    EXPECT_ILLEGAL 6, 0x00007003, .word 0x00007003     // LOAD with funct3 = 7
    EXPECT_ILLEGAL 7, 0x00004023, .word 0x00004023     // STORE with funct3 = 4
    EXPECT_ILLEGAL 8, 0x00002063, .word 0x00002063     // BRANCH with funct3 = 2
    EXPECT_ILLEGAL 9, 0x00001067, .word 0x00001067     // JALR with funct3 = 1
    EXPECT_ILLEGAL 10, 0x0000402F, .word 0x0000402F    // AMO with funct3 = 4
    EXPECT_ILLEGAL 11, 0x06000053, .word 0x06000053    // OP-FP with fmt = 3 (Q: not implemented)
    EXPECT_ILLEGAL 12, 0x00004007, .word 0x00004007    // LOAD-FP with width 4 (FLQ)

    // After all those traps, execution carries on where it should.
    li a0, 7
    CHECK 20, a0, 7
TEST_PASS
