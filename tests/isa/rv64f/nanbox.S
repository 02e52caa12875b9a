// NaN-boxing (RISC-V unprivileged 20191213 §12.2): with D present, a single in a 64-bit f register
// is valid only if the upper 32 bits are all ones. Every single-precision operation except the
// transfers (FLW, FSW, FMV.W.X, FMV.X.W) treats an improperly boxed operand as the canonical NaN
// 0x7FC00000, which is quiet (no NV by itself). Single-precision results are always boxed.
#include "vireo_test.h"

TEST_BEGIN
    LOAD_FD fs0, 0x000000003F800000     // 1.0 without its box
    LOAD_FD fs1, 0xFFFFFFFE3F800000     // one upper bit clear: still not boxed
    LOAD_FS fs2, 0x3F800000             // properly boxed 1.0
    LOAD_FS fs3, 0xC0000000             // properly boxed -2.0

    fadd.s fa0, fs0, fs2
    CHECK_FS 1, fa0, 0x7FC00000
    CHECK_FFLAGS 1, 0
    fmul.s fa0, fs2, fs1
    CHECK_FS 2, fa0, 0x7FC00000
    CHECK_FFLAGS 2, 0
    fmadd.s fa0, fs2, fs2, fs0
    CHECK_FS 3, fa0, 0x7FC00000
    fsqrt.s fa0, fs0
    CHECK_FS 4, fa0, 0x7FC00000
    CHECK_FFLAGS 4, 0

    // Sign injection sees the canonical NaN as the operand, both for the magnitude and the sign.
    fsgnj.s fa0, fs0, fs3
    CHECK_FS 10, fa0, 0xFFC00000
    fsgnjx.s fa0, fs3, fs0              // sign of +NaN xor -2.0
    CHECK_FS 11, fa0, 0xC0000000
    fsgnjn.s fa0, fs2, fs1              // not the sign of +NaN
    CHECK_FS 12, fa0, 0xBF800000

    // Classification, comparison, min/max, conversion.
    fclass.s a0, fs0
    CHECK 20, a0, 1 << 9                // quiet NaN
    feq.s a0, fs0, fs0
    CHECK 21, a0, 0
    CHECK_FFLAGS 21, 0
    flt.s a0, fs2, fs1
    CHECK 22, a0, 0
    CHECK_FFLAGS 22, FFLAGS_NV          // FLT signals on any NaN
    fmin.s fa0, fs0, fs3                // the non-NaN operand
    CHECK_FS 23, fa0, 0xC0000000
    fmax.s fa0, fs0, fs1                // both NaN: canonical
    CHECK_FS 24, fa0, 0x7FC00000
    CHECK_FFLAGS 24, 0
    fcvt.w.s a0, fs0, rtz
    CHECK 25, a0, 0x7FFFFFFF
    CHECK_FFLAGS 25, FFLAGS_NV
    fcvt.d.s fa0, fs0
    CHECK_FD 26, fa0, 0x7FF8000000000000
    CHECK_FFLAGS 26, 0

    // Transfers do not look at the box: FMV.X.W and FSW take the low 32 bits as they are.
    fmv.x.w a0, fs0
    CHECK 30, a0, 0x3F800000
    la s0, slot
    fsw fs1, 0(s0)
    lwu a0, 0(s0)
    CHECK 31, a0, 0x3F800000
    // ...and FLW and FMV.W.X box what they write; so does every single-precision result.
    flw fa0, 0(s0)
    CHECK_FS 32, fa0, 0x3F800000
    LOAD_FD fa0, 0
    fadd.s fa0, fs2, fs2
    CHECK_FS 33, fa0, 0x40000000
    LOAD_FD fa0, 0
    fcvt.s.w fa0, zero
    CHECK_FS 34, fa0, 0
    LOAD_FD fa1, 0x3FF0000000000000     // the double 1.0
    fcvt.s.d fa0, fa1
    CHECK_FS 35, fa0, 0x3F800000
TEST_PASS

    .data
    .align 3
slot: .dword 0
