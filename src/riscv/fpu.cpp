// IEEE 754 binary32/binary64 with RISC-V F/D semantics (unprivileged spec 20191213, chapters 11 and 12).
//
// Every arithmetic operation has two implementations:
//
// - The host path runs the operation on the x86-64 SSE unit. One inline asm statement loads an MXCSR
//   value holding the rounding mode, runs the instruction, reads the exception flags back and restores
//   the caller's MXCSR, so the compiler can neither move the arithmetic out of the mode switch nor
//   constant-fold it. SSE implements IEEE 754 as RISC-V needs it: tininess is detected after rounding
//   (Intel SDM Vol. 1 §4.9.1.5; RISC-V §11.4), and with the underflow exception masked UE is only
//   raised when the tiny result is also inexact, which is exactly fflags.UF. Only the result NaN
//   differs (x86 returns the negative "real indefinite" or propagates a payload) and is replaced by
//   the canonical NaN.
//
//   FIXME: the four MXCSR accesses (stmxcsr is the slow one) cost about 8 ns of the ~12 ns an
//   f64_add takes on the AMD EPYC we measured, against 0.8 ns for the addsd itself. A scope owned by
//   the hart that switches MXCSR once around a run of FP instructions would remove most of it.
//
// - The software path does the operation in exact integer arithmetic and rounds once in round_pack().
//   It serves RMM, which x86 cannot do (ties to max magnitude is not an MXCSR mode), fma on hosts
//   without FMA3, and every operation on hosts that are not x86-64.
//
// Conversions to and from integers, widening, min/max, compares and fclass are integer code on every
// host: they need a few shifts and compares, which is cheaper than an MXCSR round trip.
#include "riscv/fpu.hpp"

#include <array>
#include <bit>
#include <cstddef>
#include <limits>
#include <type_traits>
#include <utility>

#include "base/assert.hpp"

// VIREO_FPU_SOFTWARE_ONLY builds the software path for every rounding mode, as on non-x86 hosts. Build
// with it to run the differential tests (tests/unit/fpu_test.cpp) against the software path in RNE,
// RTZ, RDN and RUP too; by default they reach it only through RMM.
#if defined(__x86_64__) && !defined(VIREO_FPU_SOFTWARE_ONLY)
#define VIREO_FPU_HOST_SSE 1
#else
#define VIREO_FPU_HOST_SSE 0
#endif

