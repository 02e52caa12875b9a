// Pure integer helpers with the RISC-V semantics the host's operators lack: M-extension division
// (unprivileged spec §7.2 table 7.1), high multiplies, sign/zero extension, orc.b. Shared by the
// interpreter and the translator (which calls them from generated code).
#pragma once

#include <cstdint>

namespace vireo::riscv {

namespace detail {
inline uint64_t sext32(uint64_t v) { return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(v))); }
inline int64_t s64(uint64_t v) { return static_cast<int64_t>(v); }
inline uint64_t u64(int64_t v) { return static_cast<uint64_t>(v); }
inline uint64_t zext32(uint64_t v) { return v & 0xffffffffull; }

// M extension division semantics, unprivileged spec §7.2 table 7.1.
inline uint64_t div64(uint64_t a, uint64_t b)
{
    if (b == 0) return ~0ull;
    if (s64(a) == INT64_MIN && s64(b) == -1) return a;
    return u64(s64(a) / s64(b));
}
inline uint64_t rem64(uint64_t a, uint64_t b)
{
    if (b == 0) return a;
    if (s64(a) == INT64_MIN && s64(b) == -1) return 0;
    return u64(s64(a) % s64(b));
}
inline uint64_t div32(uint64_t a, uint64_t b)
{
    const auto x = static_cast<int32_t>(a), y = static_cast<int32_t>(b);
    if (y == 0) return ~0ull;
    if (x == INT32_MIN && y == -1) return sext32(static_cast<uint32_t>(x));
    return sext32(static_cast<uint32_t>(x / y));
}
inline uint64_t rem32(uint64_t a, uint64_t b)
{
    const auto x = static_cast<int32_t>(a), y = static_cast<int32_t>(b);
    if (y == 0) return sext32(static_cast<uint32_t>(x));
    if (x == INT32_MIN && y == -1) return 0;
    return sext32(static_cast<uint32_t>(x % y));
}
inline uint64_t divu32(uint64_t a, uint64_t b)
{
    const auto x = static_cast<uint32_t>(a), y = static_cast<uint32_t>(b);
    return y == 0 ? ~0ull : sext32(x / y);
}
inline uint64_t remu32(uint64_t a, uint64_t b)
{
    const auto x = static_cast<uint32_t>(a), y = static_cast<uint32_t>(b);
    return y == 0 ? sext32(x) : sext32(x % y);
}
inline uint64_t mulh(uint64_t a, uint64_t b)
{
    return static_cast<uint64_t>((static_cast<__int128>(s64(a)) * static_cast<__int128>(s64(b))) >> 64);
}
inline uint64_t mulhu(uint64_t a, uint64_t b)
{
    return static_cast<uint64_t>((static_cast<unsigned __int128>(a) * b) >> 64);
}
inline uint64_t mulhsu(uint64_t a, uint64_t b)
{
    return static_cast<uint64_t>((static_cast<__int128>(s64(a)) * static_cast<__int128>(static_cast<unsigned __int128>(b))) >> 64);
}
inline uint64_t orc_b(uint64_t v)
{
    uint64_t r = 0;
    for (unsigned i = 0; i < 8; ++i)
        if ((v >> (8 * i)) & 0xff)
            r |= 0xffull << (8 * i);
    return r;
}
}  // namespace detail

}  // namespace vireo::riscv
