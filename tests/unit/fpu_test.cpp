// Tests of the FPU against the RISC-V unprivileged spec (20191213), chapters 11 ("F") and 12 ("D").
//
// FpuSpec.*  hand-written cases, each naming the section it checks.
// FpuQemu.*  a differential test against QEMU's softfloat, the reference RISC-V implementation here:
//            a small riscv64 Linux program, compiled at test time, executes every F/D instruction
//            with an explicit rm field on several hundred thousand inputs under qemu-riscv64 and
//            reports results and fflags, which must match ours bit for bit.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#if defined(__x86_64__)
#include <xmmintrin.h>
#endif

#include "riscv/fpu.hpp"

using namespace vireo::riscv::fpu;

namespace {

constexpr Rounding RNE = Rounding::RNE;
constexpr Rounding RTZ = Rounding::RTZ;
constexpr Rounding RDN = Rounding::RDN;
constexpr Rounding RUP = Rounding::RUP;
constexpr Rounding RMM = Rounding::RMM;
constexpr Rounding ALL_MODES[] = {RNE, RTZ, RDN, RUP, RMM};

uint32_t s(float v)
{
    return std::bit_cast<uint32_t>(v);
}
uint64_t d(double v)
{
    return std::bit_cast<uint64_t>(v);
}

constexpr uint32_t S_INF = 0x7f800000u;
constexpr uint32_t S_SNAN = 0x7f800001u;
constexpr uint32_t S_QNAN_PAYLOAD = 0xffc12345u;
constexpr uint32_t S_MIN_SUBNORMAL = 0x00000001u;
constexpr uint32_t S_MIN_NORMAL = 0x00800000u;
constexpr uint64_t D_INF = 0x7ff0000000000000ull;
constexpr uint64_t D_SNAN = 0x7ff0000000000001ull;
constexpr uint64_t D_QNAN_PAYLOAD = 0xfff8000000abcdefull;
constexpr uint64_t D_MIN_SUBNORMAL = 0x0000000000000001ull;
constexpr uint64_t D_MAX_SUBNORMAL = 0x000fffffffffffffull;
constexpr uint64_t D_MIN_NORMAL = 0x0010000000000000ull;
constexpr uint64_t D_MAX = 0x7fefffffffffffffull;
constexpr uint64_t D_NEG = 0x8000000000000000ull;
constexpr uint32_t NONE = 0;
constexpr uint32_t NV = FFLAG_NV;
constexpr uint32_t DZ = FFLAG_DZ;
constexpr uint32_t OF = FFLAG_OF;
constexpr uint32_t UF = FFLAG_UF;
constexpr uint32_t NX = FFLAG_NX;

}  // namespace

// Evaluates `expr` (which ORs into a variable named `flags`) from clear flags and checks both the
// value and the flags it raised.
#define EXPECT_FPU(expr, expected_value, expected_flags)                  \
    do {                                                                  \
        uint32_t flags = 0;                                               \
        const auto value_ = (expr);                                       \
        EXPECT_EQ(value_, expected_value) << #expr;                       \
        EXPECT_EQ(flags, uint32_t(expected_flags)) << #expr;              \
    } while (0)

// §11.3: every NaN an operation produces is the canonical NaN; only signaling NaN operands raise NV.
TEST(FpuSpec, NanResultsAreCanonical_11_3)
{
    for (Rounding rm : ALL_MODES) {
        EXPECT_FPU(f32_add(S_QNAN_PAYLOAD, s(1.0f), rm, flags), F32_CANONICAL_NAN, NONE);
        EXPECT_FPU(f32_mul(S_SNAN, s(1.0f), rm, flags), F32_CANONICAL_NAN, NV);
        EXPECT_FPU(f64_div(d(1.0), D_QNAN_PAYLOAD, rm, flags), F64_CANONICAL_NAN, NONE);
        EXPECT_FPU(f64_sub(D_INF, D_INF, rm, flags), F64_CANONICAL_NAN, NV);  // x86 would give 0xfff8...
        EXPECT_FPU(f64_mul(D_INF, 0, rm, flags), F64_CANONICAL_NAN, NV);
        EXPECT_FPU(f32_div(0, 0, rm, flags), F32_CANONICAL_NAN, NV);
        EXPECT_FPU(f64_sqrt(d(-1.0), rm, flags), F64_CANONICAL_NAN, NV);
        EXPECT_FPU(f64_to_f32(D_QNAN_PAYLOAD, rm, flags), F32_CANONICAL_NAN, NONE);
        EXPECT_FPU(f64_to_f32(D_SNAN, rm, flags), F32_CANONICAL_NAN, NV);
    }
    EXPECT_FPU(f32_to_f64(S_QNAN_PAYLOAD, flags), F64_CANONICAL_NAN, NONE);
    EXPECT_FPU(f32_to_f64(S_SNAN, flags), F64_CANONICAL_NAN, NV);
}

// §11.6: "the fused multiply-add instructions must set the invalid operation exception flag when the
// multiplicands are inf and zero, even when the addend is a quiet NaN".
TEST(FpuSpec, FmaInfTimesZeroPlusQuietNanIsInvalid_11_6)
{
    for (Rounding rm : ALL_MODES) {
        EXPECT_FPU(f32_fma(S_INF, 0, F32_CANONICAL_NAN, rm, flags), F32_CANONICAL_NAN, NV);
        EXPECT_FPU(f64_fma(0, D_INF | D_NEG, F64_CANONICAL_NAN, rm, flags), F64_CANONICAL_NAN, NV);
        EXPECT_FPU(f64_fma(D_INF, 0, d(1.0), rm, flags), F64_CANONICAL_NAN, NV);
        EXPECT_FPU(f64_fma(D_INF, d(1.0), D_INF | D_NEG, rm, flags), F64_CANONICAL_NAN, NV);
        EXPECT_FPU(f64_fma(D_QNAN_PAYLOAD, 0, d(1.0), rm, flags), F64_CANONICAL_NAN, NONE);
    }
}

