// Double-precision transfers and sign injection (RISC-V unprivileged 20191213 §12.3, §12.5):
// FLD/FSD and FMV.D.X/FMV.X.D move all 64 bits unchanged (NaN payloads included) without flags;
// FSGNJ.D/FSGNJN.D/FSGNJX.D replace only the sign bit, never canonicalize a NaN and raise no flag.
#include "vireo_test.h"

.macro SGNJ n, op, a, b, result
    LOAD_FD fa1, \a
    LOAD_FD fa2, \b
    \op fa0, fa1, fa2
    CHECK_FD \n, fa0, \result
    CHECK_FFLAGS \n, 0
.endm

TEST_BEGIN
    la s0, data
    fld fa0, 0(s0)
    CHECK_FD 1, fa0, 0xBFF0000000000000
    fld fa1, 8(s0)                      // signaling NaN with a payload
    CHECK_FD 2, fa1, 0x7FF0000000012345
    fsd fa1, 16(s0)
    ld a0, 16(s0)
    CHECK 3, a0, 0x7FF0000000012345
    ld a0, 24(s0)                       // FSD wrote 8 bytes only
    CHECK 4, a0, 0x5555555555555555
    // FLD/FSD of any bit pattern, even an improperly boxed single.
    fld fa2, 32(s0)
    fsd fa2, 16(s0)
    ld a0, 16(s0)
    CHECK 5, a0, 0x000000003F800000
    CHECK_FFLAGS 6, 0

    li a1, 0xFFF8000000ABCDEF
    fmv.d.x fa0, a1
    fmv.x.d a0, fa0
    CHECK 10, a0, 0xFFF8000000ABCDEF
    CHECK_FD 11, fa0, 0xFFF8000000ABCDEF
    CHECK_FFLAGS 12, 0

    SGNJ 20, fsgnj.d,  0x3FF0000000000000, 0x8000000000000000, 0xBFF0000000000000
    SGNJ 21, fsgnj.d,  0xBFF0000000000000, 0x0000000000000000, 0x3FF0000000000000
    SGNJ 22, fsgnjn.d, 0x3FF0000000000000, 0x8000000000000000, 0x3FF0000000000000
    SGNJ 23, fsgnjn.d, 0x3FF0000000000000, 0x3FF0000000000000, 0xBFF0000000000000
    SGNJ 24, fsgnjx.d, 0xBFF0000000000000, 0x8000000000000000, 0x3FF0000000000000
    SGNJ 25, fsgnjx.d, 0xBFF0000000000000, 0x0000000000000000, 0xBFF0000000000000
    SGNJ 26, fsgnj.d,  0x7FF0000000000001, 0x8000000000000000, 0xFFF0000000000001  // sNaN kept
    SGNJ 27, fsgnjn.d, 0x7FF8000000012345, 0x0000000000000000, 0xFFF8000000012345
    SGNJ 28, fsgnjx.d, 0xFFF0000000000000, 0x8000000000000000, 0x7FF0000000000000

    LOAD_FD fa1, 0xC008000000000000     // -3.0
    fmv.d fa0, fa1
    CHECK_FD 30, fa0, 0xC008000000000000
    fneg.d fa0, fa1
    CHECK_FD 31, fa0, 0x4008000000000000
    fabs.d fa0, fa1
    CHECK_FD 32, fa0, 0x4008000000000000
    CHECK_FFLAGS 33, 0
TEST_PASS

    .data
    .align 3
data: .dword 0xBFF0000000000000, 0x7FF0000000012345, 0, 0x5555555555555555
      .dword 0x000000003F800000
