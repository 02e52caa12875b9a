// FENCE.I (RISC-V unprivileged 20191213 §3.1, Zifencei): after a hart stores instructions to
// memory, a FENCE.I makes its own later instruction fetches see them. Covered: fresh code in a
// data buffer, rewriting code that has already run (so any decoded or translated copy of it must
// be dropped), rewriting the instruction right after the FENCE.I in the same straight-line block,
// rewriting code a block reaches by a jump back to before its own start (translated blocks follow
// jumps), and compressed instructions.
#include "vireo_test.h"

#define ADDI_A0(imm) (((imm) << 20) | 0x513)      /* addi a0, zero, imm */
#define RET 0x00008067                              /* jalr zero, 0(ra) */
#define C_LI_A0_5 0x4515                            /* c.li a0, 5 */
#define C_JR_RA 0x8082                              /* c.jr ra */

TEST_BEGIN
    // New code in a data buffer.
    la s0, code_buffer
    li t0, ADDI_A0(1)
    sw t0, 0(s0)
    li t0, RET
    sw t0, 4(s0)
    fence.i
    jalr ra, 0(s0)
    CHECK 1, a0, 1

    // Rewrite it after it ran, many times, so that it is as "hot" as code gets.
    li s1, 0
1:  slli t1, s1, 20                     // addi a0, zero, s1
    li t0, ADDI_A0(0)
    or t0, t0, t1
    sw t0, 0(s0)
    fence.i
    jalr ra, 0(s0)
    CHECK_REG 2, a0, s1
    addi s1, s1, 1
    li t0, 50
    blt s1, t0, 1b

    // Compressed instructions: c.li a0, 5; c.jr ra.
    li t0, (C_JR_RA << 16) | C_LI_A0_5
    sw t0, 0(s0)
    fence.i
    jalr ra, 0(s0)
    CHECK 3, a0, 5

    // Rewrite code in .text that has already run.
    call patch_me
    CHECK 10, a0, 10
    la s2, patch_me
    li t0, ADDI_A0(20)
    sw t0, 0(s2)
    fence.i
    call patch_me
    CHECK 11, a0, 20

    // Rewrite the instruction that follows the FENCE.I, in the same straight-line block.
    la s3, 2f
    li t0, ADDI_A0(42)
    sw t0, 0(s3)
    fence.i
2:  addi a0, zero, 41
    CHECK 20, a0, 42

    // Rewrite an instruction before follow_me that its block reaches through a jump, after the
    // block ran often enough to be translated.
    li s1, 0
3:  call follow_me
    addi s1, s1, 1
    li t0, 40
    blt s1, t0, 3b
    CHECK 30, a0, 30
    la s2, jumped_to
    li t0, ADDI_A0(31)
    sw t0, 0(s2)
    fence.i
    call follow_me
    CHECK 31, a0, 31
TEST_PASS

patch_me:
    addi a0, zero, 10
    ret

jumped_to:
    addi a0, zero, 30
    ret
follow_me:
    addi t1, zero, 1
    j jumped_to

    .data
    .align 2
code_buffer: .space 64
