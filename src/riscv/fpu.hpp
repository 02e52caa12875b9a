// IEEE 754 binary32/binary64 arithmetic with RISC-V semantics (unprivileged spec, chapters F and D):
// all five rounding modes, exception flags accumulated like fflags, canonical NaN results
// (0x7fc00000 / 0x7ff8000000000000), and the spec's saturating float-to-integer conversions.
//
// Values are raw bit patterns. NaN-boxing of single values in 64-bit registers is the hart's
// business, not this module's. Every function ORs the exceptions it raises into `flags`.
#pragma once

#include <cstdint>

namespace vireo::riscv::fpu {

// The rm field encodings (§11.2, Table 11.1). 5 and 6 are reserved; 7 (DYN) is resolved by the hart.
enum class Rounding : uint8_t { RNE = 0, RTZ = 1, RDN = 2, RUP = 3, RMM = 4 };

// fflags bits (§11.2).
inline constexpr uint32_t FFLAG_NX = 1u << 0;  // inexact
inline constexpr uint32_t FFLAG_UF = 1u << 1;  // underflow
inline constexpr uint32_t FFLAG_OF = 1u << 2;  // overflow
inline constexpr uint32_t FFLAG_DZ = 1u << 3;  // divide by zero
inline constexpr uint32_t FFLAG_NV = 1u << 4;  // invalid

inline constexpr uint32_t F32_CANONICAL_NAN = 0x7fc00000u;
inline constexpr uint64_t F64_CANONICAL_NAN = 0x7ff8000000000000ull;

// Arithmetic. fma computes a*b+c with one rounding; the hart builds fmsub/fnmadd/fnmsub by
// flipping sign bits of the operands.
uint32_t f32_add(uint32_t a, uint32_t b, Rounding rm, uint32_t& flags);
uint32_t f32_sub(uint32_t a, uint32_t b, Rounding rm, uint32_t& flags);
uint32_t f32_mul(uint32_t a, uint32_t b, Rounding rm, uint32_t& flags);
uint32_t f32_div(uint32_t a, uint32_t b, Rounding rm, uint32_t& flags);
uint32_t f32_sqrt(uint32_t a, Rounding rm, uint32_t& flags);
uint32_t f32_fma(uint32_t a, uint32_t b, uint32_t c, Rounding rm, uint32_t& flags);
uint64_t f64_add(uint64_t a, uint64_t b, Rounding rm, uint32_t& flags);
uint64_t f64_sub(uint64_t a, uint64_t b, Rounding rm, uint32_t& flags);
uint64_t f64_mul(uint64_t a, uint64_t b, Rounding rm, uint32_t& flags);
uint64_t f64_div(uint64_t a, uint64_t b, Rounding rm, uint32_t& flags);
uint64_t f64_sqrt(uint64_t a, Rounding rm, uint32_t& flags);
uint64_t f64_fma(uint64_t a, uint64_t b, uint64_t c, Rounding rm, uint32_t& flags);

// fmin/fmax (§11.6, IEEE 754-2019 minimumNumber/maximumNumber): -0 < +0, a single NaN operand
// yields the other operand, two NaNs yield the canonical NaN, any signaling NaN raises NV.
uint32_t f32_min(uint32_t a, uint32_t b, uint32_t& flags);
uint32_t f32_max(uint32_t a, uint32_t b, uint32_t& flags);
uint64_t f64_min(uint64_t a, uint64_t b, uint32_t& flags);
uint64_t f64_max(uint64_t a, uint64_t b, uint32_t& flags);

// Comparisons (§11.8): feq raises NV only for signaling NaNs; flt/fle for any NaN. NaN compares false.
bool f32_eq(uint32_t a, uint32_t b, uint32_t& flags);
bool f32_lt(uint32_t a, uint32_t b, uint32_t& flags);
bool f32_le(uint32_t a, uint32_t b, uint32_t& flags);
bool f64_eq(uint64_t a, uint64_t b, uint32_t& flags);
bool f64_lt(uint64_t a, uint64_t b, uint32_t& flags);
bool f64_le(uint64_t a, uint64_t b, uint32_t& flags);

// fclass (§11.9): a one-hot 10-bit mask.
uint32_t f32_classify(uint32_t a);
uint32_t f64_classify(uint64_t a);

// Float to integer (§11.7, Table 11.4): out-of-range and NaN saturate and raise NV; inexact raises NX.
// 32-bit results are returned as their 32-bit pattern; the hart sign-extends them into x registers.
int32_t f32_to_i32(uint32_t a, Rounding rm, uint32_t& flags);
uint32_t f32_to_u32(uint32_t a, Rounding rm, uint32_t& flags);
int64_t f32_to_i64(uint32_t a, Rounding rm, uint32_t& flags);
uint64_t f32_to_u64(uint32_t a, Rounding rm, uint32_t& flags);
int32_t f64_to_i32(uint64_t a, Rounding rm, uint32_t& flags);
uint32_t f64_to_u32(uint64_t a, Rounding rm, uint32_t& flags);
int64_t f64_to_i64(uint64_t a, Rounding rm, uint32_t& flags);
uint64_t f64_to_u64(uint64_t a, Rounding rm, uint32_t& flags);

// Integer to float.
uint32_t i32_to_f32(int32_t v, Rounding rm, uint32_t& flags);
uint32_t u32_to_f32(uint32_t v, Rounding rm, uint32_t& flags);
uint32_t i64_to_f32(int64_t v, Rounding rm, uint32_t& flags);
uint32_t u64_to_f32(uint64_t v, Rounding rm, uint32_t& flags);
uint64_t i32_to_f64(int32_t v, Rounding rm, uint32_t& flags);
uint64_t u32_to_f64(uint32_t v, Rounding rm, uint32_t& flags);
uint64_t i64_to_f64(int64_t v, Rounding rm, uint32_t& flags);
uint64_t u64_to_f64(uint64_t v, Rounding rm, uint32_t& flags);

// Between formats: widening is exact (NV only for sNaN); narrowing rounds.
uint64_t f32_to_f64(uint32_t a, uint32_t& flags);
uint32_t f64_to_f32(uint64_t a, Rounding rm, uint32_t& flags);

}  // namespace vireo::riscv::fpu
