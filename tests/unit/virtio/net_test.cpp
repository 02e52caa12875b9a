// virtio-net (virtio 1.2 §5.1) with a recording backend, through virtio-mmio and the mock driver;
// and the user-mode backend (libslirp): answering ARP, without any host socket; its port
// forwards' host sockets.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <deque>
#include <numeric>

#include "base/bytes.hpp"
#include "mock_driver.hpp"
#include "virtio/devices/net/net.hpp"
#include "virtio/devices/net/slirp.hpp"
#include "virtio/devices/net/tap.hpp"

using namespace vireo;
using namespace vireo::virtio;
using namespace vireo::virtio::test;

namespace {

// Records what the card sends; hands the card what the test puts in.
class FakeBackend final : public net::Backend {
public:
    void set_receiver(Receive receive) override { m_receive = std::move(receive); }
    void send(std::span<const uint8_t> frame) override { sent.emplace_back(frame.begin(), frame.end()); }
    void poll(size_t room) override
    {
        last_room = room;
        ++polls;
    }
    void inject(const std::vector<uint8_t>& frame) { m_receive(frame); }

    std::vector<std::vector<uint8_t>> sent;
    size_t last_room = 0;
    int polls = 0;

private:
    Receive m_receive;
};

std::vector<uint8_t> frame_of(size_t size, uint8_t seed)
{
    std::vector<uint8_t> f(size);
    std::iota(f.begin(), f.end(), seed);
    return f;
}

class NetTest : public ::testing::Test {
protected:
    NetTest()
    {
        auto fake = std::make_unique<FakeBackend>();
        backend = fake.get();
        card = std::make_unique<Net>(std::move(fake));
        machine = std::make_unique<TestMachine>(*card);
    }
    void SetUp() override { ASSERT_TRUE(driver().init(~uint64_t{0})); }
    MockDriver& driver() { return machine->driver; }

    // §5.1.6.2: header then frame, split over `split` descriptors.
    void transmit(const std::vector<uint8_t>& frame, size_t header_bytes = Net::kHeaderSize)
    {
        std::vector<uint8_t> packet(header_bytes, 0);
        packet.insert(packet.end(), frame.begin(), frame.end());
        const size_t half = packet.size() / 2;
        std::vector<uint8_t> a(packet.begin(), packet.begin() + static_cast<ptrdiff_t>(half));
        std::vector<uint8_t> b(packet.begin() + static_cast<ptrdiff_t>(half), packet.end());
        std::vector<Buffer> buffers{driver().readable(a)};
        if (!b.empty())
            buffers.push_back(driver().readable(b));
        driver().ring(Net::kTransmitQueue).add_chain(buffers);
        driver().notify(Net::kTransmitQueue);
    }
    Buffer offer_receive_buffer(uint32_t size = 1526)
    {
        Buffer b = driver().writable(size, 0xcc);
        driver().ring(Net::kReceiveQueue).add_chain({&b, 1});
        driver().notify(Net::kReceiveQueue);
        return b;
    }

