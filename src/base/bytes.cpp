#include "base/bytes.hpp"

#include <cctype>
#include <cerrno>
#include <cstdlib>

namespace vireo {

bool parse_size(const char* text, uint64_t& out)
{
    if (!text || !std::isdigit(static_cast<unsigned char>(*text)))
        return false;
    char* end = nullptr;
    errno = 0;
    unsigned long long value = std::strtoull(text, &end, 0);
    if (errno != 0)
        return false;
    unsigned shift = 0;
    switch (*end) {
    case '\0': break;
    case 'k': case 'K': shift = 10; ++end; break;
    case 'm': case 'M': shift = 20; ++end; break;
    case 'g': case 'G': shift = 30; ++end; break;
    case 't': case 'T': shift = 40; ++end; break;
    default: return false;
    }
    if (*end == 'i' && shift) // accept "MiB"-style spellings: 256MiB
        ++end;
    if (*end == 'B' && shift)
        ++end;
    if (*end != '\0')
        return false;
    if (shift && value > (~0ULL >> shift))
        return false;
    out = value << shift;
    return true;
}

}  // namespace vireo
