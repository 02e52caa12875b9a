// Single-precision transfers and sign injection (RISC-V unprivileged 20191213 §11.5, §11.7):
// FLW/FSW and FMV.W.X/FMV.X.W move bit patterns unchanged (NaN payloads included) and raise no
// flags; FLW and FMV.W.X NaN-box the value in the 64-bit register (§12.2); FMV.X.W sign-extends
// bit 31 on RV64. FSGNJ/FSGNJN/FSGNJX take all bits but the sign from rs1 and never canonicalize a
// NaN or raise a flag, even for a signaling NaN.
#include "vireo_test.h"

// Check n: `op fa0, fa1, fa2` with fa1 = a and fa2 = b gives result, with no flags.
.macro SGNJ n, op, a, b, result
    LOAD_FS fa1, \a
    LOAD_FS fa2, \b
    \op fa0, fa1, fa2
    CHECK_FS \n, fa0, \result
    CHECK_FFLAGS \n, 0
.endm

TEST_BEGIN
    la s0, data
    // FLW NaN-boxes; FSW stores the 32 bits back unchanged.
    flw fa0, 0(s0)
    CHECK_FS 1, fa0, 0xBF800000
    flw fa1, 4(s0)                      // a signaling NaN with a payload, untouched
    CHECK_FS 2, fa1, 0x7F812345
    fsw fa1, 8(s0)
    lwu a0, 8(s0)
    CHECK 3, a0, 0x7F812345
    fsw fa0, 12(s0)
    lwu a0, 12(s0)
    CHECK 4, a0, 0xBF800000
    lwu a0, 16(s0)                      // FSW wrote 4 bytes only
    CHECK 5, a0, 0x55555555
    CHECK_FFLAGS 6, 0

    // FMV.W.X: the low 32 bits, boxed; upper bits of the integer register ignored.
    li a1, 0x123456787FC12345
    fmv.w.x fa0, a1
    CHECK_FS 10, fa0, 0x7FC12345
    // FMV.X.W: sign-extended from bit 31.
    LOAD_FS fa0, 0xBF800000
    fmv.x.w a0, fa0
    CHECK 11, a0, 0xFFFFFFFFBF800000
    LOAD_FS fa0, 0x3F800000
    fmv.x.w a0, fa0
    CHECK 12, a0, 0x3F800000
    LOAD_FS fa0, 0xFF800001             // negative signaling NaN: still just bits
    fmv.x.w a0, fa0
    CHECK 13, a0, 0xFFFFFFFFFF800001
    CHECK_FFLAGS 14, 0

    // Sign injection.
    SGNJ 20, fsgnj.s,  0x3F800000, 0x80000000, 0xBF800000     // sign of rs2
    SGNJ 21, fsgnj.s,  0xBF800000, 0x00000000, 0x3F800000
    SGNJ 22, fsgnjn.s, 0x3F800000, 0x80000000, 0x3F800000     // opposite of rs2's sign
    SGNJ 23, fsgnjn.s, 0x3F800000, 0x3F800000, 0xBF800000
    SGNJ 24, fsgnjx.s, 0xBF800000, 0x80000000, 0x3F800000     // xor of the signs
    SGNJ 25, fsgnjx.s, 0xBF800000, 0x00000000, 0xBF800000
    SGNJ 26, fsgnjx.s, 0x3F800000, 0x80000000, 0xBF800000
    SGNJ 27, fsgnj.s,  0x7F800001, 0x80000000, 0xFF800001     // sNaN: no NV, payload kept
    SGNJ 28, fsgnjn.s, 0x7FC12345, 0x00000000, 0xFFC12345
    SGNJ 29, fsgnjx.s, 0xFF800000, 0x80000000, 0x7F800000     // -inf to +inf

    // The pseudo-instructions built on them: fmv.s, fneg.s, fabs.s.
    LOAD_FS fa1, 0xC0400000             // -3.0
    fmv.s fa0, fa1
    CHECK_FS 30, fa0, 0xC0400000
    fneg.s fa0, fa1
    CHECK_FS 31, fa0, 0x40400000
    fabs.s fa0, fa1
    CHECK_FS 32, fa0, 0x40400000
    fabs.s fa0, fa0
    CHECK_FS 33, fa0, 0x40400000
    CHECK_FFLAGS 34, 0
TEST_PASS

    .data
    .align 3
data: .word 0xBF800000, 0x7F812345, 0, 0, 0x55555555
