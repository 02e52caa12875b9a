// satp (RISC-V privileged 1.12 §4.1.11): MODE Bare, Sv39, Sv48 and Sv57 are accepted with their
// PPN; a write with an unsupported MODE has no effect at all (not even on PPN or ASID); ASID is
// WARL and does not disturb the other fields. M-mode is never translated, so any value is safe.
#include "vireo_test.h"

#define ASID_MASK 0x0FFFF00000000000

TEST_BEGIN
    li a0, SATP_MODE_SV39 | 0x80123
    csrw satp, a0
    CHECK_CSR 1, satp, SATP_MODE_SV39 | 0x80123
    li a0, SATP_MODE_SV48 | 0x80456
    csrw satp, a0
    CHECK_CSR 2, satp, SATP_MODE_SV48 | 0x80456
    li a0, SATP_MODE_SV57 | 0x80789
    csrw satp, a0
    CHECK_CSR 3, satp, SATP_MODE_SV57 | 0x80789

    // Unsupported modes: 1 (reserved), 11 (Sv64), 15 (reserved).
    li a0, 0x1000000000080001
    csrw satp, a0
    CHECK_CSR 10, satp, SATP_MODE_SV57 | 0x80789
    li a0, 0xB000000000080002
    csrw satp, a0
    CHECK_CSR 11, satp, SATP_MODE_SV57 | 0x80789
    li a0, 0xF000000000080003
    csrw satp, a0
    CHECK_CSR 12, satp, SATP_MODE_SV57 | 0x80789

    // ASID: whatever bits exist, MODE and PPN are kept.
    li a0, SATP_MODE_SV39 | ASID_MASK | 0x80ABC
    csrw satp, a0
    CHECK_CSR_MASKED 20, satp, ~ASID_MASK, SATP_MODE_SV39 | 0x80ABC

    csrw satp, zero
    CHECK_CSR 30, satp, 0
TEST_PASS
