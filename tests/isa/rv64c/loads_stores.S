// Compressed loads and stores (RISC-V unprivileged 20191213 §16.3): the stack-pointer-based
// C.LWSP/C.LDSP/C.FLDSP/C.SWSP/C.SDSP/C.FSDSP and the register-based C.LW/C.LD/C.FLD/C.SW/C.SD/
// C.FSD (registers x8-x15, f8-f15). Offsets are unsigned and scaled by the access size; C.LW
// sign-extends like LW.
#include "vireo_test.h"

TEST_BEGIN
    mv s2, sp                           // the harness stack; sp is an operand here
    la sp, buffer
    la s3, buffer
    li t0, 0x80000001
    sw t0, 0(s3)
    li t0, 0x0123456789ABCDEF
    sd t0, 8(s3)
    li t0, 0x7654321F
    sw t0, 252(s3)                      // largest C.LWSP/C.SWSP offset
    li t0, 0x1111222233334444
    sd t0, 504(s3)                      // largest C.LDSP/C.SDSP offset
    li t0, 0x3FF8000000000000           // 1.5
    sd t0, 496(s3)
    .option push
    .option rvc

    // Stack-pointer based.
    c.lwsp a0, 0(sp)
    c.lwsp a1, 252(sp)
    c.ldsp a2, 8(sp)
    c.ldsp a3, 504(sp)
    c.fldsp fa0, 496(sp)
    .option pop
    CHECK 1, a0, 0xFFFFFFFF80000001     // sign-extended
    CHECK 2, a1, 0x7654321F
    CHECK 3, a2, 0x0123456789ABCDEF
    CHECK 4, a3, 0x1111222233334444
    CHECK_FD 5, fa0, 0x3FF8000000000000
    li a0, 0x55
    li a2, 0x6666777788889999
    LOAD_FD fa1, 0xC000000000000000
    .option push
    .option rvc
    c.swsp a0, 248(sp)
    c.sdsp a2, 400(sp)
    c.fsdsp fa1, 488(sp)
    .option pop
    ld t0, 248(s3)
    CHECK 6, t0, 0x7654321F00000055     // 4 bytes only
    ld t0, 400(s3)
    CHECK 7, t0, 0x6666777788889999
    ld t0, 488(s3)
    CHECK 8, t0, 0xC000000000000000
    mv sp, s2

    // Register based, x8..x15 only.
    la s0, buffer
    la s1, buffer + 64
    li a4, 0xFFFFFFFF87654321
    li a5, 0x0FEDCBA987654321
    LOAD_FD fa2, 0x4008000000000000
    .option push
    .option rvc
    c.sw a4, 124(s0)                    // largest C.LW/C.SW offset
    c.sd a5, 248(s0)                    // largest C.LD/C.SD offset
    c.fsd fa2, 0(s1)
    c.lw a0, 124(s0)
    c.ld a1, 248(s0)
    c.fld fa3, 0(s1)
    c.lw a2, 0(s0)
    c.ld a3, 8(s0)
    .option pop
    CHECK 10, a0, 0xFFFFFFFF87654321
    CHECK 11, a1, 0x0FEDCBA987654321
    CHECK_FD 12, fa3, 0x4008000000000000
    CHECK 13, a2, 0xFFFFFFFF80000001
    CHECK 14, a3, 0x0123456789ABCDEF
    lwu t0, 128(s3)                     // C.SW wrote 4 bytes only
    CHECK 15, t0, 0
TEST_PASS

    .data
    .align 3
buffer: .space 512
