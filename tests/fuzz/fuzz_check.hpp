// What a harness does when the code under test breaks a promise: say which one, then abort, so
// libFuzzer records the input as a crash.
#pragma once

#include <cstdio>
#include <cstdlib>

namespace vireo::fuzz {

inline void check(bool condition, const char* promise)
{
    if (!condition) {
        std::fprintf(stderr, "fuzz: broken promise: %s\n", promise);
        std::abort();
    }
}

}  // namespace vireo::fuzz
