// Machine identification and configuration state (RISC-V privileged 1.12): misa reports RV64
// (MXL = 2) with A, C, D, F, I, M, S and U and ignores writes (§3.1.1; Vireo's misa is read-only);
// the single hart has mhartid 0, which it also finds in a0 at reset; mstatus.SXL and UXL say 64-bit
// (§3.1.6.2); MIE and MPRV are 0 at reset (§3.4). The PMP CSRs exist (16 entries; on RV64 only
// the even pmpcfg registers, the odd ones being illegal) and are WARL (§3.7.1).
#include "vireo_test.h"

#define EXT(c) (1 << ((c) - 'A'))
#define REQUIRED (EXT('A') | EXT('C') | EXT('D') | EXT('F') | EXT('I') | EXT('M') | EXT('S') | \
                  EXT('U'))

TEST_BEGIN
    csrr s0, misa
    srli a0, s0, 62
    CHECK 1, a0, 2                      // MXL: 64-bit
    li t0, REQUIRED
    and a0, s0, t0
    CHECK 2, a0, REQUIRED
    andi a0, s0, EXT('E')               // RV64I, not RV64E
    CHECK 3, a0, 0
    csrw misa, zero                     // ignored
    csrr a0, misa
    CHECK_REG 5, a0, s0
    li t0, EXT('C')
    csrc misa, t0                       // C cannot be turned off either
    csrr a0, misa
    CHECK_REG 6, a0, s0

    ld a0, vt_boot_a0
    CHECK 10, a0, 0
    CHECK_CSR 11, mhartid, 0
    ld a0, vt_boot_mstatus
    li t0, MSTATUS_MIE | MSTATUS_MPRV
    and a0, a0, t0
    CHECK 12, a0, 0
    CHECK_CSR_MASKED 13, mstatus, MSTATUS_SXL | MSTATUS_UXL, 0xA00000000
    li t0, MSTATUS_SXL | MSTATUS_UXL
    csrc mstatus, t0                    // read-only: still 64-bit
    CHECK_CSR_MASKED 14, mstatus, MSTATUS_SXL | MSTATUS_UXL, 0xA00000000

    // PMP CSRs: readable and writable without trapping (entry 0, which the harness set up to
    // allow everything, is left alone).
    li t0, 0x12345
    csrw pmpaddr15, t0
    CHECK_CSR 20, pmpaddr15, 0x12345
    csrw pmpaddr15, zero
    csrr a0, pmpaddr1
    csrr a0, pmpaddr7
    csrr a0, pmpaddr8
    csrw pmpcfg2, zero
    CHECK_CSR 21, pmpcfg2, 0
    csrr a0, pmpcfg0
    andi a0, a0, 0xFF
    CHECK 22, a0, PMP_NAPOT | PMP_R | PMP_W | PMP_X
    EXPECT_ILLEGAL 23, 0x3A102573, csrr a0, pmpcfg1
    EXPECT_ILLEGAL 24, 0x3A302573, csrr a0, pmpcfg3
TEST_PASS
