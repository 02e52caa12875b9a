// LUI and AUIPC (RISC-V unprivileged 20191213 §2.4.1, and §5.2.1 for RV64): the 20-bit immediate
// fills bits 31:12, the 32-bit result is sign-extended to 64 bits, and AUIPC adds it to the address
// of the AUIPC instruction itself.
#include "vireo_test.h"

TEST_BEGIN
    lui a0, 0x12345
    CHECK 1, a0, 0x12345000
    lui a0, 0x7FFFF                     // largest positive
    CHECK 2, a0, 0x7FFFF000
    lui a0, 0x80000                     // bit 31 set: sign-extended on RV64
    CHECK 3, a0, 0xFFFFFFFF80000000
    lui a0, 0xFFFFF
    CHECK 4, a0, -4096
    lui a0, 0
    CHECK 5, a0, 0

    // AUIPC against JAL's link value, an independent way of learning the pc.
    jal a1, 1f
1:  auipc a0, 0
    CHECK_REG 6, a0, a1
    // Two consecutive AUIPCs are 4 bytes apart.
2:  auipc a0, 0
    auipc a1, 0
    sub a2, a1, a0
    CHECK 7, a2, 4
    // The immediate is shifted left by 12 and added to the pc.
3:  auipc a0, 0x1
    auipc a1, 0
    sub a2, a0, a1
    CHECK 8, a2, 0x1000 - 4
    // A negative immediate (bit 31 set) is sign-extended before the add: pc - 2 GiB.
4:  auipc a0, 0x80000
    auipc a1, 0
    addi a1, a1, -4
    li a2, 0x80000000
    sub a1, a1, a2
    CHECK_REG 9, a0, a1
    // The absolute address matches what the linker put in a data word (R_RISCV_64).
5:  auipc a0, 0
    ld a1, label5
    CHECK_REG 10, a0, a1
TEST_PASS

    .data
    .align 3
label5: .dword 5b
