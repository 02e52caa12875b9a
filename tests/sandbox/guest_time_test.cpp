// read_timespec (guest_time.hpp): the guest's struct timespec, checked and saturated. The values
// come from the sandbox_syscall fuzzer's first finding (tests/fuzz/regressions/sandbox_syscall/
// ppoll-timeout-overflow): ppoll added a guest's tv_sec of -6454668277134826449 to the clock in
// nanoseconds, a signed overflow.
#include "sandbox/guest_time.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstdint>
#include <limits>

namespace vireo::sandbox {
namespace {

constexpr uint64_t kAt = 0x100000;

class GuestTime : public ::testing::Test {
protected:
    void SetUp() override
    {
        auto space = AddressSpace::create(16 << 20);
        ASSERT_TRUE(space.ok());
        m_mem = space.release_value();
        ASSERT_EQ(m_mem->map(kAt, layout::kPageSize, AddressSpace::kRead | AddressSpace::kWrite), 0);
    }
    // Writes {seconds, nanoseconds} to the guest and reads it back through read_timespec.
    int read(int64_t seconds, int64_t nanoseconds, std::chrono::nanoseconds& out)
    {
        const int64_t ts[2] = {seconds, nanoseconds};
        EXPECT_TRUE(m_mem->write(kAt, ts));
        int error = 0;
        return read_timespec(*m_mem, kAt, out, error) ? 0 : error;
    }
    std::unique_ptr<AddressSpace> m_mem;
};

TEST_F(GuestTime, AnOrdinaryTimespecIsItsDuration)
{
    std::chrono::nanoseconds d{};
    ASSERT_EQ(read(2, 500, d), 0);
    EXPECT_EQ(d, std::chrono::seconds(2) + std::chrono::nanoseconds(500));
}

// Linux's timespec64_valid(): negative seconds and nanoseconds outside [0, 10^9) are EINVAL.
TEST_F(GuestTime, NegativeSecondsAreEinvalNotAnOverflow)
{
    std::chrono::nanoseconds d{};
    EXPECT_EQ(read(-6454668277134826449, 0, d), -EINVAL);
    EXPECT_EQ(read(-1, 0, d), -EINVAL);
    EXPECT_EQ(read(std::numeric_limits<int64_t>::min(), 0, d), -EINVAL);
}

TEST_F(GuestTime, NanosecondsOutsideTheSecondAreEinval)
{
    std::chrono::nanoseconds d{};
    EXPECT_EQ(read(0, 1000000000, d), -EINVAL);
    EXPECT_EQ(read(0, -1, d), -EINVAL);
    EXPECT_EQ(read(0, std::numeric_limits<int64_t>::max(), d), -EINVAL);
}

// The largest timespec saturates at 2^33 seconds, and the clock still has room to add it.
TEST_F(GuestTime, HugeTimeoutsSaturateWithRoomOnTheClock)
{
    std::chrono::nanoseconds d{};
    ASSERT_EQ(read(std::numeric_limits<int64_t>::max(), 999999999, d), 0);
    EXPECT_EQ(d, std::chrono::seconds(int64_t{1} << 33) + std::chrono::nanoseconds(999999999));
    const auto now = std::chrono::steady_clock::now().time_since_epoch();
    EXPECT_LT(d.count(), std::numeric_limits<int64_t>::max() - now.count());
}

TEST_F(GuestTime, UnreadableMemoryIsEfault)
{
    std::chrono::nanoseconds d{};
    int error = 0;
    EXPECT_FALSE(read_timespec(*m_mem, kAt + layout::kPageSize - 8, d, error));
    EXPECT_EQ(error, -EFAULT);
}

}  // namespace
}  // namespace vireo::sandbox