    FakeBackend* backend = nullptr;
    std::unique_ptr<Net> card;
    std::unique_ptr<TestMachine> machine;
};

TEST_F(NetTest, ConfigHasTheMacAndLinkUp_5_1_4)
{
    EXPECT_EQ(driver().read32(VIRTIO_MMIO_DEVICE_ID), 1u);
    const uint64_t features = driver().device_features();
    EXPECT_NE(features & feature_bit(Net::VIRTIO_NET_F_MAC), 0u);
    EXPECT_NE(features & feature_bit(Net::VIRTIO_NET_F_STATUS), 0u);
    for (unsigned i = 0; i < 6; ++i)
        EXPECT_EQ(driver().read_config(i, 1), Net::kDefaultMac[i]);
    EXPECT_EQ(driver().read_config(6, 2), Net::VIRTIO_NET_S_LINK_UP);
    EXPECT_EQ(driver().read_config(10, 2), 1500u);
}

TEST_F(NetTest, TransmitStripsTheHeaderAndSendsTheFrame_5_1_6_2)
{
    auto frame = frame_of(60, 1);
    transmit(frame);
    ASSERT_EQ(backend->sent.size(), 1u);
    EXPECT_EQ(backend->sent[0], frame);
    auto used = driver().ring(Net::kTransmitQueue).next_used();
    ASSERT_TRUE(used.has_value());
    EXPECT_EQ(used->len, 0u);
    transmit(frame_of(Net::kMaxFrame, 7));
    ASSERT_EQ(backend->sent.size(), 2u);
    EXPECT_EQ(backend->sent[1].size(), Net::kMaxFrame);
}

TEST_F(NetTest, MalformedTransmitChainsAreDroppedAndTheCardCarriesOn)
{
    transmit({}, 5);                              // shorter than the header
    transmit(frame_of(Net::kMaxFrame + 1, 0));    // larger than a frame can be
    EXPECT_TRUE(backend->sent.empty());
    EXPECT_EQ(card->stats().tx_dropped, 2u);
    EXPECT_FALSE(driver().needs_reset());
    transmit(frame_of(42, 3));
    EXPECT_EQ(backend->sent.size(), 1u);
}

TEST_F(NetTest, ReceivedFramesFillReceiveBuffersWithAHeader_5_1_6_4)
{
    Buffer b = offer_receive_buffer();
    auto frame = frame_of(100, 9);
    backend->inject(frame);
    auto used = driver().ring(Net::kReceiveQueue).next_used();
    ASSERT_TRUE(used.has_value());
    EXPECT_EQ(used->len, Net::kHeaderSize + frame.size());
    auto bytes = driver().read_guest(b.addr, used->len);
    EXPECT_EQ(load_le<uint16_t>(bytes.data() + 10), 1u) << "num_buffers";
    EXPECT_TRUE(std::all_of(bytes.begin(), bytes.begin() + 10, [](uint8_t x) { return x == 0; }));
    EXPECT_TRUE(std::equal(frame.begin(), frame.end(), bytes.begin() + Net::kHeaderSize));
    EXPECT_NE(driver().take_interrupt() & VIRTIO_MMIO_INT_VRING, 0u);
}

TEST_F(NetTest, FramesWaitForBuffersAndOverflowIsDropped)
{
    for (size_t i = 0; i < Net::kMaxPendingFrames + 10; ++i)
        backend->inject(frame_of(64, static_cast<uint8_t>(i)));
    EXPECT_EQ(card->stats().rx_dropped, 10u);
    // The backend is told there is no room while the queue is full.
    card->poll();
    EXPECT_EQ(backend->last_room, 0u);
    Buffer b = offer_receive_buffer();
    auto used = driver().ring(Net::kReceiveQueue).next_used();
    ASSERT_TRUE(used.has_value());
    auto bytes = driver().read_guest(b.addr, used->len);
    EXPECT_EQ(bytes[Net::kHeaderSize], 0u) << "the oldest frame first";
    card->poll();
    EXPECT_EQ(backend->last_room, 1u);
}

TEST_F(NetTest, ABufferTooSmallDropsTheFrame)
{
    offer_receive_buffer(Net::kHeaderSize + 10);
    backend->inject(frame_of(100, 0));
    auto used = driver().ring(Net::kReceiveQueue).next_used();
    ASSERT_TRUE(used.has_value());
    EXPECT_EQ(used->len, 0u);
    EXPECT_EQ(card->stats().rx_dropped, 1u);
    EXPECT_FALSE(driver().needs_reset());
}

TEST_F(NetTest, ResetDropsPendingFrames)
{
    backend->inject(frame_of(64, 0));
    driver().reset();
    driver().forget_rings();
    ASSERT_TRUE(driver().init(~uint64_t{0}));
    offer_receive_buffer();
    EXPECT_FALSE(driver().ring(Net::kReceiveQueue).next_used().has_value());
}

// libslirp answers an ARP request for the gateway 10.0.2.2: the user-mode stack is alive and
// wired to the card's receive path. Nothing leaves the process.
TEST(SlirpBackend, AnswersArpForTheGateway)
{
    auto created = net::SlirpBackend::create({});
    ASSERT_TRUE(created.ok()) << created.error().text();
    auto& slirp = *created.value();
    std::deque<std::vector<uint8_t>> received;
    slirp.set_receiver([&](std::span<const uint8_t> f) { received.emplace_back(f.begin(), f.end()); });
    const uint8_t mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
    std::vector<uint8_t> arp = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, mac[0], mac[1], mac[2], mac[3], mac[4], mac[5], 0x08, 0x06,  // Ethernet
        0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01,                                                          // request
        mac[0], mac[1], mac[2], mac[3], mac[4], mac[5], 10, 0, 2, 15,                                      // sender
        0, 0, 0, 0, 0, 0, 10, 0, 2, 2,                                                                     // target
    };
    arp.resize(60, 0);
    slirp.send(arp);
    slirp.poll(16);
    ASSERT_FALSE(received.empty());
    const auto& reply = received.front();
    ASSERT_GE(reply.size(), 42u);
    EXPECT_EQ(reply[12], 0x08);
    EXPECT_EQ(reply[13], 0x06);
    EXPECT_EQ(reply[21], 2) << "an ARP reply";
    EXPECT_EQ(std::vector<uint8_t>(reply.begin() + 28, reply.begin() + 32), (std::vector<uint8_t>{10, 0, 2, 2}));
}