// §11.2 (RMM) and IEEE 754-2019 §4.3: ties round to the larger magnitude in RMM, to even in RNE.
TEST(FpuSpec, RoundToNearestMaxMagnitudeBreaksTiesAwayFromZero_11_2)
{
    const uint64_t half_ulp_of_one = d(0x1p-53);
    EXPECT_FPU(f64_add(d(1.0), half_ulp_of_one, RNE, flags), d(1.0), NX);
    EXPECT_FPU(f64_add(d(1.0), half_ulp_of_one, RMM, flags), d(1.0 + 0x1p-52), NX);
    EXPECT_FPU(f64_add(d(-1.0), half_ulp_of_one | D_NEG, RMM, flags), d(-1.0 - 0x1p-52), NX);
    EXPECT_FPU(f32_add(s(1.0f), s(0x1p-24f), RMM, flags), s(1.0f + 0x1p-23f), NX);
    EXPECT_FPU(f32_sub(s(1.0f), s(-0x1p-24f), RNE, flags), s(1.0f), NX);
    // 2^53 + 1 is halfway between 2^53 and 2^53 + 2.
    EXPECT_FPU(i64_to_f64((1ll << 53) + 1, RNE, flags), d(0x1p53), NX);
    EXPECT_FPU(i64_to_f64((1ll << 53) + 1, RMM, flags), d(0x1p53 + 2), NX);
    EXPECT_FPU(f64_to_i32(d(2.5), RNE, flags), 2, NX);
    EXPECT_FPU(f64_to_i32(d(2.5), RMM, flags), 3, NX);
    EXPECT_FPU(f32_to_i64(s(-2.5f), RMM, flags), -3, NX);
    // Below the normal range the spacing is 2^-1074, so a quotient can be a tie: 2^-1075.
    EXPECT_FPU(f64_div(D_MIN_SUBNORMAL, d(2.0), RNE, flags), 0ull, UF | NX);
    EXPECT_FPU(f64_div(D_MIN_SUBNORMAL, d(2.0), RMM, flags), D_MIN_SUBNORMAL, UF | NX);
    // (1 + 2^-23) * (1 + 2^-23) = 1 + 2^-22 + 2^-46: not a tie, rounds down in both.
    EXPECT_FPU(f32_mul(0x3f800001u, 0x3f800001u, RMM, flags), 0x3f800002u, NX);
    // A square root is never a tie, so RMM and RNE agree.
    EXPECT_FPU(f64_sqrt(d(2.0), RMM, flags), d(std::sqrt(2.0)), NX);
}

// §11.4: "tininess is detected after rounding": a result that rounds up to the smallest normal is not
// tiny, and (IEEE 754 §7.5) an exact tiny result raises nothing.
TEST(FpuSpec, UnderflowIsDetectedAfterRounding_11_4)
{
    // (1 + 2^-52) * (2^-1022 (1 - 2^-52)) = 2^-1022 (1 - 2^-104).
    const uint64_t a = 0x3ff0000000000001ull;
    EXPECT_FPU(f64_mul(a, D_MAX_SUBNORMAL, RNE, flags), D_MIN_NORMAL, NX);
    EXPECT_FPU(f64_mul(a, D_MAX_SUBNORMAL, RMM, flags), D_MIN_NORMAL, NX);
    EXPECT_FPU(f64_mul(a, D_MAX_SUBNORMAL, RUP, flags), D_MIN_NORMAL, NX);
    EXPECT_FPU(f64_mul(a, D_MAX_SUBNORMAL, RTZ, flags), D_MAX_SUBNORMAL, UF | NX);
    EXPECT_FPU(f32_mul(0x3f800001u, 0x007fffffu, RNE, flags), S_MIN_NORMAL, NX);
    EXPECT_FPU(f32_mul(0x3f800001u, 0x007fffffu, RMM, flags), S_MIN_NORMAL, NX);
    EXPECT_FPU(f32_mul(0x3f800001u, 0x007fffffu, RDN, flags), 0x007fffffu, UF | NX);
    // Exact subnormal results.
    for (Rounding rm : ALL_MODES) {
        EXPECT_FPU(f64_mul(D_MIN_NORMAL, d(0.5), rm, flags), 0x0008000000000000ull, NONE);
        EXPECT_FPU(f32_sub(S_MIN_NORMAL, S_MIN_SUBNORMAL, rm, flags), 0x007fffffu, NONE);
        EXPECT_FPU(f64_fma(D_MIN_NORMAL, d(0.25), D_MIN_SUBNORMAL, rm, flags), 0x0004000000000001ull, NONE);
    }
    // Rounded to zero: tiny and inexact.
    EXPECT_FPU(f64_mul(D_MIN_SUBNORMAL, d(0.25), RNE, flags), 0ull, UF | NX);
    EXPECT_FPU(f64_mul(D_MIN_SUBNORMAL, d(0.25), RUP, flags), D_MIN_SUBNORMAL, UF | NX);
}

// IEEE 754 §7.4: the overflow result is inf or the largest finite number, by rounding direction.
TEST(FpuSpec, OverflowResultFollowsRoundingDirection_11_2)
{
    EXPECT_FPU(f64_mul(D_MAX, d(2.0), RNE, flags), D_INF, OF | NX);
    EXPECT_FPU(f64_mul(D_MAX, d(2.0), RMM, flags), D_INF, OF | NX);
    EXPECT_FPU(f64_mul(D_MAX, d(2.0), RTZ, flags), D_MAX, OF | NX);
    EXPECT_FPU(f64_mul(D_MAX, d(2.0), RDN, flags), D_MAX, OF | NX);
    EXPECT_FPU(f64_mul(D_MAX, d(2.0), RUP, flags), D_INF, OF | NX);
    EXPECT_FPU(f64_mul(D_MAX, d(-2.0), RDN, flags), D_INF | D_NEG, OF | NX);
    EXPECT_FPU(f64_mul(D_MAX, d(-2.0), RUP, flags), D_MAX | D_NEG, OF | NX);
    EXPECT_FPU(f64_to_f32(d(0x1p200), RMM, flags), S_INF, OF | NX);
    EXPECT_FPU(f64_to_f32(d(0x1p200), RTZ, flags), 0x7f7fffffu, OF | NX);
    // Division by zero of a finite nonzero number (§11.2 DZ).
    EXPECT_FPU(f32_div(s(1.0f), s(-0.0f), RMM, flags), S_INF | 0x80000000u, DZ);
    EXPECT_FPU(f64_div(d(-3.0), 0, RNE, flags), D_INF | D_NEG, DZ);
}

// IEEE 754 §6.3: an exact zero sum is +0, or -0 when rounding down; sqrt(-0) is -0.
TEST(FpuSpec, SignOfZeroResults_11_6)
{
    EXPECT_FPU(f64_sub(d(1.5), d(1.5), RNE, flags), 0ull, NONE);
    EXPECT_FPU(f64_sub(d(1.5), d(1.5), RDN, flags), D_NEG, NONE);
    EXPECT_FPU(f32_add(s(1.5f), s(-1.5f), RMM, flags), 0u, NONE);
    EXPECT_FPU(f64_fma(d(1.0), d(-1.0), d(1.0), RDN, flags), D_NEG, NONE);
    EXPECT_FPU(f64_fma(d(1.0), d(-1.0), d(1.0), RMM, flags), 0ull, NONE);
    EXPECT_FPU(f64_fma(0, D_NEG | d(1.0), D_NEG, RTZ, flags), D_NEG, NONE);
    EXPECT_FPU(f64_sqrt(D_NEG, RNE, flags), D_NEG, NONE);
}

