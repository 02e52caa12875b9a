#include "sandbox/guest_time.hpp"

#include <algorithm>
#include <cerrno>

namespace vireo::sandbox {

bool read_timespec(AddressSpace& memory, uint64_t addr, std::chrono::nanoseconds& out, int& error)
{
    int64_t ts[2];
    if (!memory.read(addr, ts)) {
        error = -EFAULT;
        return false;
    }
    if (ts[0] < 0 || ts[1] < 0 || ts[1] >= 1000000000) {
        error = -EINVAL;
        return false;
    }
    const int64_t seconds = std::min<int64_t>(ts[0], int64_t{1} << 33);
    out = std::chrono::seconds(seconds) + std::chrono::nanoseconds(ts[1]);
    return true;
}

}  // namespace vireo::sandbox