namespace vireo::riscv::fpu {
namespace {

using u128 = unsigned __int128;

// The parameters of one binary interchange format (IEEE 754-2019 §3.6).
template <typename B, typename H, int P, int E>
struct Format {
    using Bits = B;
    using Host = H;
    static constexpr int WIDTH = int(sizeof(B) * 8);
    static constexpr int PRECISION = P;  // significand bits, the hidden bit included
    static constexpr int FRAC_BITS = P - 1;
    static constexpr int BIAS = (1 << (E - 1)) - 1;
    static constexpr int EMIN = 1 - BIAS;  // exponent of the smallest normal number
    static constexpr int EMAX = BIAS;
    static constexpr B SIGN = B(B(1) << (WIDTH - 1));
    static constexpr B EXP_MASK = B(((B(1) << E) - 1) << FRAC_BITS);
    static constexpr B FRAC_MASK = B((B(1) << FRAC_BITS) - 1);
    static constexpr B QUIET = B(B(1) << (FRAC_BITS - 1));
    static constexpr B INF = EXP_MASK;
    static constexpr B MAX_FINITE = B(EXP_MASK - 1);
    static constexpr B CANONICAL_NAN = B(EXP_MASK | QUIET);
};
using F32 = Format<uint32_t, float, 24, 8>;
using F64 = Format<uint64_t, double, 53, 11>;
static_assert(F32::CANONICAL_NAN == F32_CANONICAL_NAN && F64::CANONICAL_NAN == F64_CANONICAL_NAN);
static_assert(sizeof(float) == 4 && sizeof(double) == 8);

template <typename F>
constexpr bool sign_of(typename F::Bits a)
{
    return (a & F::SIGN) != 0;
}
template <typename F>
constexpr bool is_nan(typename F::Bits a)
{
    return (a & ~F::SIGN) > F::EXP_MASK;
}
template <typename F>
constexpr bool is_snan(typename F::Bits a)
{
    return is_nan<F>(a) && !(a & F::QUIET);
}
template <typename F>
constexpr bool is_inf(typename F::Bits a)
{
    return (a & ~F::SIGN) == F::EXP_MASK;
}
template <typename F>
constexpr bool is_zero(typename F::Bits a)
{
    return (a & ~F::SIGN) == 0;
}
template <typename F>
constexpr typename F::Bits signed_zero(bool sign)
{
    return sign ? F::SIGN : 0;
}
template <typename F>
constexpr typename F::Bits signed_inf(bool sign)
{
    return F::INF | signed_zero<F>(sign);
}

// A finite nonzero value as (-1)^sign * mag * 2^exp, mag an integer.
struct Exact {
    bool sign;
    int exp;
    uint64_t mag;
};

template <typename F>
Exact unpack(typename F::Bits a)
{
    const int field = int((a & F::EXP_MASK) >> F::FRAC_BITS);
    const uint64_t frac = a & F::FRAC_MASK;
    if (field == 0)  // subnormal: no hidden bit, exponent of the smallest normal (§3.4 of IEEE 754)
        return {sign_of<F>(a), F::EMIN - F::FRAC_BITS, frac};
    return {sign_of<F>(a), field - F::BIAS - F::FRAC_BITS, frac | (uint64_t(1) << F::FRAC_BITS)};
}

int clz128(u128 v)
{
    const auto hi = uint64_t(v >> 64);
    return hi ? std::countl_zero(hi) : 64 + std::countl_zero(uint64_t(v));
}

// Shifts right, ORing every bit shifted out into bit 0 (the "sticky" bit), so an inexact value stays
// distinguishable from an exact one after alignment.
u128 shift_right_jam(u128 v, int n)
{
    if (n <= 0)
        return v;
    if (n >= 128)
        return v != 0;
    return (v >> n) | ((v << (128 - n)) != 0);
}

// Whether discarding `rem` (the bits below the result's last place, `half` being one half of that
// place) rounds the magnitude up. Reserved rm encodings never get here: the hart resolves DYN and
// rejects 5 and 6 as illegal instructions (§11.2).
bool rounds_up(bool sign, bool lsb_odd, u128 rem, u128 half, Rounding rm)
{
    switch (rm) {
    case Rounding::RNE:
        return rem > half || (rem == half && lsb_odd);
    case Rounding::RTZ:
        return false;
    case Rounding::RDN:
        return sign && rem != 0;
    case Rounding::RUP:
        return !sign && rem != 0;
    case Rounding::RMM:
        return rem >= half;
    }
    VERIFY_NOT_REACHED();
}

// Rounds (-1)^sign * mag * 2^exp (mag != 0) to format F. If mag is itself inexact it must carry a
// sticky bit and at least two bits of precision beyond F's, so that its bit 0 never decides a tie.
template <typename F>
typename F::Bits round_pack(bool sign, int exp, u128 mag, Rounding rm, uint32_t& flags)
{
    using B = typename F::Bits;
    constexpr int DROP = 128 - F::PRECISION;  // bits below the last place of a normal result
    constexpr u128 DROP_MASK = (u128(1) << DROP) - 1;
    constexpr u128 HALF = u128(1) << (DROP - 1);

    const int lz = clz128(mag);
    u128 sig = mag << lz;
    int e = exp + 127 - lz;  // exponent of the leading bit

    bool tiny = false;
    if (e < F::EMIN) {
        // "Tininess is detected after rounding" (§11.4, in IEEE 754-2008 §7.5 terms): the result is tiny
        // if rounding to F's precision with an unbounded exponent still gives a magnitude below 2^EMIN.
        // Only a value just below 2^EMIN whose rounding carries out of the significand escapes.
        tiny = true;
        if (e == F::EMIN - 1) {
            const uint64_t kept = uint64_t(sig >> DROP);
            if (kept == (uint64_t(1) << F::PRECISION) - 1 && rounds_up(sign, true, sig & DROP_MASK, HALF, rm))
                tiny = false;
        }
        sig = shift_right_jam(sig, F::EMIN - e);
        e = F::EMIN;
    }

    const u128 rem = sig & DROP_MASK;
    uint64_t kept = uint64_t(sig >> DROP);
    if (rounds_up(sign, kept & 1, rem, HALF, rm))
        kept++;
    if (rem != 0) {
        // IEEE 754 §7.5: with default handling, underflow is signaled only for a tiny inexact result.
        flags |= FFLAG_NX | (tiny ? FFLAG_UF : 0);
    }
    if (kept >> F::PRECISION) {  // rounding carried out: 1.11..1 became 10.00..0
        kept >>= 1;
        e++;
    }
    if (e > F::EMAX) {
        // §7.4: the overflow result depends on the direction of rounding.
        flags |= FFLAG_OF | FFLAG_NX;
        const bool to_inf = rm == Rounding::RNE || rm == Rounding::RMM || (rm == Rounding::RDN && sign) ||
                            (rm == Rounding::RUP && !sign);
        return B(signed_zero<F>(sign) | (to_inf ? F::INF : F::MAX_FINITE));
    }
    // A significand without its leading bit set is subnormal (only possible at e == EMIN): field 0.
    const uint64_t field = (kept >> F::FRAC_BITS) ? uint64_t(e + F::BIAS) : 0;
    return B(signed_zero<F>(sign) | B(field << F::FRAC_BITS) | B(kept & F::FRAC_MASK));
}

// IEEE 754 §6.3: an exact zero sum has the sign of its operands when they agree, otherwise +0, except
// -0 when rounding toward negative.
template <typename F>
typename F::Bits exact_zero_sum(bool sign_a, bool sign_b, Rounding rm)
{
    if (sign_a == sign_b)
        return signed_zero<F>(sign_a);
    return signed_zero<F>(rm == Rounding::RDN);
}

// Adds two exact values whose magnitudes fit in 106 bits. Both are normalized to bit 125, which leaves
// room for a carry and, when one operand is shifted far enough to lose bits, keeps more than 64 bits
// of the result above the sticky bit; the one cancellation that can wipe out leading bits (exponents
// within one of each other) shifts by at most one, losing nothing.
template <typename F>
typename F::Bits add_exact(bool sign_a, int exp_a, u128 mag_a, bool sign_b, int exp_b, u128 mag_b, Rounding rm,
                           uint32_t& flags)
{
    const int shift_a = clz128(mag_a) - 2;
    const int shift_b = clz128(mag_b) - 2;
    u128 sig_a = mag_a << shift_a;
    u128 sig_b = mag_b << shift_b;
    exp_a -= shift_a;
    exp_b -= shift_b;
    if (exp_a < exp_b || (exp_a == exp_b && sig_a < sig_b)) {  // make a the larger magnitude
        std::swap(sign_a, sign_b);
        std::swap(exp_a, exp_b);
        std::swap(sig_a, sig_b);
    }
    sig_b = shift_right_jam(sig_b, exp_a - exp_b);
    const u128 sum = sign_a == sign_b ? sig_a + sig_b : sig_a - sig_b;
    if (sum == 0)
        return exact_zero_sum<F>(sign_a, sign_b, rm);
    return round_pack<F>(sign_a, exp_a, sum, rm, flags);
}

// NaN operands of arithmetic (§11.3): a signaling NaN raises NV, and the result is the canonical NaN.
template <typename F>
typename F::Bits nan_result(typename F::Bits a, typename F::Bits b, uint32_t& flags)
{
    if (is_snan<F>(a) || is_snan<F>(b))
        flags |= FFLAG_NV;
    return F::CANONICAL_NAN;
}

template <typename F>
typename F::Bits invalid(uint32_t& flags)
{
    flags |= FFLAG_NV;
    return F::CANONICAL_NAN;
}

template <typename F>
typename F::Bits soft_add(typename F::Bits a, typename F::Bits b, Rounding rm, uint32_t& flags)
{
    if (is_nan<F>(a) || is_nan<F>(b))
        return nan_result<F>(a, b, flags);
    if (is_inf<F>(a)) {
        if (is_inf<F>(b) && sign_of<F>(a) != sign_of<F>(b))
            return invalid<F>(flags);  // inf - inf
        return a;
    }
    if (is_inf<F>(b))
        return b;
    if (is_zero<F>(a) && is_zero<F>(b))
        return exact_zero_sum<F>(sign_of<F>(a), sign_of<F>(b), rm);
    if (is_zero<F>(a))
        return b;
    if (is_zero<F>(b))
        return a;
    const Exact x = unpack<F>(a);
    const Exact y = unpack<F>(b);
    return add_exact<F>(x.sign, x.exp, x.mag, y.sign, y.exp, y.mag, rm, flags);
}

template <typename F>
typename F::Bits soft_mul(typename F::Bits a, typename F::Bits b, Rounding rm, uint32_t& flags)
{
    if (is_nan<F>(a) || is_nan<F>(b))
        return nan_result<F>(a, b, flags);
    const bool sign = sign_of<F>(a) != sign_of<F>(b);
    if (is_inf<F>(a) || is_inf<F>(b)) {
        if (is_zero<F>(a) || is_zero<F>(b))
            return invalid<F>(flags);  // inf * 0
        return signed_inf<F>(sign);
    }
    if (is_zero<F>(a) || is_zero<F>(b))
        return signed_zero<F>(sign);
    const Exact x = unpack<F>(a);
    const Exact y = unpack<F>(b);
    return round_pack<F>(sign, x.exp + y.exp, u128(x.mag) * y.mag, rm, flags);  // the product is exact
}

template <typename F>
typename F::Bits soft_div(typename F::Bits a, typename F::Bits b, Rounding rm, uint32_t& flags)
{
    if (is_nan<F>(a) || is_nan<F>(b))
        return nan_result<F>(a, b, flags);
    const bool sign = sign_of<F>(a) != sign_of<F>(b);
    if (is_inf<F>(a)) {
        if (is_inf<F>(b))
            return invalid<F>(flags);  // inf / inf
        return signed_inf<F>(sign);
    }
    if (is_inf<F>(b))
        return signed_zero<F>(sign);
    if (is_zero<F>(b)) {
        if (is_zero<F>(a))
            return invalid<F>(flags);  // 0 / 0
        flags |= FFLAG_DZ;
        return signed_inf<F>(sign);
    }
    if (is_zero<F>(a))
        return signed_zero<F>(sign);
    Exact x = unpack<F>(a);
    Exact y = unpack<F>(b);
    // With both significands normalized to bit 63, the quotient of x.mag * 2^64 by y.mag has 64 or 65
    // bits; a nonzero remainder becomes the sticky bit.
    const int sx = std::countl_zero(x.mag);
    const int sy = std::countl_zero(y.mag);
    const u128 num = u128(x.mag << sx) << 64;
    const uint64_t den = y.mag << sy;
    const u128 q = num / den;
    const bool exact = num % den == 0;
    return round_pack<F>(sign, (x.exp - sx) - (y.exp - sy) - 64, q | (exact ? 0 : 1), rm, flags);
}

// Integer square root of a 128-bit value, digit by digit (two bits of the radicand per result bit).
u128 isqrt128(u128 v, bool& exact)
{
    u128 rem = v;
    u128 root = 0;
    u128 bit = u128(1) << 126;
    while (bit > rem)
        bit >>= 2;
    while (bit != 0) {
        if (rem >= root + bit) {
            rem -= root + bit;
            root = (root >> 1) + bit;
        } else {
            root >>= 1;
        }
        bit >>= 2;
    }
    exact = rem == 0;
    return root;
}

template <typename F>
typename F::Bits soft_sqrt(typename F::Bits a, Rounding rm, uint32_t& flags)
{
    if (is_nan<F>(a))
        return nan_result<F>(a, a, flags);
    if (is_zero<F>(a))
        return a;  // sqrt(-0) = -0 (IEEE 754 §5.4.1)
    if (sign_of<F>(a))
        return invalid<F>(flags);
    if (is_inf<F>(a))
        return a;
    const Exact x = unpack<F>(a);
    // Normalize to bit 124 or 125, whichever makes the exponent even, so the root has 63 bits.
    int shift = clz128(x.mag) - 3;
    if ((x.exp - shift) & 1)
        shift++;
    bool exact = false;
    const u128 root = isqrt128(u128(x.mag) << shift, exact);
    return round_pack<F>(false, (x.exp - shift) / 2, root | (exact ? 0 : 1), rm, flags);
}

template <typename F>
typename F::Bits soft_fma(typename F::Bits a, typename F::Bits b, typename F::Bits c, Rounding rm, uint32_t& flags)
{
    using B = typename F::Bits;
    const bool inf_times_zero = (is_inf<F>(a) && is_zero<F>(b)) || (is_zero<F>(a) && is_inf<F>(b));
    if (is_nan<F>(a) || is_nan<F>(b) || is_nan<F>(c)) {
        // §11.6: fused multiply-adds raise NV for inf * 0 even when the addend is a quiet NaN.
        if (inf_times_zero || is_snan<F>(c))
            flags |= FFLAG_NV;
        return nan_result<F>(a, b, flags);
    }
    if (inf_times_zero)
        return invalid<F>(flags);
    const bool sign_p = sign_of<F>(a) != sign_of<F>(b);
    if (is_inf<F>(a) || is_inf<F>(b)) {
        if (is_inf<F>(c) && sign_of<F>(c) != sign_p)
            return invalid<F>(flags);  // inf - inf
        return signed_inf<F>(sign_p);
    }
    if (is_inf<F>(c))
        return c;
    if (is_zero<F>(a) || is_zero<F>(b)) {
        if (is_zero<F>(c))
            return exact_zero_sum<F>(sign_p, sign_of<F>(c), rm);
        return c;
    }
    const Exact x = unpack<F>(a);
    const Exact y = unpack<F>(b);
    const u128 product = u128(x.mag) * y.mag;  // exact, at most 106 bits
    if (is_zero<F>(c))
        return round_pack<F>(sign_p, x.exp + y.exp, product, rm, flags);
    const Exact z = unpack<F>(c);
    return B(add_exact<F>(sign_p, x.exp + y.exp, product, z.sign, z.exp, z.mag, rm, flags));
}

template <typename To, typename From>
typename To::Bits soft_convert(typename From::Bits a, Rounding rm, uint32_t& flags)
{
    if (is_nan<From>(a)) {
        if (is_snan<From>(a))
            flags |= FFLAG_NV;
        return To::CANONICAL_NAN;
    }
    if (is_inf<From>(a))
        return signed_inf<To>(sign_of<From>(a));
    if (is_zero<From>(a))
        return signed_zero<To>(sign_of<From>(a));
    const Exact x = unpack<From>(a);
    return round_pack<To>(x.sign, x.exp, x.mag, rm, flags);
}

#if VIREO_FPU_HOST_SSE

// MXCSR (Intel SDM Vol. 1 §10.2.3): flags IE DE ZE OE UE PE in bits 0-5, DAZ in bit 6, the six
// exception masks in bits 7-12, rounding control in bits 13-14, FTZ in bit 15.
constexpr uint32_t MXCSR_ALL_MASKED = 0x3fu << 7;
constexpr uint32_t MXCSR_FLAGS = 0x3f;

// The MXCSR to compute with for rm = RNE, RTZ, RDN, RUP. Rounding control is 00 nearest-even,
// 01 down, 10 up, 11 toward zero. All exceptions are masked so they only set flags; DAZ and FTZ are
// clear because both replace subnormals by zeros, which neither IEEE 754 nor RISC-V allows.
constexpr std::array<uint32_t, 4> MXCSR_FOR_RM{
    MXCSR_ALL_MASKED | 0u << 13,
    MXCSR_ALL_MASKED | 3u << 13,
    MXCSR_ALL_MASKED | 1u << 13,
    MXCSR_ALL_MASKED | 2u << 13,
};

// fflags for each combination of MXCSR flag bits. DE (an operand was subnormal) has no RISC-V
// counterpart and is dropped.
constexpr std::array<uint8_t, 64> FFLAGS_FROM_MXCSR = [] {
    std::array<uint8_t, 64> table{};
    for (uint32_t s = 0; s < 64; s++) {
        uint32_t f = 0;
        f |= (s & 0x01) ? FFLAG_NV : 0;
        f |= (s & 0x04) ? FFLAG_DZ : 0;
        f |= (s & 0x08) ? FFLAG_OF : 0;
        f |= (s & 0x10) ? FFLAG_UF : 0;
        f |= (s & 0x20) ? FFLAG_NX : 0;
        table[s] = uint8_t(f);
    }
    return table;
}();

// The whole sequence is one asm statement: the mode switch, the instruction and the flag read cannot
// be separated or reordered by the compiler, and the caller's MXCSR is back in place when it ends.
// (So no -frounding-math is needed: the compiler never sees floating-point arithmetic it could fold.)
// Expects `rm`, and the uint32_t locals `saved` and `status`, in scope.
#define VIREO_FPU_SSE(insn, outputs, inputs)                                                           \
    asm volatile("stmxcsr %[saved]\n\t"                                                                \
                 "ldmxcsr %[mode]\n\t" insn "\n\t"                                                     \
                 "stmxcsr %[status]\n\t"                                                               \
                 "ldmxcsr %[saved]"                                                                    \
                 : VIREO_FPU_UNPAREN outputs, [saved] "=m"(saved), [status] "=m"(status)              \
                 : VIREO_FPU_UNPAREN inputs, [mode] "m"(MXCSR_FOR_RM[size_t(rm)]))
#define VIREO_FPU_UNPAREN(...) __VA_ARGS__

enum class HostOp { Add, Sub, Mul, Div, Sqrt, Fma };

template <typename F>
typename F::Bits host_result(typename F::Host value, uint32_t status, uint32_t& flags)
{
    flags |= FFLAGS_FROM_MXCSR[status & MXCSR_FLAGS];
    const auto bits = std::bit_cast<typename F::Bits>(value);
    return is_nan<F>(bits) ? F::CANONICAL_NAN : bits;
}

// rm must be RNE, RTZ, RDN or RUP. For the binary operations b is the right operand, for Fma the
// multiplier (a * b + c); Sqrt ignores b and c.
template <typename F, HostOp OP>
typename F::Bits host_op(typename F::Bits a, typename F::Bits b, typename F::Bits c, Rounding rm,
                         uint32_t& flags)
{
    using H = typename F::Host;
    constexpr bool D = std::is_same_v<F, F64>;
    H x = std::bit_cast<H>(a);
    const H y = std::bit_cast<H>(b);
    [[maybe_unused]] H z = std::bit_cast<H>(c);
    uint32_t saved;
    uint32_t status;
    if constexpr (OP == HostOp::Add && D)
        VIREO_FPU_SSE("addsd %[y], %[x]", ([x] "+x"(x)), ([y] "x"(y)));
    else if constexpr (OP == HostOp::Add)
        VIREO_FPU_SSE("addss %[y], %[x]", ([x] "+x"(x)), ([y] "x"(y)));
    else if constexpr (OP == HostOp::Sub && D)
        VIREO_FPU_SSE("subsd %[y], %[x]", ([x] "+x"(x)), ([y] "x"(y)));
    else if constexpr (OP == HostOp::Sub)
        VIREO_FPU_SSE("subss %[y], %[x]", ([x] "+x"(x)), ([y] "x"(y)));
    else if constexpr (OP == HostOp::Mul && D)
        VIREO_FPU_SSE("mulsd %[y], %[x]", ([x] "+x"(x)), ([y] "x"(y)));
    else if constexpr (OP == HostOp::Mul)
        VIREO_FPU_SSE("mulss %[y], %[x]", ([x] "+x"(x)), ([y] "x"(y)));
    else if constexpr (OP == HostOp::Div && D)
        VIREO_FPU_SSE("divsd %[y], %[x]", ([x] "+x"(x)), ([y] "x"(y)));
    else if constexpr (OP == HostOp::Div)
        VIREO_FPU_SSE("divss %[y], %[x]", ([x] "+x"(x)), ([y] "x"(y)));
    else if constexpr (OP == HostOp::Sqrt && D)
        VIREO_FPU_SSE("sqrtsd %[x], %[x]", ([x] "+x"(x)), ([y] "x"(y)));
    else if constexpr (OP == HostOp::Sqrt)
        VIREO_FPU_SSE("sqrtss %[x], %[x]", ([x] "+x"(x)), ([y] "x"(y)));
    // FMA3 (AT&T operand order): z = x * y + z. The caller checked that the host has FMA3.
    else if constexpr (OP == HostOp::Fma && D)
        VIREO_FPU_SSE("vfmadd231sd %[y], %[x], %[z]", ([z] "+x"(z)), ([x] "x"(x), [y] "x"(y)));
    else if constexpr (OP == HostOp::Fma)
        VIREO_FPU_SSE("vfmadd231ss %[y], %[x], %[z]", ([z] "+x"(z)), ([x] "x"(x), [y] "x"(y)));
    if constexpr (OP == HostOp::Fma)
        return host_result<F>(z, status, flags);
    else
        return host_result<F>(x, status, flags);
}

uint32_t host_f64_to_f32(uint64_t a, Rounding rm, uint32_t& flags)
{
    const double x = std::bit_cast<double>(a);
    float r;
    uint32_t saved;
    uint32_t status;
    VIREO_FPU_SSE("cvtsd2ss %[x], %[r]", ([r] "=x"(r)), ([x] "x"(x)));
    return host_result<F32>(r, status, flags);
}

bool host_has_fma()
{
    static const bool has_fma = [] {
        __builtin_cpu_init();  // the feature bits may be read before libgcc's constructor ran
        return __builtin_cpu_supports("fma") != 0;
    }();
    return has_fma;
}

bool use_host(Rounding rm)
{
    return rm < Rounding::RMM;
}

#undef VIREO_FPU_SSE
#undef VIREO_FPU_UNPAREN

#endif  // VIREO_FPU_HOST_SSE

template <typename F>
typename F::Bits add(typename F::Bits a, typename F::Bits b, Rounding rm, uint32_t& flags)
{
#if VIREO_FPU_HOST_SSE
    if (use_host(rm)) [[likely]]
        return host_op<F, HostOp::Add>(a, b, 0, rm, flags);
#endif
    return soft_add<F>(a, b, rm, flags);
}

template <typename F>
typename F::Bits sub(typename F::Bits a, typename F::Bits b, Rounding rm, uint32_t& flags)
{
#if VIREO_FPU_HOST_SSE
    if (use_host(rm)) [[likely]]
        return host_op<F, HostOp::Sub>(a, b, 0, rm, flags);
#endif
    // a - b is a + (-b) exactly; flipping the sign of a NaN is harmless since NaN results are canonical.
    return soft_add<F>(a, b ^ F::SIGN, rm, flags);
}

template <typename F>
typename F::Bits mul(typename F::Bits a, typename F::Bits b, Rounding rm, uint32_t& flags)
{
#if VIREO_FPU_HOST_SSE
    if (use_host(rm)) [[likely]]
        return host_op<F, HostOp::Mul>(a, b, 0, rm, flags);
#endif
    return soft_mul<F>(a, b, rm, flags);
}

template <typename F>
typename F::Bits div(typename F::Bits a, typename F::Bits b, Rounding rm, uint32_t& flags)
{
#if VIREO_FPU_HOST_SSE
    if (use_host(rm)) [[likely]]
        return host_op<F, HostOp::Div>(a, b, 0, rm, flags);
#endif
    return soft_div<F>(a, b, rm, flags);
}

template <typename F>
typename F::Bits sqrt(typename F::Bits a, Rounding rm, uint32_t& flags)
{
#if VIREO_FPU_HOST_SSE
    // A square root is never a tie, so RMM gives the RNE result and flags: if sqrt(a) were halfway
    // between two neighbours it would be an odd multiple of half their spacing, needing P+1 bits, and
    // its square, which is a, would need at least 2P+1 bits. (Roots are never subnormal, so P is the
    // full precision.) RNE and RMM differ only at ties.
    if (rm == Rounding::RMM)
        rm = Rounding::RNE;
    if (use_host(rm)) [[likely]]
        return host_op<F, HostOp::Sqrt>(a, 0, 0, rm, flags);
#endif
    return soft_sqrt<F>(a, rm, flags);
}

template <typename F>
typename F::Bits fma(typename F::Bits a, typename F::Bits b, typename F::Bits c, Rounding rm, uint32_t& flags)
{
#if VIREO_FPU_HOST_SSE
    // NaN operands take the software path: IEEE 754 lets an implementation choose whether inf * 0 + qNaN
    // raises invalid, §11.6 requires it, and x86 need not. NaN operands are rare.
    if (use_host(rm) && host_has_fma() && !is_nan<F>(a) && !is_nan<F>(b) && !is_nan<F>(c)) [[likely]]
        return host_op<F, HostOp::Fma>(a, b, c, rm, flags);
#endif
    return soft_fma<F>(a, b, c, rm, flags);
}

// fmin/fmax (§11.6).
enum class Pick { Min, Max };

// Maps non-NaN values to unsigned keys whose order is the numeric order, with -0 below +0.
template <typename F>
typename F::Bits order_key(typename F::Bits a)
{
    return sign_of<F>(a) ? typename F::Bits(~a) : typename F::Bits(a | F::SIGN);
}

template <typename F>
typename F::Bits min_max(typename F::Bits a, typename F::Bits b, Pick pick, uint32_t& flags)
{
    if (is_snan<F>(a) || is_snan<F>(b))
        flags |= FFLAG_NV;
    if (is_nan<F>(a))
        return is_nan<F>(b) ? F::CANONICAL_NAN : b;
    if (is_nan<F>(b))
        return a;
    const bool a_below = order_key<F>(a) < order_key<F>(b);
    return (pick == Pick::Min) == a_below ? a : b;
}

// Comparisons (§11.8). Quiet (feq) raises NV only for signaling NaNs; signaling (flt, fle) for any NaN.
enum class Compare { Eq, Lt, Le };

template <typename F>
bool compare(typename F::Bits a, typename F::Bits b, Compare cmp, uint32_t& flags)
{
    if (is_nan<F>(a) || is_nan<F>(b)) {
        if (cmp != Compare::Eq || is_snan<F>(a) || is_snan<F>(b))
            flags |= FFLAG_NV;
        return false;
    }
    if (is_zero<F>(a) && is_zero<F>(b))  // +0 == -0
        return cmp != Compare::Lt;
    switch (cmp) {
    case Compare::Eq:
        return a == b;
    case Compare::Lt:
        return order_key<F>(a) < order_key<F>(b);
    case Compare::Le:
        return order_key<F>(a) <= order_key<F>(b);
    }
    VERIFY_NOT_REACHED();
}

// fclass (§11.9, Table 11.5).
template <typename F>
uint32_t classify(typename F::Bits a)
{
    const bool neg = sign_of<F>(a);
    if (is_nan<F>(a))
        return is_snan<F>(a) ? 1u << 8 : 1u << 9;
    if (is_inf<F>(a))
        return neg ? 1u << 0 : 1u << 7;
    if (is_zero<F>(a))
        return neg ? 1u << 3 : 1u << 4;
    if ((a & F::EXP_MASK) == 0)
        return neg ? 1u << 2 : 1u << 5;
    return neg ? 1u << 1 : 1u << 6;
}

// Float to integer (§11.7, Table 11.4). Out-of-range results saturate and raise NV alone; in-range
// inexact results raise NX. The range check applies to the rounded value, so fcvt.wu.s of -0.5 with
// RTZ is 0 and merely inexact.
template <typename F, typename Int>
Int to_int(typename F::Bits a, Rounding rm, uint32_t& flags)
{
    using U = std::make_unsigned_t<Int>;
    constexpr U MAX = U(std::numeric_limits<Int>::max());
    constexpr U MIN = U(std::numeric_limits<Int>::min());
    constexpr u128 MAX_NEGATIVE_MAGNITUDE = std::is_signed_v<Int> ? u128(MAX) + 1 : 0;

    if (is_nan<F>(a)) {
        flags |= FFLAG_NV;
        return Int(MAX);
    }
    const bool sign = sign_of<F>(a);
    if (is_inf<F>(a)) {
        flags |= FFLAG_NV;
        return Int(sign ? MIN : MAX);
    }
    if (is_zero<F>(a))
        return 0;

    const Exact x = unpack<F>(a);
    u128 magnitude;
    bool inexact = false;
    if (x.exp >= 0) {
        // Any magnitude of 2^65 or more is out of range; capping the shift keeps it from overflowing.
        magnitude = u128(x.mag) << (x.exp > 64 ? 64 : x.exp);
    } else {
        // mag < 2^53, so capping the shift at 64 changes neither the integer part (0) nor the rounding.
        const int shift = -x.exp > 64 ? 64 : -x.exp;
        const u128 rem = u128(x.mag) & ((u128(1) << shift) - 1);
        magnitude = u128(x.mag) >> shift;
        inexact = rem != 0;
        if (rounds_up(sign, magnitude & 1, rem, u128(1) << (shift - 1), rm))
            magnitude++;
    }
    if (sign ? magnitude > MAX_NEGATIVE_MAGNITUDE : magnitude > MAX) {
        flags |= FFLAG_NV;
        return Int(sign ? MIN : MAX);
    }
    if (inexact)
        flags |= FFLAG_NX;
    const auto value = U(magnitude);
    return Int(sign ? U(U(0) - value) : value);
}

// Integer to float: exact when the magnitude fits the precision, otherwise rounded.
template <typename F>
typename F::Bits from_int(bool sign, uint64_t magnitude, Rounding rm, uint32_t& flags)
{
    if (magnitude == 0)
        return 0;
    return round_pack<F>(sign, 0, magnitude, rm, flags);
}

template <typename Int>
uint64_t magnitude_of(Int v)
{
    const auto u = uint64_t(int64_t(v));
    return v < 0 ? uint64_t(0) - u : u;
}

}  // namespace

uint32_t f32_add(uint32_t a, uint32_t b, Rounding rm, uint32_t& flags)
{
    return add<F32>(a, b, rm, flags);
}
uint32_t f32_sub(uint32_t a, uint32_t b, Rounding rm, uint32_t& flags)
{
    return sub<F32>(a, b, rm, flags);
}
uint32_t f32_mul(uint32_t a, uint32_t b, Rounding rm, uint32_t& flags)
{
    return mul<F32>(a, b, rm, flags);
}
uint32_t f32_div(uint32_t a, uint32_t b, Rounding rm, uint32_t& flags)
{
    return div<F32>(a, b, rm, flags);
}
uint32_t f32_sqrt(uint32_t a, Rounding rm, uint32_t& flags)
{
    return sqrt<F32>(a, rm, flags);
}
uint32_t f32_fma(uint32_t a, uint32_t b, uint32_t c, Rounding rm, uint32_t& flags)
{
    return fma<F32>(a, b, c, rm, flags);
}
uint64_t f64_add(uint64_t a, uint64_t b, Rounding rm, uint32_t& flags)
{
    return add<F64>(a, b, rm, flags);
}
uint64_t f64_sub(uint64_t a, uint64_t b, Rounding rm, uint32_t& flags)
{
    return sub<F64>(a, b, rm, flags);
}
uint64_t f64_mul(uint64_t a, uint64_t b, Rounding rm, uint32_t& flags)
{
    return mul<F64>(a, b, rm, flags);
}
uint64_t f64_div(uint64_t a, uint64_t b, Rounding rm, uint32_t& flags)
{
    return div<F64>(a, b, rm, flags);
}
uint64_t f64_sqrt(uint64_t a, Rounding rm, uint32_t& flags)
{
    return sqrt<F64>(a, rm, flags);
}
uint64_t f64_fma(uint64_t a, uint64_t b, uint64_t c, Rounding rm, uint32_t& flags)
{
    return fma<F64>(a, b, c, rm, flags);
}

uint32_t f32_min(uint32_t a, uint32_t b, uint32_t& flags)
{
    return min_max<F32>(a, b, Pick::Min, flags);
}
uint32_t f32_max(uint32_t a, uint32_t b, uint32_t& flags)
{
    return min_max<F32>(a, b, Pick::Max, flags);
}
uint64_t f64_min(uint64_t a, uint64_t b, uint32_t& flags)
{
    return min_max<F64>(a, b, Pick::Min, flags);
}
uint64_t f64_max(uint64_t a, uint64_t b, uint32_t& flags)
{
    return min_max<F64>(a, b, Pick::Max, flags);
}

bool f32_eq(uint32_t a, uint32_t b, uint32_t& flags)
{
    return compare<F32>(a, b, Compare::Eq, flags);
}
bool f32_lt(uint32_t a, uint32_t b, uint32_t& flags)
{
    return compare<F32>(a, b, Compare::Lt, flags);
}
bool f32_le(uint32_t a, uint32_t b, uint32_t& flags)
{
    return compare<F32>(a, b, Compare::Le, flags);
}
bool f64_eq(uint64_t a, uint64_t b, uint32_t& flags)
{
    return compare<F64>(a, b, Compare::Eq, flags);
}
bool f64_lt(uint64_t a, uint64_t b, uint32_t& flags)
{
    return compare<F64>(a, b, Compare::Lt, flags);
}
bool f64_le(uint64_t a, uint64_t b, uint32_t& flags)
{
    return compare<F64>(a, b, Compare::Le, flags);
}

uint32_t f32_classify(uint32_t a)
{
    return classify<F32>(a);
}
uint32_t f64_classify(uint64_t a)
{
    return classify<F64>(a);
}

int32_t f32_to_i32(uint32_t a, Rounding rm, uint32_t& flags)
{
    return to_int<F32, int32_t>(a, rm, flags);
}
uint32_t f32_to_u32(uint32_t a, Rounding rm, uint32_t& flags)
{
    return to_int<F32, uint32_t>(a, rm, flags);
}
int64_t f32_to_i64(uint32_t a, Rounding rm, uint32_t& flags)
{
    return to_int<F32, int64_t>(a, rm, flags);
}
uint64_t f32_to_u64(uint32_t a, Rounding rm, uint32_t& flags)
{
    return to_int<F32, uint64_t>(a, rm, flags);
}
int32_t f64_to_i32(uint64_t a, Rounding rm, uint32_t& flags)
{
    return to_int<F64, int32_t>(a, rm, flags);
}
uint32_t f64_to_u32(uint64_t a, Rounding rm, uint32_t& flags)
{
    return to_int<F64, uint32_t>(a, rm, flags);
}
int64_t f64_to_i64(uint64_t a, Rounding rm, uint32_t& flags)
{
    return to_int<F64, int64_t>(a, rm, flags);
}
uint64_t f64_to_u64(uint64_t a, Rounding rm, uint32_t& flags)
{
    return to_int<F64, uint64_t>(a, rm, flags);
}

uint32_t i32_to_f32(int32_t v, Rounding rm, uint32_t& flags)
{
    return from_int<F32>(v < 0, magnitude_of(v), rm, flags);
}
uint32_t u32_to_f32(uint32_t v, Rounding rm, uint32_t& flags)
{
    return from_int<F32>(false, v, rm, flags);
}
uint32_t i64_to_f32(int64_t v, Rounding rm, uint32_t& flags)
{
    return from_int<F32>(v < 0, magnitude_of(v), rm, flags);
}
uint32_t u64_to_f32(uint64_t v, Rounding rm, uint32_t& flags)
{
    return from_int<F32>(false, v, rm, flags);
}
uint64_t i32_to_f64(int32_t v, Rounding rm, uint32_t& flags)
{
    return from_int<F64>(v < 0, magnitude_of(v), rm, flags);
}
uint64_t u32_to_f64(uint32_t v, Rounding rm, uint32_t& flags)
{
    return from_int<F64>(false, v, rm, flags);
}
uint64_t i64_to_f64(int64_t v, Rounding rm, uint32_t& flags)
{
    return from_int<F64>(v < 0, magnitude_of(v), rm, flags);
}
uint64_t u64_to_f64(uint64_t v, Rounding rm, uint32_t& flags)
{
    return from_int<F64>(false, v, rm, flags);
}

uint64_t f32_to_f64(uint32_t a, uint32_t& flags)
{
    // Every binary32 value is a binary64 value, so the rounding mode never matters (§12.5).
    return soft_convert<F64, F32>(a, Rounding::RNE, flags);
}

uint32_t f64_to_f32(uint64_t a, Rounding rm, uint32_t& flags)
{
#if VIREO_FPU_HOST_SSE
    if (use_host(rm)) [[likely]]
        return host_f64_to_f32(a, rm, flags);
#endif
    return soft_convert<F32, F64>(a, rm, flags);
}

}  // namespace vireo::riscv::fpu
