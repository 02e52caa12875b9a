#include "base/assert.hpp"

#include <cstdio>
#include <cstdlib>

namespace vireo::detail {
void verify_failed(const char* condition, const char* file, int line)
{
    std::fprintf(stderr, "vireo: internal error: %s at %s:%d\n", condition, file, line);
    std::abort();
}
}  // namespace vireo::detail
