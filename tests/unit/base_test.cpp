#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <vector>

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

// ConsoleOutput never waits for its descriptor: into a pipe nobody reads, writes return at once,
// up to kCapacity bytes wait (in order) and the rest is counted as dropped; once the reader reads,
// drain() delivers what waited.
TEST(ConsoleOutput, NeverBlocksOnAFullPipeAndKeepsTheOrder)
{
    int p[2];
    ASSERT_EQ(::pipe(p), 0);
    const int pipe_size = ::fcntl(p[1], F_GETPIPE_SZ);
    ASSERT_GT(pipe_size, 0);
    ConsoleOutput out(p[1]);
    std::vector<uint8_t> chunk(4096);
    uint64_t written = 0;
    const uint64_t total = ConsoleOutput::kCapacity + 4 * static_cast<uint64_t>(pipe_size);
    for (; written < total; written += chunk.size()) {
        for (size_t i = 0; i < chunk.size(); ++i)
            chunk[i] = static_cast<uint8_t>((written + i) % 251);
        out.write(chunk);   // returns although nobody reads
    }
    EXPECT_EQ(out.pending(), ConsoleOutput::kCapacity);
    EXPECT_GT(out.dropped(), 0u);
    const uint64_t kept = written - out.dropped();

    // The reader catches up: everything that was kept arrives, in order.
    uint64_t got = 0;
    std::vector<uint8_t> buffer(65536);
    while (got < kept) {
        out.drain();
        const ssize_t n = ::read(p[0], buffer.data(), buffer.size());
        ASSERT_GT(n, 0);
        for (ssize_t i = 0; i < n; ++i)
            ASSERT_EQ(buffer[static_cast<size_t>(i)], static_cast<uint8_t>((got + static_cast<uint64_t>(i)) % 251))
                << "at byte " << got + static_cast<uint64_t>(i);
        got += static_cast<uint64_t>(n);
    }
    EXPECT_TRUE(out.drain());
    EXPECT_EQ(out.pending(), 0u);
    ::close(p[0]);
    ::close(p[1]);
}

TEST(ConsoleOutput, FinishGivesUpOnADescriptorThatTakesNothing)
{
    int p[2];
    ASSERT_EQ(::pipe(p), 0);
    ConsoleOutput out(p[1]);
    std::vector<uint8_t> chunk(1 << 20, 'x');
    out.write(chunk);
    ASSERT_GT(out.pending(), 0u);
    const auto start = std::chrono::steady_clock::now();
    out.finish(100);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
    EXPECT_EQ(out.pending(), 0u);
    ::close(p[0]);
    ::close(p[1]);
}
