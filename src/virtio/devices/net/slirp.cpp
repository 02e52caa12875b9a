#include "virtio/devices/net/slirp.hpp"

#include <arpa/inet.h>
#include <poll.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <list>

#include <libslirp.h>

#include "base/log.hpp"

namespace vireo::virtio::net {

struct SlirpBackend::State {
    struct Timer {
        SlirpTimerId id;
        void* cb_opaque;
        int64_t expire_ms = -1;  // -1: not armed
    };

    Slirp* slirp = nullptr;
    Receive* receive = nullptr;
    std::list<Timer> timers;
    std::vector<pollfd> fds;
    std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();

    int64_t now_ns() const
    {
        return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start).count();
    }
};

namespace {

using State = SlirpBackend::State;
State& state_of(void* opaque) { return *static_cast<State*>(opaque); }

ssize_t send_packet(const void* buf, size_t len, void* opaque)
{
    State& s = state_of(opaque);
    if (s.receive && *s.receive)
        (*s.receive)(std::span(static_cast<const uint8_t*>(buf), len));
    return static_cast<ssize_t>(len);
}

void guest_error(const char* msg, void*)
{
    LOG_DEBUG("virtio-net (user): guest error: %s", msg);
}

int64_t clock_get_ns(void* opaque) { return state_of(opaque).now_ns(); }

void* timer_new_opaque(SlirpTimerId id, void* cb_opaque, void* opaque)
{
    State& s = state_of(opaque);
    s.timers.push_back(State::Timer{id, cb_opaque});
    return &s.timers.back();
}

void timer_free(void* timer, void* opaque)
{
    state_of(opaque).timers.remove_if([timer](const State::Timer& t) { return &t == timer; });
}

void timer_mod(void* timer, int64_t expire_ms, void*)
{
    static_cast<State::Timer*>(timer)->expire_ms = expire_ms;
}

// libslirp's own timers are only used through timer_new_opaque (SlirpConfig version 4).
void* timer_new_unused(SlirpTimerCb, void*, void*) { return nullptr; }
void register_poll_fd(int, void*) {}
void unregister_poll_fd(int, void*) {}
void notify(void*) {}

int add_poll(int fd, int events, void* opaque)
{
    State& s = state_of(opaque);
    short e = 0;
    if (events & SLIRP_POLL_IN)
        e |= POLLIN;
    if (events & SLIRP_POLL_OUT)
        e |= POLLOUT;
    if (events & SLIRP_POLL_PRI)
        e |= POLLPRI;
    s.fds.push_back(pollfd{fd, e, 0});
    return static_cast<int>(s.fds.size() - 1);
}

int get_revents(int index, void* opaque)
{
    State& s = state_of(opaque);
    if (index < 0 || static_cast<size_t>(index) >= s.fds.size())
        return 0;
    const short r = s.fds[static_cast<size_t>(index)].revents;
    int events = 0;
    if (r & POLLIN)
        events |= SLIRP_POLL_IN;
    if (r & POLLOUT)
        events |= SLIRP_POLL_OUT;
    if (r & POLLPRI)
        events |= SLIRP_POLL_PRI;
    if (r & POLLERR)
        events |= SLIRP_POLL_ERR;
    if (r & POLLHUP)
        events |= SLIRP_POLL_HUP;
    return events;
}

const SlirpCb kCallbacks = {
    .send_packet = send_packet,
    .guest_error = guest_error,
    .clock_get_ns = clock_get_ns,
    .timer_new = timer_new_unused,
    .timer_free = timer_free,
    .timer_mod = timer_mod,
    .register_poll_fd = register_poll_fd,
    .unregister_poll_fd = unregister_poll_fd,
    .notify = notify,
    .init_completed = nullptr,
    .timer_new_opaque = timer_new_opaque,
};

in_addr ipv4(const char* text)
{
    in_addr a{};
    ::inet_pton(AF_INET, text, &a);
    return a;
}

}  // namespace

SlirpBackend::SlirpBackend() : m_state(std::make_unique<State>()) {}

Result<std::unique_ptr<SlirpBackend>> SlirpBackend::create(const std::vector<PortForward>& forwards)
{
    auto backend = std::unique_ptr<SlirpBackend>(new SlirpBackend());
    State& s = *backend->m_state;
    s.receive = &backend->m_receive;
    SlirpConfig config{};
    config.version = 4;
    config.restricted = 0;
    config.in_enabled = true;
    config.vnetwork = ipv4("10.0.2.0");
    config.vnetmask = ipv4("255.255.255.0");
    config.vhost = ipv4("10.0.2.2");
    config.vdhcp_start = ipv4("10.0.2.15");
    config.vnameserver = ipv4("10.0.2.3");
    config.vhostname = "vireo";
    config.in6_enabled = false;
    config.if_mtu = 1500;
    config.if_mru = 1500;
    config.disable_host_loopback = false;  // 10.0.2.2 reaches the host's 127.0.0.1
    config.enable_emu = false;             // libslirp: "isn't safe"
    s.slirp = ::slirp_new(&config, &kCallbacks, &s);
    if (!s.slirp)
        return Error::message("--net user: libslirp could not start");
    for (const PortForward& f : forwards) {
        const bool udp = f.protocol == PortForward::Protocol::Udp;
        const std::string where = std::string(udp ? "udp" : "tcp") + " on " + f.host_address;
        in_addr host{};
        if (::inet_pton(AF_INET, f.host_address.c_str(), &host) != 1)
            return Error::message("--net user: cannot forward host port " + std::to_string(f.host_port) + " (" + where +
                                  "): not an IPv4 address");
        if (::slirp_add_hostfwd(s.slirp, udp, host, f.host_port, ipv4("10.0.2.15"), f.guest_port) != 0)
            return Error::message("--net user: cannot forward host port " + std::to_string(f.host_port) + " (" + where +
                                  "): already in use, or not an address of this host");
    }
    return backend;
}

SlirpBackend::~SlirpBackend()
{
    if (m_state->slirp)
        ::slirp_cleanup(m_state->slirp);
}

void SlirpBackend::send(std::span<const uint8_t> frame)
{
    ::slirp_input(m_state->slirp, frame.data(), static_cast<int>(frame.size()));
}

void SlirpBackend::poll(size_t)
{
    State& s = *m_state;
    // Expired timers first (TCP retransmission, router advertisements).
    const int64_t now_ms = s.now_ns() / 1'000'000;
    for (auto& timer : s.timers) {
        if (timer.expire_ms >= 0 && timer.expire_ms <= now_ms) {
            timer.expire_ms = -1;
            ::slirp_handle_timer(s.slirp, timer.id, timer.cb_opaque);
            break;  // the callback may have freed timers: the rest wait for the next poll
        }
    }
    // Then the host sockets: a poll that does not wait; the machine's loop comes back soon.
    s.fds.clear();
    uint32_t timeout = 0;
    ::slirp_pollfds_fill(s.slirp, &timeout, add_poll, &s);
    int ready = s.fds.empty() ? 0 : ::poll(s.fds.data(), s.fds.size(), 0);
    ::slirp_pollfds_poll(s.slirp, ready < 0, get_revents, &s);
}

}  // namespace vireo::virtio::net
