#include <gtest/gtest.h>

#include "base/base.hpp"

using namespace vireo;

namespace {
Result<int> half(int v)
{
    if (v % 2)
        return Error::message("odd");
    return v / 2;
}
Result<int> quarter(int v)
{
    int h = TRY(half(v));
    return TRY(half(h));
}
}  // namespace

TEST(Result, TryPropagatesErrorsAndValues)
{
    EXPECT_EQ(quarter(8).value(), 2);
    auto r = quarter(6);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().text(), "odd");
}

TEST(Result, ErrnoErrorsNameTheContext)
{
    auto r = read_file("/nonexistent/vireo-test-file");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().text(), "/nonexistent/vireo-test-file: No such file or directory");
    EXPECT_EQ(r.error().code(), ENOENT);
}

TEST(ParseSize, AcceptsSuffixesAndRejectsGarbage)
{
    uint64_t v = 0;
    EXPECT_TRUE(parse_size("256M", v));
    EXPECT_EQ(v, 256ull << 20);
    EXPECT_TRUE(parse_size("1G", v));
    EXPECT_EQ(v, 1ull << 30);
    EXPECT_TRUE(parse_size("4096", v));
    EXPECT_EQ(v, 4096u);
    EXPECT_TRUE(parse_size("64KiB", v));
    EXPECT_EQ(v, 64u << 10);
    EXPECT_FALSE(parse_size("", v));
    EXPECT_FALSE(parse_size("-1M", v));
    EXPECT_FALSE(parse_size("12X", v));
    EXPECT_FALSE(parse_size("99999999999999999999T", v));
}