// §11.6: fmin/fmax are IEEE 754-2019 minimumNumber/maximumNumber with -0 < +0.
TEST(FpuSpec, MinMaxFollowMinimumNumber_11_6)
{
    EXPECT_FPU(f32_min(s(-0.0f), s(0.0f), flags), s(-0.0f), NONE);
    EXPECT_FPU(f32_max(s(-0.0f), s(0.0f), flags), s(0.0f), NONE);
    EXPECT_FPU(f64_min(d(0.0), d(-0.0), flags), d(-0.0), NONE);
    EXPECT_FPU(f64_max(d(-2.0), d(-3.0), flags), d(-2.0), NONE);
    EXPECT_FPU(f64_min(D_QNAN_PAYLOAD, d(1.0), flags), d(1.0), NONE);
    EXPECT_FPU(f64_max(d(1.0), D_SNAN, flags), d(1.0), NV);
    EXPECT_FPU(f32_min(F32_CANONICAL_NAN, S_QNAN_PAYLOAD, flags), F32_CANONICAL_NAN, NONE);
    EXPECT_FPU(f32_max(S_SNAN, S_QNAN_PAYLOAD, flags), F32_CANONICAL_NAN, NV);
}

// §11.8: feq is quiet (NV only for signaling NaNs); flt and fle signal for any NaN.
TEST(FpuSpec, ComparisonsSignalAsSpecified_11_8)
{
    EXPECT_FPU(f32_eq(F32_CANONICAL_NAN, s(1.0f), flags), false, NONE);
    EXPECT_FPU(f32_eq(S_SNAN, s(1.0f), flags), false, NV);
    EXPECT_FPU(f32_lt(F32_CANONICAL_NAN, s(1.0f), flags), false, NV);
    EXPECT_FPU(f64_le(d(1.0), F64_CANONICAL_NAN, flags), false, NV);
    EXPECT_FPU(f64_eq(d(0.0), d(-0.0), flags), true, NONE);
    EXPECT_FPU(f64_lt(d(-0.0), d(0.0), flags), false, NONE);
    EXPECT_FPU(f64_le(d(0.0), d(-0.0), flags), true, NONE);
    EXPECT_FPU(f64_lt(d(-2.0), d(-1.0), flags), true, NONE);
    EXPECT_FPU(f32_le(s(2.0f), s(1.0f), flags), false, NONE);
}

// §11.9, Table 11.5: one bit per class.
TEST(FpuSpec, ClassifyHasOneBitPerClass_11_9)
{
    EXPECT_EQ(f32_classify(S_INF | 0x80000000u), 1u << 0);
    EXPECT_EQ(f32_classify(s(-1.0f)), 1u << 1);
    EXPECT_EQ(f32_classify(0x80000001u), 1u << 2);
    EXPECT_EQ(f32_classify(s(-0.0f)), 1u << 3);
    EXPECT_EQ(f32_classify(0u), 1u << 4);
    EXPECT_EQ(f32_classify(0x007fffffu), 1u << 5);
    EXPECT_EQ(f32_classify(S_MIN_NORMAL), 1u << 6);
    EXPECT_EQ(f32_classify(S_INF), 1u << 7);
    EXPECT_EQ(f32_classify(S_SNAN), 1u << 8);
    EXPECT_EQ(f32_classify(S_QNAN_PAYLOAD), 1u << 9);
    EXPECT_EQ(f64_classify(D_INF | D_NEG), 1u << 0);
    EXPECT_EQ(f64_classify(D_MAX | D_NEG), 1u << 1);
    EXPECT_EQ(f64_classify(D_MAX_SUBNORMAL | D_NEG), 1u << 2);
    EXPECT_EQ(f64_classify(D_NEG), 1u << 3);
    EXPECT_EQ(f64_classify(0), 1u << 4);
    EXPECT_EQ(f64_classify(D_MIN_SUBNORMAL), 1u << 5);
    EXPECT_EQ(f64_classify(d(1.0)), 1u << 6);
    EXPECT_EQ(f64_classify(D_INF), 1u << 7);
    EXPECT_EQ(f64_classify(0x7ff4000000000000ull), 1u << 8);
    EXPECT_EQ(f64_classify(F64_CANONICAL_NAN), 1u << 9);
}

// §11.7, Table 11.4: out-of-range and NaN inputs saturate and raise NV (without NX); the range is
// checked after rounding.
TEST(FpuSpec, FloatToIntSaturates_11_7_Table_11_4)
{
    constexpr int32_t I32_MAX = std::numeric_limits<int32_t>::max();
    constexpr int32_t I32_MIN = std::numeric_limits<int32_t>::min();
    constexpr int64_t I64_MIN = std::numeric_limits<int64_t>::min();
    for (Rounding rm : ALL_MODES) {
        EXPECT_FPU(f32_to_i32(S_QNAN_PAYLOAD, rm, flags), I32_MAX, NV);  // NaN: largest positive
        EXPECT_FPU(f32_to_u32(S_QNAN_PAYLOAD, rm, flags), 0xffffffffu, NV);
        EXPECT_FPU(f64_to_i64(D_INF, rm, flags), std::numeric_limits<int64_t>::max(), NV);
        EXPECT_FPU(f64_to_i32(D_INF | D_NEG, rm, flags), I32_MIN, NV);
        EXPECT_FPU(f64_to_u64(D_INF | D_NEG, rm, flags), 0ull, NV);
        EXPECT_FPU(f32_to_u32(s(-1.0f), rm, flags), 0u, NV);
        EXPECT_FPU(f64_to_i64(d(-0x1p63), rm, flags), I64_MIN, NONE);  // exactly the minimum
        EXPECT_FPU(f64_to_i64(d(0x1p63), rm, flags), std::numeric_limits<int64_t>::max(), NV);
        EXPECT_FPU(f64_to_u64(d(0x1p64), rm, flags), ~0ull, NV);
        EXPECT_FPU(f64_to_u32(d(-0.0), rm, flags), 0u, NONE);
    }
    // -0.5 rounds to -0 in RTZ, RNE and RUP: in range for fcvt.wu, so only inexact; RDN and RMM give -1.
    EXPECT_FPU(f32_to_u32(s(-0.5f), RTZ, flags), 0u, NX);
    EXPECT_FPU(f32_to_u32(s(-0.5f), RNE, flags), 0u, NX);
    EXPECT_FPU(f32_to_u64(s(-0.5f), RUP, flags), 0ull, NX);
    EXPECT_FPU(f32_to_u32(s(-0.5f), RDN, flags), 0u, NV);
    EXPECT_FPU(f64_to_u32(d(-0.5), RMM, flags), 0u, NV);
    // -2^31 - 0.5 is a tie between -2^31 (even, in range) and -2^31 - 1 (out of range).
    EXPECT_FPU(f64_to_i32(d(-0x1p31 - 0.5), RNE, flags), I32_MIN, NX);
    EXPECT_FPU(f64_to_i32(d(-0x1p31 - 0.5), RTZ, flags), I32_MIN, NX);
    EXPECT_FPU(f64_to_i32(d(-0x1p31 - 0.5), RMM, flags), I32_MIN, NV);
    EXPECT_FPU(f64_to_i32(d(0x1p31 - 0.5), RUP, flags), I32_MAX, NV);  // rounds to 2^31: saturates
    EXPECT_FPU(f64_to_u32(d(0x1p32 - 0.5), RTZ, flags), 0xffffffffu, NX);
    EXPECT_FPU(f32_to_i64(s(0x1p-149f), RUP, flags), 1ll, NX);
}

