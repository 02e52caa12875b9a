// Times the guest passes to system calls (struct timespec: le64 seconds, le64 nanoseconds), read
// once, checked as Linux checks them, and turned into durations that cannot overflow when added
// to a clock: whatever 128 bits the guest supplies, the host does no signed arithmetic on them.
#pragma once

#include <chrono>
#include <cstdint>

#include "sandbox/address_space.hpp"

namespace vireo::sandbox {

// Reads the struct timespec at `addr` as a duration. False with -EFAULT in `error` when it is not
// readable guest memory, with -EINVAL when seconds are negative or nanoseconds are outside
// [0, 10^9) (timespec64_valid() in Linux). Durations beyond 2^33 seconds (~272 years) saturate
// there, which still leaves room to add them to any clock's now().
bool read_timespec(AddressSpace& memory, uint64_t addr, std::chrono::nanoseconds& out, int& error);

}  // namespace vireo::sandbox