TEST(SlirpBackend, AForwardOnABusyPortIsAnError)
{
    // Hold a listening socket on some free loopback port, then ask for a forward on it.
    const int holder = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(holder, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(holder, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    ASSERT_EQ(::listen(holder, 1), 0);
    socklen_t length = sizeof address;
    ASSERT_EQ(::getsockname(holder, reinterpret_cast<sockaddr*>(&address), &length), 0);
    const uint16_t port = ntohs(address.sin_port);
    auto busy = net::SlirpBackend::create({{port, 80}});
    ::close(holder);
    ASSERT_FALSE(busy.ok());
    EXPECT_NE(busy.error().text().find(std::to_string(port)), std::string::npos) << busy.error().text();
}

// Binds a socket of `type` on address:port; returns whether the bind worked (the socket is closed).
bool can_bind(int type, const char* address, uint16_t port)
{
    const int s = ::socket(AF_INET, type | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    ::inet_pton(AF_INET, address, &a.sin_addr);
    const bool bound = ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(s);
    return bound;
}

// A port of `type` that is free on every loopback address just now (the kernel's choice for
// 0.0.0.0, released).
uint16_t free_port(int type)
{
    const int s = ::socket(AF_INET, type | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    socklen_t length = sizeof a;
    uint16_t port = 0;
    if (::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 && ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &length) == 0)
        port = ntohs(a.sin_port);
    ::close(s);
    return port;
}

// hostfwd=udp:127.0.0.2:P-:G: libslirp holds a UDP socket on 127.0.0.2:P — not on 127.0.0.1:P,
// and no TCP socket — for as long as the backend lives.
TEST(SlirpBackend, AUdpForwardListensOnTheAddressGiven)
{
    const uint16_t port = free_port(SOCK_DGRAM);
    ASSERT_NE(port, 0);
    {
        auto forwarded = net::SlirpBackend::create({{port, 53, net::PortForward::Protocol::Udp, "127.0.0.2"}});
        ASSERT_TRUE(forwarded.ok()) << forwarded.error().text();
        EXPECT_FALSE(can_bind(SOCK_DGRAM, "127.0.0.2", port)) << "the forward holds the port";
        EXPECT_TRUE(can_bind(SOCK_DGRAM, "127.0.0.1", port)) << "only on the address given";
        EXPECT_TRUE(can_bind(SOCK_STREAM, "127.0.0.2", port)) << "UDP only";
    }
    EXPECT_TRUE(can_bind(SOCK_DGRAM, "127.0.0.2", port)) << "released with the backend";
}

// Without an address a TCP forward listens on 127.0.0.1 only.
TEST(SlirpBackend, ATcpForwardListensOnLoopbackByDefault)
{
    const uint16_t port = free_port(SOCK_STREAM);
    ASSERT_NE(port, 0);
    auto forwarded = net::SlirpBackend::create({{port, 80}});
    ASSERT_TRUE(forwarded.ok()) << forwarded.error().text();
    EXPECT_FALSE(can_bind(SOCK_STREAM, "127.0.0.1", port));
    EXPECT_TRUE(can_bind(SOCK_STREAM, "127.0.0.2", port));
}

TEST(SlirpBackend, ABadOrForeignHostAddressIsAnErrorNamingIt)
{
    auto bad = net::SlirpBackend::create({{4000, 80, net::PortForward::Protocol::Tcp, "not-an-address"}});
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.error().text().find("not-an-address): not an IPv4 address"), std::string::npos) << bad.error().text();
    // 192.0.2.1 (TEST-NET-1, RFC 5737) is no address of this host: bind fails.
    auto foreign = net::SlirpBackend::create({{4000, 80, net::PortForward::Protocol::Udp, "192.0.2.1"}});
    ASSERT_FALSE(foreign.ok());
    EXPECT_NE(foreign.error().text().find("cannot forward host port 4000 (udp on 192.0.2.1)"), std::string::npos)
        << foreign.error().text();
}

TEST(TapBackend, ABadNameIsAnErrorNamingIt)
{
    auto r = net::TapBackend::open("a-name-that-is-far-too-long");
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().text().find("tap=a-name-that-is-far-too-long"), std::string::npos);
}

}  // namespace
