// System tests (label `system`): the default guest on virtio-net (issue 7: "the guest gets an
// address by DHCP and fetches a page from an HTTP server that the test starts on the host's
// loopback; a host client reaches a guest server through hostfwd"; hostfwd with a host address and
// UDP forwards). Everything stays on the host: user networking talks to loopback addresses only,
// and the tap test runs in a private network namespace of its own.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "guest_session.hpp"

using namespace vireo::test;

namespace {

// A one-page HTTP server on 127.0.0.1 (an ephemeral port), answering every request with `body`.
class LoopbackHttpServer {
public:
    explicit LoopbackHttpServer(std::string body) : m_body(std::move(body))
    {
        m_socket = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof address;
        if (m_socket < 0 || ::bind(m_socket, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
            ::listen(m_socket, 8) != 0 || ::getsockname(m_socket, reinterpret_cast<sockaddr*>(&address), &length) != 0)
            return;
        m_port = ntohs(address.sin_port);
        m_thread = std::thread([this] { serve(); });
    }
    ~LoopbackHttpServer()
    {
        m_stop = true;
        if (m_thread.joinable())
            m_thread.join();
        if (m_socket >= 0)
            ::close(m_socket);
    }
    uint16_t port() const { return m_port; }
    int requests() const { return m_requests; }

private:
    void serve()
    {
        while (!m_stop) {
            pollfd p{m_socket, POLLIN, 0};
            if (::poll(&p, 1, 100) <= 0)
                continue;
            const int client = ::accept4(m_socket, nullptr, nullptr, SOCK_CLOEXEC);
            if (client < 0)
                continue;
            std::string request;
            char buffer[1024];
            while (request.find("\r\n\r\n") == std::string::npos) {
                pollfd c{client, POLLIN, 0};
                if (::poll(&c, 1, 5000) <= 0)
                    break;
                const ssize_t n = ::read(client, buffer, sizeof buffer);
                if (n <= 0)
                    break;
                request.append(buffer, static_cast<size_t>(n));
            }
            const std::string reply = "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " +
                                      std::to_string(m_body.size()) + "\r\n\r\n" + m_body;
            if (::write(client, reply.data(), reply.size()) > 0)
                ++m_requests;
            ::close(client);
        }
    }

    std::string m_body;
    int m_socket = -1;
    uint16_t m_port = 0;
    std::atomic<bool> m_stop{false};
    std::atomic<int> m_requests{0};
    std::thread m_thread;
};

// A loopback port of `type` (TCP by default) nobody listens on (bound, then released).
uint16_t free_loopback_port(int type = SOCK_STREAM)
{
    const int s = ::socket(AF_INET, type | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    uint16_t port = 0;
    if (::bind(s, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
        ::getsockname(s, reinterpret_cast<sockaddr*>(&address), &length) == 0)
        port = ntohs(address.sin_port);
    ::close(s);
    return port;
}

// GET / from host:port (127.0.0.1 unless said); the whole response, or "" if nobody answered.
std::string http_get_loopback(uint16_t port, const char* host = "127.0.0.1")
{
    const int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    ::inet_pton(AF_INET, host, &address.sin_addr);
    address.sin_port = htons(port);
    std::string response;
    if (::connect(s, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
        const std::string request = "GET / HTTP/1.0\r\nHost: localhost\r\n\r\n";
        if (::write(s, request.data(), request.size()) == static_cast<ssize_t>(request.size())) {
            char buffer[4096];
            for (;;) {
                pollfd p{s, POLLIN, 0};
                if (::poll(&p, 1, 10000) <= 0)
                    break;
                const ssize_t n = ::read(s, buffer, sizeof buffer);
                if (n <= 0)
                    break;
                response.append(buffer, static_cast<size_t>(n));
            }
        }
    }
    ::close(s);
    return response;
}

// busybox udhcpc configures nothing by itself: this script applies the lease.
constexpr const char* kDhcp =
    "printf '#!/bin/sh\\ncase $1 in bound|renew) ip addr add $ip/$mask dev $interface; "
    "ip route add default via $router;; esac\\n' > /tmp/dhcp.sh && chmod +x /tmp/dhcp.sh && "
    "ip link set eth0 up && udhcpc -i eth0 -s /tmp/dhcp.sh -q -n -t 10";

TEST(NetBoot, DhcpAddressAndAPageFromTheHostsLoopback)
{
    REQUIRE_GUEST(guest);
    LoopbackHttpServer server("page-from-the-host-loopback\n");
    ASSERT_NE(server.port(), 0);
    ConsoleSession vm(boot_args(*guest, {"--net", "user"}));
    ASSERT_TRUE(boot_to_shell(vm));
    ASSERT_TRUE(guest_ok(vm, kDhcp));
    vm.send("echo ADDR-$(ip -4 addr show eth0 | grep -o 'inet [0-9.]*' | tr -d ' ')-\n");
    EXPECT_TRUE(vm.expect("ADDR-inet10.0.2.15-", 30s)) << vm.recent_output();
    // 10.0.2.2 is the host's 127.0.0.1 as user networking shows it.
    vm.send("wget -q -O - http://10.0.2.2:" + std::to_string(server.port()) + "/ | tr a-z A-Z\n");
    EXPECT_TRUE(vm.expect("PAGE-FROM-THE-HOST-LOOPBACK", 60s)) << vm.recent_output();
    EXPECT_GE(server.requests(), 1);
    // A larger transfer: 2 MiB (32768 lines of 64 bytes) through the card, counted in the guest.
    std::string line(63, 'x');
    line += '\n';
    std::string big;
    for (int i = 0; i < 32768; ++i)
        big += line;
    LoopbackHttpServer big_server(big);
    vm.send("echo BIG-$(wget -q -O - http://10.0.2.2:" + std::to_string(big_server.port()) +
            "/ | grep -c '^x*$')-$(wget -q -O - http://10.0.2.2:" + std::to_string(big_server.port()) + "/ | wc -c)-\n");
    EXPECT_TRUE(vm.expect("BIG-32768-2097152-", 120s)) << vm.recent_output();
    EXPECT_TRUE(power_off(vm));
}

TEST(NetBoot, AHostClientReachesAGuestServerThroughHostfwd)
{
    REQUIRE_GUEST(guest);
    const uint16_t port = free_loopback_port();
    ASSERT_NE(port, 0);
    ConsoleSession vm(boot_args(*guest, {"--net", "user,hostfwd=tcp::" + std::to_string(port) + "-:8080"}));
    ASSERT_TRUE(boot_to_shell(vm));
    ASSERT_TRUE(guest_ok(vm, kDhcp));
    ASSERT_TRUE(guest_ok(vm, "mkdir -p /www && echo served-by-the-guest > /www/index.html && httpd -p 8080 -h /www"));
    std::string response;
    for (int attempt = 0; attempt < 20 && response.find("served-by-the-guest") == std::string::npos; ++attempt) {
        response = http_get_loopback(port);
        if (response.find("served-by-the-guest") == std::string::npos)
            std::this_thread::sleep_for(500ms);
    }
    EXPECT_NE(response.find("200 OK"), std::string::npos) << response << vm.recent_output();
    EXPECT_NE(response.find("served-by-the-guest"), std::string::npos) << response;
    EXPECT_TRUE(power_off(vm));
}

// Issue 7's extras: hostfwd with an explicit host address (TCP on 127.0.0.2 only, not on the
// default 127.0.0.1) and a UDP forward (datagrams from a host socket reach a guest listener).
TEST(NetBoot, ForwardsOnAnExplicitHostAddressAndForUdp)
{
    REQUIRE_GUEST(guest);
    const uint16_t tcp_port = free_loopback_port();
    const uint16_t udp_port = free_loopback_port(SOCK_DGRAM);
    ASSERT_NE(tcp_port, 0);
    ASSERT_NE(udp_port, 0);
    ConsoleSession vm(boot_args(*guest, {"--net", "user,hostfwd=tcp:127.0.0.2:" + std::to_string(tcp_port) +
                                                      "-:8080,hostfwd=udp::" + std::to_string(udp_port) + "-:7777"}));
    ASSERT_TRUE(boot_to_shell(vm));
    ASSERT_TRUE(guest_ok(vm, kDhcp));
    ASSERT_TRUE(guest_ok(vm, "mkdir -p /www && echo served-on-127.0.0.2 > /www/index.html && httpd -p 8080 -h /www"));
    ASSERT_TRUE(guest_ok(vm, "(nc -u -l -p 7777 > /tmp/udp.txt &) && sleep 1"));

    std::string response;
    for (int attempt = 0; attempt < 20 && response.find("served-on-127.0.0.2") == std::string::npos; ++attempt) {
        response = http_get_loopback(tcp_port, "127.0.0.2");
        if (response.find("served-on-127.0.0.2") == std::string::npos)
            std::this_thread::sleep_for(500ms);
    }
    EXPECT_NE(response.find("served-on-127.0.0.2"), std::string::npos) << response << vm.recent_output();
    EXPECT_EQ(http_get_loopback(tcp_port, "127.0.0.1"), "") << "the forward listens on 127.0.0.2 only";

    // UDP may drop a datagram: send a few, from one socket (nc keeps to its first sender).
    const int udp = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(udp, 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    to.sin_port = htons(udp_port);
    const std::string datagram = "udp-from-the-host\n";
    for (int i = 0; i < 5; ++i) {
        EXPECT_EQ(::sendto(udp, datagram.data(), datagram.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to),
                  static_cast<ssize_t>(datagram.size()));
        std::this_thread::sleep_for(200ms);
    }
    ::close(udp);
    vm.send("head -1 /tmp/udp.txt | tr a-z A-Z\n");
    EXPECT_TRUE(vm.expect("UDP-FROM-THE-HOST", 30s)) << vm.recent_output();
    EXPECT_TRUE(power_off(vm));
}

// A query to user networking's DNS proxy makes libslirp read the host's /etc/resolv.conf after
// Vireo has confined itself: the filter of --net user allows that (read-only opens), so the query
// gets an answer, whatever the host's resolver says, and the machine goes on and powers off.
TEST(NetBoot, ADnsQueryToTheProxyWorksUnderTheSeccompFilter)
{
    REQUIRE_GUEST(guest);
    ConsoleSession vm(boot_args(*guest, {"--net", "user"}));
    ASSERT_TRUE(boot_to_shell(vm));
    ASSERT_TRUE(guest_ok(vm, kDhcp));
    vm.send("nslookup vireo.invalid 10.0.2.3; echo DNS-DONE-$((1+1))\n");
    EXPECT_TRUE(vm.expect("DNS-DONE-2", 60s)) << vm.recent_output();
    EXPECT_EQ(vm.output().find("vireo: seccomp"), std::string::npos) << vm.recent_output();
    EXPECT_TRUE(power_off(vm));
}

TEST(NetBoot, APortAlreadyInUseIsAOneLineError)
{
    REQUIRE_GUEST(guest);
    LoopbackHttpServer holder("x");
    ConsoleSession vm(boot_args(*guest, {"--net", "user,hostfwd=tcp::" + std::to_string(holder.port()) + "-:80"}));
    EXPECT_EQ(vm.wait_exit(30s), 125);
    EXPECT_NE(vm.output().find("cannot forward host port " + std::to_string(holder.port())), std::string::npos)
        << vm.output();
}

// --net tap=NAME, inside a network namespace of the test's own (needs root, unshare and ip): a tap
// with 10.77.0.1/24 on the host side, a web server there, and the guest at 10.77.0.2.
TEST(NetBoot, TapInAPrivateNetworkNamespace)
{
    REQUIRE_GUEST(guest);
    if (::geteuid() != 0)
        GTEST_SKIP() << "a tap device needs root (CAP_NET_ADMIN)";
    if (std::system("command -v unshare >/dev/null && command -v ip >/dev/null && command -v python3 >/dev/null && "
                    "unshare --net true 2>/dev/null") != 0)
        GTEST_SKIP() << "needs unshare (util-linux), ip (iproute2), python3 and network namespaces";
    char dir[] = "/tmp/vireo-tap-XXXXXX";
    ASSERT_NE(::mkdtemp(dir), nullptr);
    ASSERT_EQ(std::system(("echo page-over-the-tap > " + std::string(dir) + "/index.html").c_str()), 0);
    std::string script = std::string("set -e; ip link set lo up; ip tuntap add dev vireotap0 mode tap; "
                                      "ip addr add 10.77.0.1/24 dev vireotap0; ip link set vireotap0 up; "
                                      "(cd ") + dir + " && exec python3 -m http.server 8000 --bind 10.77.0.1 >server.log 2>&1) & " +
                         "exec " + vireo_binary() + " run --kernel " + guest->kernel + " --initrd " + guest->initrd +
                         " --append console=ttyS0 --timeout 600 --net tap=vireotap0";
    // A PID namespace too: when vireo (its PID 1) exits, the web server goes with it.
    ConsoleSession vm({"/usr/bin/unshare", "--net", "--pid", "--fork", "--kill-child", "/bin/sh", "-c", script});
    ASSERT_TRUE(boot_to_shell(vm));
    ASSERT_TRUE(guest_ok(vm, "ip link set eth0 up && ip addr add 10.77.0.2/24 dev eth0"));
    bool fetched = false;
    for (int attempt = 0; attempt < 10 && !fetched; ++attempt) {
        vm.send("wget -q -T 5 -O - http://10.77.0.1:8000/index.html | tr a-z A-Z\n");
        fetched = vm.expect("PAGE-OVER-THE-TAP", 10s);
    }
    EXPECT_TRUE(fetched) << vm.recent_output() << "\nthe server's log:\n"
                         << [&] {
                                std::string log;
                                if (FILE* f = std::fopen((std::string(dir) + "/server.log").c_str(), "r")) {
                                    char b[4096];
                                    log.append(b, std::fread(b, 1, sizeof b, f));
                                    std::fclose(f);
                                }
                                return log;
                            }();
    EXPECT_TRUE(power_off(vm));
    std::system(("rm -rf " + std::string(dir)).c_str());
}

}  // namespace
