// Little-endian loads and stores from byte buffers without alignment or aliasing assumptions.
#pragma once

#include <cstdint>
#include <cstring>
#include <type_traits>

namespace vireo {

template <typename T>
    requires std::is_trivially_copyable_v<T>
inline T load_le(const void* p)
{
    T v;
    std::memcpy(&v, p, sizeof v);  // The host is x86-64: little-endian like RISC-V.
    return v;
}

template <typename T>
    requires std::is_trivially_copyable_v<T>
inline void store_le(void* p, T v)
{
    std::memcpy(p, &v, sizeof v);
}

// Parses sizes like "256M", "1G", "4096", "64K". Returns false on garbage or overflow.
bool parse_size(const char* text, uint64_t& out);

}  // namespace vireo
