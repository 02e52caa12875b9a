// x0 is hardwired to zero (RISC-V unprivileged 20191213 §2.1): every write to it is discarded,
// whatever the instruction, and the instruction's other effects still happen.
#include "vireo_test.h"

TEST_BEGIN
    addi zero, zero, 5
    CHECK 1, zero, 0
    li a0, 0x1234
    add zero, a0, a0
    CHECK 2, zero, 0
    lui zero, 0x12345
    CHECK 3, zero, 0
    auipc zero, 0x1
    CHECK 4, zero, 0
    la a1, value
    ld zero, 0(a1)                      // the load still happens (no fault here), no write
    CHECK 5, zero, 0
    addiw zero, a0, 1
    CHECK 6, zero, 0
    sltiu zero, zero, 1
    CHECK 7, zero, 0
    mul zero, a0, a0
    CHECK 8, zero, 0
    csrr zero, mscratch
    CHECK 9, zero, 0

    // JAL/JALR with rd = x0 jump without linking.
    jal zero, 1f
    FAIL 10
1:  CHECK 11, zero, 0
    la a2, 2f
    jalr zero, 0(a2)
    FAIL 12
2:  CHECK 13, zero, 0

    // Reading x0 as a source always gives zero.
    addi a3, zero, 0
    CHECK 14, a3, 0
    sd zero, 0(a1)                      // stores zero
    ld a3, 0(a1)
    CHECK 15, a3, 0
TEST_PASS

    .data
    .align 3
value: .dword 0x5555555555555555