TEST(FpuSpec, IntToFloatRoundsWithTheMode_11_7)
{
    EXPECT_FPU(i32_to_f32(std::numeric_limits<int32_t>::min(), RNE, flags), s(-0x1p31f), NONE);
    EXPECT_FPU(i32_to_f32(16777217, RNE, flags), s(16777216.0f), NX);
    EXPECT_FPU(i32_to_f32(16777217, RMM, flags), s(16777218.0f), NX);
    EXPECT_FPU(i32_to_f32(-16777217, RDN, flags), s(-16777218.0f), NX);
    EXPECT_FPU(u64_to_f32(~0ull, RNE, flags), s(0x1p64f), NX);
    EXPECT_FPU(u64_to_f32(~0ull, RTZ, flags), 0x5f7fffffu, NX);
    EXPECT_FPU(i64_to_f64(std::numeric_limits<int64_t>::min(), RUP, flags), d(-0x1p63), NONE);
    EXPECT_FPU(u32_to_f64(0xffffffffu, RDN, flags), d(4294967295.0), NONE);
    EXPECT_FPU(i32_to_f64(0, RDN, flags), 0ull, NONE);  // +0, even when rounding down
}

// §12.5: fcvt.d.s is exact (subnormal singles are normal doubles); fcvt.s.d rounds.
TEST(FpuSpec, ConversionsBetweenFormats_12_5)
{
    EXPECT_FPU(f32_to_f64(S_MIN_SUBNORMAL, flags), d(0x1p-149), NONE);
    EXPECT_FPU(f32_to_f64(0x80000000u, flags), D_NEG, NONE);
    EXPECT_FPU(f32_to_f64(S_INF, flags), D_INF, NONE);
    EXPECT_FPU(f64_to_f32(d(1.0 + 0x1p-24), RNE, flags), s(1.0f), NX);
    EXPECT_FPU(f64_to_f32(d(1.0 + 0x1p-24), RMM, flags), s(1.0f + 0x1p-23f), NX);
    EXPECT_FPU(f64_to_f32(d(0x1p-150), RNE, flags), 0u, UF | NX);
    EXPECT_FPU(f64_to_f32(d(0x1p-150), RMM, flags), S_MIN_SUBNORMAL, UF | NX);
    EXPECT_FPU(f64_to_f32(d(0x1p-149), RTZ, flags), S_MIN_SUBNORMAL, NONE);
}

#if defined(__x86_64__)
// The host path must leave the caller's MXCSR alone and must not inherit its modes: with FTZ, DAZ and
// round-toward-zero set by the caller, a subnormal result is still produced and rounded by rm.
TEST(FpuSpec, HostModesNeitherLeakInNorOut)
{
    const unsigned int original = _mm_getcsr();
    const unsigned int hostile = (original & ~0x6000u) | 0x8000u /*FTZ*/ | 0x0040u /*DAZ*/ | 0x6000u /*RTZ*/;
    _mm_setcsr(hostile);
    uint32_t flags = 0;
    const uint64_t sub = f64_mul(D_MIN_NORMAL, d(0.5), RNE, flags);
    const uint64_t sum = f64_add(D_MAX_SUBNORMAL, D_MIN_SUBNORMAL, RNE, flags);
    const uint64_t up = f64_add(d(1.0), d(0x1p-60), RUP, flags);
    const uint32_t narrowed = f64_to_f32(d(0x1p-140), RNE, flags);
    const unsigned int after = _mm_getcsr();
    _mm_setcsr(original);
    EXPECT_EQ(sub, 0x0008000000000000ull);
    EXPECT_EQ(sum, D_MIN_NORMAL);
    EXPECT_EQ(up, d(1.0 + 0x1p-52));
    EXPECT_EQ(narrowed, 0x00000200u);
    EXPECT_EQ(flags, NX);
    EXPECT_EQ(after & ~0x3fu, hostile & ~0x3fu);  // the caller's modes are back (flags may differ)
}
#endif

// ---------------------------------------------------------------------------------------------------
// Differential test against QEMU.

