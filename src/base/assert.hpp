// VERIFY: an invariant the code itself guarantees. Failing it is a Vireo bug, never a guest's doing,
// so it aborts with the place and the condition.
#pragma once

namespace vireo::detail {
[[noreturn]] void verify_failed(const char* condition, const char* file, int line);
}

#define VERIFY(cond)                                                   \
    do {                                                               \
        if (!(cond)) [[unlikely]]                                      \
            ::vireo::detail::verify_failed(#cond, __FILE__, __LINE__); \
    } while (0)
#define VERIFY_NOT_REACHED() ::vireo::detail::verify_failed("not reached", __FILE__, __LINE__)
