// virtio-console (virtio 1.2 §5.3), single port: transmitq to a sink, pushed input to receiveq.
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "mock_driver.hpp"

using namespace vireo;
using namespace vireo::virtio;
using namespace vireo::virtio::test;

namespace {

std::span<const uint8_t> bytes_of(const std::string& s)
{
    return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

class ConsoleTest : public ::testing::Test {
protected:
    void SetUp() override { ASSERT_TRUE(driver.init(~uint64_t{0})); }

    // Posts one device-writable receive buffer per length (§5.3.5 step 4).
    std::vector<Buffer> post_receive_buffers(std::vector<uint32_t> lengths, bool notify = true)
    {
        std::vector<Buffer> posted;
        for (uint32_t len : lengths) {
            Buffer b = driver.writable(len);
            driver.ring(Console::kReceiveQueue).add_chain({&b, 1});
            posted.push_back(b);
        }
        if (notify)
            driver.notify(Console::kReceiveQueue);
        return posted;
    }
    std::string received(const Buffer& b, uint32_t len) {
        auto bytes = driver.read_guest(b.addr, len);
        return std::string(bytes.begin(), bytes.end());
    }

    std::string output;
    Console console{[this](std::span<const uint8_t> bytes) { output.append(bytes.begin(), bytes.end()); }};
    TestMachine m{console};
    MockDriver& driver = m.driver;
};

TEST_F(ConsoleTest, IsAConsoleWithEmergencyWrite_5_3_3)
{
    EXPECT_EQ(driver.read32(VIRTIO_MMIO_DEVICE_ID), 3u);
    EXPECT_NE(driver.device_features() & feature_bit(Console::VIRTIO_CONSOLE_F_EMERG_WRITE), 0u);
    EXPECT_EQ(driver.device_features() & feature_bit(Console::VIRTIO_CONSOLE_F_MULTIPORT), 0u);
}

TEST_F(ConsoleTest, TransmitGoesToTheSink_5_3_6)
{
    Buffer b = driver.readable(bytes_of("hello, world\n"));
    uint16_t head = driver.ring(Console::kTransmitQueue).add_chain({&b, 1});
    driver.notify(Console::kTransmitQueue);
    EXPECT_EQ(output, "hello, world\n");
    auto used = driver.ring(Console::kTransmitQueue).next_used();
    ASSERT_TRUE(used.has_value());
    EXPECT_EQ(used->id, head);
    EXPECT_EQ(used->len, 0u);  // nothing was written into the chain
    EXPECT_EQ(driver.take_interrupt(), VIRTIO_MMIO_INT_VRING);
}

TEST_F(ConsoleTest, TransmitAcrossBuffersAndChainsKeepsOrder_5_3_6)
{
    Buffer parts[] = {driver.readable(bytes_of("ab")), driver.readable(bytes_of("cd"))};
    driver.ring(Console::kTransmitQueue).add_chain(parts);
    Buffer more = driver.readable(bytes_of("ef"));
    driver.ring(Console::kTransmitQueue).add_chain({&more, 1}, Layout::Indirect);
    driver.notify(Console::kTransmitQueue);
    EXPECT_EQ(output, "abcdef");
}

TEST_F(ConsoleTest, WritableBuffersInTheTransmitqAreIgnored_5_3_6_1)
{
    Buffer parts[] = {driver.readable(bytes_of("x")), driver.writable(8)};
    driver.ring(Console::kTransmitQueue).add_chain(parts);
    driver.notify(Console::kTransmitQueue);
    EXPECT_EQ(output, "x");
    EXPECT_EQ(driver.read_guest(parts[1].addr, 1)[0], 0xaa);
}

TEST_F(ConsoleTest, PushedInputFillsPostedReceiveBuffers_5_3_6)
{
    auto posted = post_receive_buffers({16});
    EXPECT_FALSE(driver.ring(Console::kReceiveQueue).next_used().has_value());
    EXPECT_EQ(console.push_input(bytes_of("ls\n")), 3u);
    auto used = driver.ring(Console::kReceiveQueue).next_used();
    ASSERT_TRUE(used.has_value());
    EXPECT_EQ(used->len, 3u);
    EXPECT_EQ(received(posted[0], 3), "ls\n");
    EXPECT_EQ(driver.take_interrupt(), VIRTIO_MMIO_INT_VRING);
    EXPECT_EQ(console.pending_input(), 0u);
}

TEST_F(ConsoleTest, InputWaitsForReceiveBuffers_5_3_6)
{
    console.push_input(bytes_of("early"));
    EXPECT_EQ(console.pending_input(), 5u);
    auto posted = post_receive_buffers({8});
    auto used = driver.ring(Console::kReceiveQueue).next_used();
    ASSERT_TRUE(used.has_value());
    EXPECT_EQ(used->len, 5u);
    EXPECT_EQ(received(posted[0], 5), "early");
}

TEST_F(ConsoleTest, InputLargerThanABufferSpansBuffers)
{
    auto posted = post_receive_buffers({4, 4});
    console.push_input(bytes_of("abcdef"));
    auto first = driver.ring(Console::kReceiveQueue).next_used();
    auto second = driver.ring(Console::kReceiveQueue).next_used();
    ASSERT_TRUE(first && second);
    EXPECT_EQ(first->len, 4u);
    EXPECT_EQ(second->len, 2u);
    EXPECT_EQ(received(posted[0], 4) + received(posted[1], 2), "abcdef");
}

TEST_F(ConsoleTest, PollDeliversToBuffersPostedWithoutANotification)
{
    console.push_input(bytes_of("hi"));
    auto posted = post_receive_buffers({8}, /*notify=*/false);
    EXPECT_FALSE(driver.ring(Console::kReceiveQueue).next_used().has_value());
    console.poll();
    auto used = driver.ring(Console::kReceiveQueue).next_used();
    ASSERT_TRUE(used.has_value());
    EXPECT_EQ(received(posted[0], 2), "hi");
}

TEST_F(ConsoleTest, InputSurvivesADeviceReset)
{
    ASSERT_TRUE(driver.init(~uint64_t{0}));
    console.push_input(bytes_of("kept"));
    ASSERT_TRUE(driver.init(~uint64_t{0}));
    auto posted = post_receive_buffers({8});
    EXPECT_EQ(received(posted[0], 4), "kept");
}

TEST_F(ConsoleTest, PendingInputIsBounded)
{
    std::string big(Console::kMaxPendingInput + 100, 'z');
    EXPECT_EQ(console.push_input(bytes_of(big)), Console::kMaxPendingInput);
    EXPECT_EQ(console.push_input(bytes_of("more")), 0u);
    post_receive_buffers({4096});
    EXPECT_EQ(console.pending_input(), Console::kMaxPendingInput - 4096);
    EXPECT_EQ(console.push_input(bytes_of("more")), 4u);
}

TEST_F(ConsoleTest, ReadableBufferInTheReceiveqIsReturnedEmpty_5_3_6_1)
{
    Buffer wrong = driver.readable(bytes_of("xxxx"));
    driver.ring(Console::kReceiveQueue).add_chain({&wrong, 1});
    auto posted = post_receive_buffers({8});
    console.push_input(bytes_of("ok"));
    auto first = driver.ring(Console::kReceiveQueue).next_used();
    auto second = driver.ring(Console::kReceiveQueue).next_used();
    ASSERT_TRUE(first && second);
    EXPECT_EQ(first->len, 0u);
    EXPECT_EQ(received(posted[0], 2), "ok");
    EXPECT_FALSE(driver.needs_reset());
}

TEST(ConsoleEmergencyWrite, WorksBeforeTheDeviceIsConfigured_5_3_5_1)
{
    std::string output;
    Console console([&](std::span<const uint8_t> b) { output.append(b.begin(), b.end()); });
    TestMachine m(console);
    m.driver.write_config(8, 4, 'X');
    m.driver.write_config(8, 1, '\n');
    m.driver.write_config(0, 4, 'Y');  // cols/rows: ignored
    EXPECT_EQ(output, "X\n");
}

TEST(ConsoleFdSink, WritesToTheFd)
{
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    auto sink = Console::fd_sink(fds[1]);
    sink(bytes_of("via fd"));
    char buffer[16] = {};
    EXPECT_EQ(::read(fds[0], buffer, sizeof buffer), 6);
    EXPECT_EQ(std::string(buffer), "via fd");
    ::close(fds[0]);
    ::close(fds[1]);
}

}  // namespace