namespace {

// The register class of an operand or result in the guest.
enum class Reg { S, D, X32, X64 };

struct OpSpec {
    const char* family;
    const char* mnemonic;
    Reg result;
    std::vector<Reg> sources;
    bool rm_field;  // the instruction takes an rm field
    bool rounds;    // our function takes rm (tested in every mode; otherwise only as RNE)
    // Runs our implementation; returns the value as the guest's 64-bit register would hold it.
    uint64_t (*ours)(uint64_t a, uint64_t b, uint64_t c, Rounding rm, uint32_t& flags);
};

uint64_t sext32(uint32_t v)
{
    return uint64_t(int64_t(int32_t(v)));
}
uint32_t lo(uint64_t v)
{
    return uint32_t(v);
}
constexpr uint32_t S_SIGN = 0x80000000u;

// Our implementation of an op, named by the operands it reads.
#define UNARY [](uint64_t a, uint64_t, uint64_t, Rounding rm, uint32_t& f) -> uint64_t
#define BINARY [](uint64_t a, uint64_t b, uint64_t, Rounding rm, uint32_t& f) -> uint64_t
#define TERNARY [](uint64_t a, uint64_t b, uint64_t c, Rounding rm, uint32_t& f) -> uint64_t
#define BINARY_NO_RM [](uint64_t a, uint64_t b, uint64_t, Rounding, uint32_t& f) -> uint64_t
#define UNARY_NO_RM [](uint64_t a, uint64_t, uint64_t, Rounding, uint32_t& f) -> uint64_t
#define UNARY_NO_FLAGS [](uint64_t a, uint64_t, uint64_t, Rounding, uint32_t&) -> uint64_t
const std::vector<OpSpec>& op_specs()
{
    using R = Reg;
    const std::vector<R> s1 = {R::S}, s2 = {R::S, R::S}, s3 = {R::S, R::S, R::S};
    const std::vector<R> d1 = {R::D}, d2 = {R::D, R::D}, d3 = {R::D, R::D, R::D};
    static const std::vector<OpSpec> specs = {
        {"add", "fadd.s", R::S, s2, true, true, BINARY { return f32_add(lo(a), lo(b), rm, f); }},
        {"add", "fsub.s", R::S, s2, true, true, BINARY { return f32_sub(lo(a), lo(b), rm, f); }},
        {"add", "fadd.d", R::D, d2, true, true, BINARY { return f64_add(a, b, rm, f); }},
        {"add", "fsub.d", R::D, d2, true, true, BINARY { return f64_sub(a, b, rm, f); }},
        {"mul", "fmul.s", R::S, s2, true, true, BINARY { return f32_mul(lo(a), lo(b), rm, f); }},
        {"mul", "fmul.d", R::D, d2, true, true, BINARY { return f64_mul(a, b, rm, f); }},
        {"div", "fdiv.s", R::S, s2, true, true, BINARY { return f32_div(lo(a), lo(b), rm, f); }},
        {"div", "fdiv.d", R::D, d2, true, true, BINARY { return f64_div(a, b, rm, f); }},
        {"sqrt", "fsqrt.s", R::S, s1, true, true, UNARY { return f32_sqrt(lo(a), rm, f); }},
        {"sqrt", "fsqrt.d", R::D, d1, true, true, UNARY { return f64_sqrt(a, rm, f); }},
        // The hart builds fmsub/fnmsub/fnmadd by negating operands (§11.6); QEMU checks that this is exact.
        {"fma", "fmadd.s", R::S, s3, true, true, TERNARY { return f32_fma(lo(a), lo(b), lo(c), rm, f); }},
        {"fma", "fmsub.s", R::S, s3, true, true, TERNARY { return f32_fma(lo(a), lo(b), lo(c) ^ S_SIGN, rm, f); }},
        {"fma", "fnmsub.s", R::S, s3, true, true, TERNARY { return f32_fma(lo(a) ^ S_SIGN, lo(b), lo(c), rm, f); }},
        {"fma", "fnmadd.s", R::S, s3, true, true,
         TERNARY { return f32_fma(lo(a) ^ S_SIGN, lo(b), lo(c) ^ S_SIGN, rm, f); }},
        {"fma", "fmadd.d", R::D, d3, true, true, TERNARY { return f64_fma(a, b, c, rm, f); }},
        {"fma", "fmsub.d", R::D, d3, true, true, TERNARY { return f64_fma(a, b, c ^ D_NEG, rm, f); }},
        {"fma", "fnmsub.d", R::D, d3, true, true, TERNARY { return f64_fma(a ^ D_NEG, b, c, rm, f); }},
        {"fma", "fnmadd.d", R::D, d3, true, true, TERNARY { return f64_fma(a ^ D_NEG, b, c ^ D_NEG, rm, f); }},
        {"minmax", "fmin.s", R::S, s2, false, false, BINARY_NO_RM { return f32_min(lo(a), lo(b), f); }},
        {"minmax", "fmax.s", R::S, s2, false, false, BINARY_NO_RM { return f32_max(lo(a), lo(b), f); }},
        {"minmax", "fmin.d", R::D, d2, false, false, BINARY_NO_RM { return f64_min(a, b, f); }},
        {"minmax", "fmax.d", R::D, d2, false, false, BINARY_NO_RM { return f64_max(a, b, f); }},
        {"compare", "feq.s", R::X64, s2, false, false, BINARY_NO_RM { return f32_eq(lo(a), lo(b), f); }},
        {"compare", "flt.s", R::X64, s2, false, false, BINARY_NO_RM { return f32_lt(lo(a), lo(b), f); }},
        {"compare", "fle.s", R::X64, s2, false, false, BINARY_NO_RM { return f32_le(lo(a), lo(b), f); }},
        {"compare", "feq.d", R::X64, d2, false, false, BINARY_NO_RM { return f64_eq(a, b, f); }},
        {"compare", "flt.d", R::X64, d2, false, false, BINARY_NO_RM { return f64_lt(a, b, f); }},
        {"compare", "fle.d", R::X64, d2, false, false, BINARY_NO_RM { return f64_le(a, b, f); }},
        {"classify", "fclass.s", R::X64, s1, false, false, UNARY_NO_FLAGS { return f32_classify(lo(a)); }},
        {"classify", "fclass.d", R::X64, d1, false, false, UNARY_NO_FLAGS { return f64_classify(a); }},
        // fcvt.w[u] results are 32 bits, sign-extended into the x register (§11.7).
        {"to_int", "fcvt.w.s", R::X32, s1, true, true, UNARY { return sext32(uint32_t(f32_to_i32(lo(a), rm, f))); }},
        {"to_int", "fcvt.wu.s", R::X32, s1, true, true, UNARY { return sext32(f32_to_u32(lo(a), rm, f)); }},
        {"to_int", "fcvt.l.s", R::X64, s1, true, true, UNARY { return uint64_t(f32_to_i64(lo(a), rm, f)); }},
        {"to_int", "fcvt.lu.s", R::X64, s1, true, true, UNARY { return f32_to_u64(lo(a), rm, f); }},
        {"to_int", "fcvt.w.d", R::X32, d1, true, true, UNARY { return sext32(uint32_t(f64_to_i32(a, rm, f))); }},
        {"to_int", "fcvt.wu.d", R::X32, d1, true, true, UNARY { return sext32(f64_to_u32(a, rm, f)); }},
        {"to_int", "fcvt.l.d", R::X64, d1, true, true, UNARY { return uint64_t(f64_to_i64(a, rm, f)); }},
        {"to_int", "fcvt.lu.d", R::X64, d1, true, true, UNARY { return f64_to_u64(a, rm, f); }},
        // The instructions read the low 32 bits of rs1 for w/wu sources.
        {"from_int", "fcvt.s.w", R::S, {R::X32}, true, true, UNARY { return i32_to_f32(int32_t(lo(a)), rm, f); }},
        {"from_int", "fcvt.s.wu", R::S, {R::X32}, true, true, UNARY { return u32_to_f32(lo(a), rm, f); }},
        {"from_int", "fcvt.s.l", R::S, {R::X64}, true, true, UNARY { return i64_to_f32(int64_t(a), rm, f); }},
        {"from_int", "fcvt.s.lu", R::S, {R::X64}, true, true, UNARY { return u64_to_f32(a, rm, f); }},
        // Exact: the guest instruction has no rm field, and our result must not depend on rm.
        {"from_int", "fcvt.d.w", R::D, {R::X32}, false, true, UNARY { return i32_to_f64(int32_t(lo(a)), rm, f); }},
        {"from_int", "fcvt.d.wu", R::D, {R::X32}, false, true, UNARY { return u32_to_f64(lo(a), rm, f); }},
        {"from_int", "fcvt.d.l", R::D, {R::X64}, true, true, UNARY { return i64_to_f64(int64_t(a), rm, f); }},
        {"from_int", "fcvt.d.lu", R::D, {R::X64}, true, true, UNARY { return u64_to_f64(a, rm, f); }},
        {"between", "fcvt.s.d", R::S, d1, true, true, UNARY { return f64_to_f32(a, rm, f); }},
        {"between", "fcvt.d.s", R::D, s1, false, true, UNARY_NO_RM { return f32_to_f64(lo(a), f); }},
    };
    return specs;
}
#undef UNARY
#undef BINARY
#undef TERNARY
#undef BINARY_NO_RM
#undef UNARY_NO_RM
#undef UNARY_NO_FLAGS

constexpr const char* RM_NAMES[] = {"rne", "rtz", "rdn", "rup", "rmm"};

// The guest: reads {op, rm, a, b, c} records from stdin, runs instruction `op` with rounding mode
// `rm` from clear fflags and writes {result register, fflags}. Float operands travel through fmv so
// the compiler never touches them (a signaling NaN stays signaling).
std::string guest_source()
{
    std::ostringstream src;
    src << "#include <stdint.h>\n#include <stdio.h>\n"
           "struct In { uint32_t op, rm; uint64_t a, b, c; };\n"
           "struct Out { uint64_t result, flags; };\n"
           "static void run(const struct In* in, struct Out* out) {\n"
           "  uint64_t r = 0, fl = 0, a = in->a, b = in->b, c = in->c;\n"
           "  int known = 1;\n"
           "  asm volatile(\"fsflags zero\");\n"
           "  switch (in->op * 8 + in->rm) {\n";
    const auto& specs = op_specs();
    for (size_t op = 0; op < specs.size(); op++) {
        const OpSpec& spec = specs[op];
        std::string load;
        std::string operands;
        const char* inputs[] = {"%1", "%2", "%3"};
        const char* fregs[] = {"ft0", "ft1", "ft2"};
        for (size_t i = 0; i < spec.sources.size(); i++) {
            const Reg r = spec.sources[i];
            if (r == Reg::S || r == Reg::D) {
                load += std::string(r == Reg::S ? "fmv.w.x " : "fmv.d.x ") + fregs[i] + ", " + inputs[i] + "\\n\\t";
                operands += std::string(", ") + fregs[i];
            } else {
                operands += std::string(", ") + inputs[i];
            }
        }
        const bool float_result = spec.result == Reg::S || spec.result == Reg::D;
        const std::string dest = float_result ? "ft3" : "%0";
        const std::string store =
            float_result ? std::string("\\n\\t") + (spec.result == Reg::S ? "fmv.x.w" : "fmv.x.d") + " %0, ft3" : "";
        for (int rm = 0; rm < 5; rm++) {
            const std::string insn = std::string(spec.mnemonic) + " " + dest + operands +
                                     (spec.rm_field ? std::string(", ") + RM_NAMES[rm] : "");
            src << "  case " << op * 8 + size_t(rm) << ": asm volatile(\"" << load << insn << store
                << "\" : \"=r\"(r) : \"r\"(a), \"r\"(b), \"r\"(c) : \"ft0\", \"ft1\", \"ft2\", \"ft3\"); break;\n";
        }
    }
    src << "  default: known = 0;\n"
           "  }\n"
           "  asm volatile(\"frflags %0\" : \"=r\"(fl));\n"
           "  out->result = r;\n"
           "  out->flags = known ? fl : 0xdead;\n"
           "}\n"
           "int main(void) {\n"
           "  static struct In in[4096];\n"
           "  static struct Out out[4096];\n"
           "  size_t n;\n"
           "  while ((n = fread(in, sizeof in[0], 4096, stdin)) > 0) {\n"
           "    for (size_t i = 0; i < n; i++) run(&in[i], &out[i]);\n"
           "    if (fwrite(out, sizeof out[0], n, stdout) != n) return 1;\n"
           "  }\n"
           "  return 0;\n"
           "}\n";
    return src.str();
}

struct Vector {
    uint32_t op;
    uint32_t rm;
    uint64_t a, b, c;
};
struct GuestResult {
    uint64_t result;
    uint64_t flags;
};
static_assert(sizeof(Vector) == 32 && sizeof(GuestResult) == 16);

// A float format as the input generator sees it.
struct Fmt {
    int frac_bits;
    int exp_bits;
    uint64_t bias() const { return (uint64_t(1) << (exp_bits - 1)) - 1; }
    uint64_t exp_all_ones() const { return (uint64_t(1) << exp_bits) - 1; }
    uint64_t frac_mask() const { return (uint64_t(1) << frac_bits) - 1; }
    uint64_t sign() const { return uint64_t(1) << (frac_bits + exp_bits); }
    uint64_t pack(bool neg, uint64_t exp, uint64_t frac) const
    {
        return (neg ? sign() : 0) | (exp << frac_bits) | (frac & frac_mask());
    }
    uint64_t pow2(int k) const { return pack(false, uint64_t(int64_t(bias()) + k), 0); }
};
constexpr Fmt FMT_S{23, 8};
constexpr Fmt FMT_D{52, 11};

// Inputs: random bit patterns, special values, and structured values aimed at the hard cases: tiny
// and huge exponents, integer limits, short significands (whose sums and products are often exact or
// ties), and correlated operands (cancellation, ties in fma).
class Inputs {
public:
    explicit Inputs(uint64_t seed) : m_rng(seed) {}

    uint64_t below(uint64_t n) { return m_rng() % n; }
    bool chance(int percent) { return below(100) < uint64_t(percent); }

    uint64_t special(const Fmt& f)
    {
        const uint64_t inf = f.pack(false, f.exp_all_ones(), 0);
        const uint64_t quiet = uint64_t(1) << (f.frac_bits - 1);
        std::vector<uint64_t> v = {
            0,
            inf,
            inf | quiet,           // canonical qNaN
            inf | quiet | 0x1234,  // qNaN with a payload
            inf | 1,               // sNaN
            inf | (quiet - 1),     // sNaN, every payload bit set
            1,                     // min subnormal
            f.frac_mask(),         // max subnormal
            f.pack(false, 1, 0),   // min normal
            f.pack(false, 1, 1),
            f.pack(false, f.exp_all_ones() - 1, f.frac_mask()),  // max finite
            f.pow2(0) | quiet,                                   // 1.5
            f.pow2(1) | (quiet >> 1),                            // 2.5
        };
        for (int k : {-2, -1, 0, 1})
            v.push_back(f.pow2(k));
        for (int k : {31, 32, 63, 64}) {  // integer limits, their neighbours, and halfway points
            const uint64_t p = f.pow2(k);
            v.insert(v.end(), {p, p - 1, p + 1, f.pow2(k - 1) | quiet});
        }
        uint64_t x = v[below(v.size())];
        if (chance(50))
            x |= f.sign();
        return x;
    }

    uint64_t value(const Fmt& f)
    {
        const uint64_t r = below(100);
        if (r < 15)
            return m_rng() & (f.sign() | (f.sign() - 1));
        if (r < 30)
            return special(f);
        return structured(f, pick_exponent(f));
    }

    // A value with a given biased exponent and a significand of some interesting shape.
    uint64_t structured(const Fmt& f, uint64_t exp)
    {
        const uint64_t r = below(100);
        uint64_t frac;
        if (r < 40) {
            frac = m_rng();
        } else if (r < 70) {  // few significant bits
            const int keep = int(below(7));
            frac = keep == 0 ? 0 : (m_rng() << (64 - keep)) >> (64 - f.frac_bits);
        } else if (r < 80) {
            frac = f.frac_mask() - below(4);
        } else if (r < 90) {
            // Halfway between two binary32 values (for binary64 operands of fcvt.s.d), or nearly.
            frac = (m_rng() & (f.frac_mask() << 29)) | (uint64_t(1) << 28);
            frac += chance(50) ? 0 : below(3) - 1;
        } else {
            frac = below(16);
        }
        return f.pack(chance(50), exp, frac);
    }

    uint64_t pick_exponent(const Fmt& f)
    {
        const uint64_t r = below(100);
        const auto max = f.exp_all_ones();
        const auto bias = int64_t(f.bias());
        if (r < 30)
            return below(max + 1);
        if (r < 45)
            return below(uint64_t(f.frac_bits) + 4);  // subnormal and barely normal
        if (r < 55)
            return max - 1 - below(uint64_t(f.frac_bits) + 4);  // near overflow
        if (r < 85)
            return uint64_t(bias - 3 + int64_t(below(70)));  // 0.125 .. 2^66: integer conversions
        if (r < 92 && f.exp_bits == 11)  // the binary32 subnormal and overflow boundaries
            return uint64_t(chance(50) ? bias - 152 + int64_t(below(30)) : bias + 125 + int64_t(below(5)));
        return uint64_t(bias - 2 + int64_t(below(5)));  // around 1
    }

    // A second operand close in exponent to `a` (cancellation, ties) or a few ulps from it.
    uint64_t near(const Fmt& f, uint64_t a)
    {
        const auto exp = int64_t((a >> f.frac_bits) & f.exp_all_ones());
        if (chance(30)) {
            uint64_t b = a + below(5) - 2;
            if (chance(50))
                b ^= f.sign();
            return b & (f.sign() | (f.sign() - 1));
        }
        const int64_t span = int64_t(f.frac_bits) + 4;
        int64_t e = exp + (chance(50) ? int64_t(below(5)) - 2 : int64_t(below(uint64_t(2 * span + 1))) - span);
        e = std::clamp<int64_t>(e, 0, int64_t(f.exp_all_ones()) - 1);
        return structured(f, uint64_t(e));
    }

    uint64_t integer(bool wide)
    {
        const uint64_t r = below(100);
        uint64_t v;
        if (r < 20) {
            v = m_rng();
        } else if (r < 35) {
            v = below(2001) - 1000;
        } else if (r < 65) {
            const int k = int(below(wide ? 64 : 32));
            v = (uint64_t(1) << k) + below(7) - 3;
        } else {
            // Halfway between two binary32 or binary64 values (a tie), or one off: a leading one and
            // precision - 1 random bits, then a one, then zeros.
            const int width = wide ? 64 : 32;
            const int precision = wide && chance(50) ? 53 : 24;
            const int extra = 1 + int(below(uint64_t(width - precision)));  // 1 .. width - precision
            const uint64_t top = (m_rng() | (uint64_t(1) << 63)) >> (64 - precision);
            v = (top << extra) | (uint64_t(1) << (extra - 1));
            if (chance(40))
                v += below(3) - 1;
        }
        if (chance(30))
            v = uint64_t(0) - v;
        return wide ? v : sext32(uint32_t(v));
    }

    uint64_t operand(Reg r)
    {
        switch (r) {
        case Reg::S:
            return value(FMT_S);
        case Reg::D:
            return value(FMT_D);
        case Reg::X32:
            return integer(false);
        case Reg::X64:
            return integer(true);
        }
        return 0;
    }

    // Operands for one op: independent, or with the second (and third) correlated to the first.
    void operands(const OpSpec& spec, uint64_t& a, uint64_t& b, uint64_t& c)
    {
        a = operand(spec.sources[0]);
        b = spec.sources.size() > 1 ? operand(spec.sources[1]) : 0;
        c = spec.sources.size() > 2 ? operand(spec.sources[2]) : 0;
        if (spec.sources.size() < 2)
            return;
        const bool single = spec.sources[0] == Reg::S;
        const Fmt& f = single ? FMT_S : FMT_D;
        if (spec.sources.size() == 2) {
            if (chance(40))
                b = near(f, a);
            else if (chance(10))
                b = chance(50) ? a : a ^ f.sign();
            return;
        }
        // fma: inf * 0 (§11.6 requires NV even with a quiet NaN addend).
        if (chance(3)) {
            a = f.pack(chance(50), f.exp_all_ones(), 0);
            b = f.pack(chance(50), 0, 0);
            if (chance(50))
                std::swap(a, b);
            if (chance(50))
                c = f.pack(chance(50), f.exp_all_ones(), chance(50) ? 1 : uint64_t(1) << (f.frac_bits - 1));
            return;
        }
        // fma: an addend near the (host-rounded) product makes cancellation and ties likely.
        if (chance(60)) {
            uint64_t product;
            if (single)
                product = s(std::bit_cast<float>(uint32_t(a)) * std::bit_cast<float>(uint32_t(b)));
            else
                product = d(std::bit_cast<double>(a) * std::bit_cast<double>(b));
            const auto exp = (product >> f.frac_bits) & f.exp_all_ones();
            if (exp != f.exp_all_ones())
                c = near(f, product ^ (chance(70) ? f.sign() : 0));
        }
    }

private:
    std::mt19937_64 m_rng;
};

std::string find_tool(const char* env_override, const char* name)
{
    if (const char* path = std::getenv(env_override); path && *path)
        return path;
    const char* env_path = std::getenv("PATH");
    std::istringstream dirs(env_path ? env_path : "");
    for (std::string dir; std::getline(dirs, dir, ':');) {
        const std::string candidate = dir + "/" + name;
        if (!dir.empty() && access(candidate.c_str(), X_OK) == 0)
            return candidate;
    }
    return {};
}

std::string quote(const std::string& path)
{
    return "'" + path + "'";  // our own temporary paths and PATH entries: no quotes inside
}

int run_command(const std::string& command)
{
    const int status = std::system(command.c_str());
    return status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string hex(uint64_t v)
{
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
    return buf;
}

// The guest is compiled once per process; each test then runs the vectors of its own family, so that
// ctest, which runs every test in a process of its own, does not repeat the whole run eleven times.
class FpuQemu : public ::testing::Test {
protected:
    static constexpr uint64_t SEED = 0x5eed'f9u;
    static constexpr int VECTORS_PER_MODE = 6000;      // per op and rounding mode
    static constexpr int VECTORS_NO_ROUNDING = 12000;  // per op without rounding

    static void SetUpTestSuite()
    {
        const std::string gcc = find_tool("VIREO_RISCV64_LINUX_GCC", "riscv64-linux-gnu-gcc");
        m_qemu = find_tool("VIREO_QEMU_RISCV64", "qemu-riscv64");
        if (gcc.empty() || m_qemu.empty()) {
            m_skip_reason = "riscv64-linux-gnu-gcc or qemu-riscv64 not found in PATH (apt-get install "
                            "gcc-riscv64-linux-gnu qemu-user, or set VIREO_RISCV64_LINUX_GCC/VIREO_QEMU_RISCV64)";
            return;
        }
        std::string dir_template = (std::filesystem::temp_directory_path() / "vireo-fpu-test-XXXXXX").string();
        if (!mkdtemp(dir_template.data())) {
            m_error = "mkdtemp failed for " + dir_template;
            return;
        }
        m_dir = dir_template;
        std::ofstream(m_dir / "guest.c") << guest_source();
        if (run_command(quote(gcc) + " -static -O1 -o " + at("guest") + " " + at("guest.c") + " 2> " + at("gcc.log"))) {
            m_error = "compiling the guest failed; see " + (m_dir / "gcc.log").string();
            m_keep_dir = true;
        }
    }

    static void TearDownTestSuite()
    {
        if (!m_dir.empty() && !m_keep_dir)
            std::filesystem::remove_all(m_dir);
    }

    static std::string at(const char* name) { return quote((m_dir / name).string()); }

    // Vectors for every op of `family`. Each op has its own seed, so an op's vectors do not depend on
    // which other tests run.
    static std::vector<Vector> generate_vectors(const char* family)
    {
        std::vector<Vector> vectors;
        const auto& specs = op_specs();
        for (uint32_t op = 0; op < specs.size(); op++) {
            const OpSpec& spec = specs[op];
            if (std::strcmp(spec.family, family) != 0)
                continue;
            Inputs inputs(SEED + op);
            for (uint32_t rm = 0; rm < (spec.rounds ? 5u : 1u); rm++) {
                const int count = spec.rounds ? VECTORS_PER_MODE : VECTORS_NO_ROUNDING;
                for (int i = 0; i < count; i++) {
                    Vector v{op, rm, 0, 0, 0};
                    inputs.operands(spec, v.a, v.b, v.c);
                    vectors.push_back(v);
                }
            }
        }
        return vectors;
    }

    // Runs the vectors in the guest; false (with m_error set) if that fails.
    static bool run_guest(const std::vector<Vector>& vectors, std::vector<GuestResult>& results)
    {
        {
            std::ofstream in(m_dir / "vectors.bin", std::ios::binary | std::ios::trunc);
            in.write(reinterpret_cast<const char*>(vectors.data()), std::streamsize(vectors.size() * sizeof(Vector)));
        }
        if (run_command(quote(m_qemu) + " " + at("guest") + " < " + at("vectors.bin") + " > " + at("results.bin"))) {
            m_error = "running the guest under qemu-riscv64 failed (files in " + m_dir.string() + ")";
            m_keep_dir = true;
            return false;
        }
        results.resize(vectors.size());
        std::ifstream out(m_dir / "results.bin", std::ios::binary);
        const auto bytes = std::streamsize(results.size() * sizeof(GuestResult));
        out.read(reinterpret_cast<char*>(results.data()), bytes);
        if (out.gcount() != bytes) {
            m_error = "the guest produced too few results (files in " + m_dir.string() + ")";
            m_keep_dir = true;
            return false;
        }
        return true;
    }

    // Compares every vector of one family; reports the first few mismatches in full.
    void check_family(const char* family)
    {
        if (!m_skip_reason.empty())
            GTEST_SKIP() << m_skip_reason;
        ASSERT_TRUE(m_error.empty()) << m_error;
        const std::vector<Vector> vectors = generate_vectors(family);
        ASSERT_FALSE(vectors.empty());
        std::vector<GuestResult> results;
        ASSERT_TRUE(run_guest(vectors, results)) << m_error;

        const auto& specs = op_specs();
        size_t mismatches = 0;
        for (size_t i = 0; i < vectors.size(); i++) {
            const Vector& v = vectors[i];
            const OpSpec& spec = specs[v.op];
            uint32_t flags = 0;
            uint64_t ours = spec.ours(v.a, v.b, v.c, Rounding(v.rm), flags);
            uint64_t theirs = results[i].result;
            if (spec.result == Reg::S) {  // fmv.x.w sign-extends; only the low 32 bits are the value
                ours = lo(ours);
                theirs = lo(theirs);
            }
            if (ours == theirs && flags == results[i].flags)
                continue;
            if (++mismatches <= 12) {
                ADD_FAILURE() << spec.mnemonic << " rm=" << RM_NAMES[v.rm] << " a=" << hex(v.a) << " b=" << hex(v.b)
                              << " c=" << hex(v.c) << ": qemu " << hex(theirs) << " flags " << hex(results[i].flags)
                              << ", ours " << hex(ours) << " flags " << hex(flags);
            }
        }
        EXPECT_EQ(mismatches, 0u) << "of " << vectors.size() << " vectors";
        std::printf("[          ] %s: %zu vectors compared with qemu-riscv64\n", family, vectors.size());
    }

    static inline std::string m_qemu;
    static inline std::filesystem::path m_dir;
    static inline bool m_keep_dir = false;
    static inline std::string m_skip_reason;
    static inline std::string m_error;
};

}  // namespace

TEST_F(FpuQemu, AddSub_11_6)
{
    check_family("add");
}
TEST_F(FpuQemu, Mul_11_6)
{
    check_family("mul");
}
TEST_F(FpuQemu, Div_11_6)
{
    check_family("div");
}
TEST_F(FpuQemu, Sqrt_11_6)
{
    check_family("sqrt");
}
TEST_F(FpuQemu, FusedMultiplyAdd_11_6)
{
    check_family("fma");
}
TEST_F(FpuQemu, MinMax_11_6)
{
    check_family("minmax");
}
TEST_F(FpuQemu, Compare_11_8)
{
    check_family("compare");
}
TEST_F(FpuQemu, Classify_11_9)
{
    check_family("classify");
}
TEST_F(FpuQemu, FloatToInt_11_7)
{
    check_family("to_int");
}
TEST_F(FpuQemu, IntToFloat_11_7)
{
    check_family("from_int");
}
TEST_F(FpuQemu, BetweenFormats_12_5)
{
    check_family("between");
}
