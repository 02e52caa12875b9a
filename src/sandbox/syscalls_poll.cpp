// Waiting for descriptors: ppoll, pselect6, epoll (epoll_create1, epoll_ctl, epoll_pwait,
// epoll_pwait2) and eventfd2.
//
// Each wait first looks with a zero timeout. When nothing is ready and the guest may wait, the
// thread is parked on the host descriptors (an epoll instance is a host epoll descriptor, itself
// pollable) and its ecall runs again when one is ready, or when its deadline passes; the call run
// again keeps the deadline of the first (Thread::resumed_deadline). A signal ends the wait with
// EINTR: these calls are never restarted (signal(7)).
//
// FIXME: the signal mask argument of ppoll, pselect6 and epoll_pwait is ignored: the thread
// waits with its own mask.
#include <sys/epoll.h>
#include <sys/eventfd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/bytes.hpp"
#include "sandbox/process.hpp"
#include "sandbox/syscall_numbers.hpp"

namespace vireo::sandbox {

namespace {

// struct epoll_event as riscv64 lays it out: {u32 events; (4 bytes of padding); u64 data}. The
// host's x86-64 one is packed (12 bytes), so every event is copied field by field.
constexpr uint64_t kGuestEpollEvent = 16;
constexpr int kMaxEventsPerWait = 1024;   // a bigger maxevents gets at most this many at once
// EPOLLWAKEUP would hold off the host's suspend (with CAP_BLOCK_SUSPEND): never passed on.
constexpr uint32_t kEpollWakeup = 1u << 29;
// select(2)'s sets: as many bits as descriptors the guest may have.
constexpr uint64_t kMaxSelectFds = FdTable::kMax;
constexpr short kSelectIn = POLLIN | POLLRDNORM | POLLRDBAND | POLLHUP | POLLERR;
constexpr short kSelectOut = POLLOUT | POLLWRNORM | POLLWRBAND | POLLERR;
constexpr short kSelectEx = POLLPRI;

}  // namespace

std::optional<Clock::time_point> Process::wait_deadline(const Thread& t, std::optional<std::chrono::nanoseconds> timeout)
{
    if (t.io_resumed)
        return t.resumed_deadline;
    if (!timeout)
        return std::nullopt;
    return Clock::now() + std::chrono::duration_cast<Clock::duration>(*timeout);
}

int64_t Process::syscall_poll(Thread& t, uint64_t nr, const uint64_t* a, bool& handled)
{
    handled = true;
    const auto fd0 = static_cast<int>(a[0]);
    // The wait's timeout: a guest timespec, or none (null: wait for ever).
    auto timespec_arg = [&](uint64_t addr, std::optional<std::chrono::nanoseconds>& out) -> int {
        if (!addr)
            return 0;
        std::chrono::nanoseconds d{};
        int err = 0;
        if (!read_timespec(*m_mem, addr, d, err))
            return err;
        out = d;
        return 0;
    };
    auto expired = [](const std::optional<Clock::time_point>& until) { return until && *until <= Clock::now(); };

    switch (nr) {
    case nr::ppoll: {
        const uint64_t nfds = a[1];
        if (nfds > static_cast<uint64_t>(FdTable::kMax))
            return -EINVAL;
        std::optional<std::chrono::nanoseconds> timeout;
        if (int r = timespec_arg(a[2], timeout); r != 0)
            return r;
        if (nfds == 0) {
            // Nothing to watch (pause(), or a sleep): wait in the scheduler, where signals from
            // other threads, alarms and the host can end it.
            if (!timeout) {
                block(t, Thread::State::SigSuspend, std::nullopt);
                return kBlocked;
            }
            block(t, Thread::State::Sleeping, Clock::now() + std::chrono::duration_cast<Clock::duration>(*timeout));
            return kBlocked;
        }
        uint8_t* p = m_mem->writable(a[0], nfds * 8);
        if (!p)
            return -EFAULT;
        const auto until = wait_deadline(t, timeout);
        std::vector<struct pollfd> fds(nfds);
        std::vector<std::shared_ptr<OpenFile>> files;
        int ready = 0;
        for (uint64_t i = 0; i < nfds; ++i) {
            const int guest_fd = load_le<int32_t>(p + i * 8);
            auto file = guest_fd >= 0 ? m_fds.share(guest_fd) : nullptr;
            fds[i].fd = file ? file->host_fd : -1;
            fds[i].events = load_le<int16_t>(p + i * 8 + 4);
            if (guest_fd >= 0 && !file)
                ++ready;   // POLLNVAL, below
            if (file)
                files.push_back(std::move(file));
        }
        const int r = ::poll(fds.data(), nfds, 0);
        if (r < 0 && errno != EINTR)
            return -errno;
        ready += std::max(r, 0);
        if (ready == 0 && !expired(until))
            return park_io(t, std::move(fds), std::move(files), until, /*restartable=*/false);
        for (uint64_t i = 0; i < nfds; ++i) {
            const int guest_fd = load_le<int32_t>(p + i * 8);
            store_le<int16_t>(p + i * 8 + 6, guest_fd >= 0 && fds[i].fd < 0 ? int16_t{POLLNVAL} : fds[i].revents);
        }
        return ready;
    }
    case nr::pselect6: {
        const auto nfds = static_cast<int64_t>(static_cast<int32_t>(a[0]));
        if (nfds < 0)
            return -EINVAL;
        const uint64_t n = std::min<uint64_t>(static_cast<uint64_t>(nfds), kMaxSelectFds);
        const uint64_t set_bytes = (n + 63) / 64 * 8;
        std::optional<std::chrono::nanoseconds> timeout;
        if (int r = timespec_arg(a[4], timeout); r != 0)
            return r;
        // The three sets (each may be null), read, then overwritten with the ready ones.
        uint8_t* sets[3] = {};
        for (int s = 0; s < 3; ++s) {
            if (a[1 + s] && set_bytes && !(sets[s] = m_mem->writable(a[1 + s], set_bytes)))
                return -EFAULT;
        }
        auto in_set = [&](int s, uint64_t fd) { return sets[s] && (sets[s][fd / 8] >> (fd % 8) & 1); };
        std::vector<struct pollfd> fds;
        std::vector<std::shared_ptr<OpenFile>> files;
        std::vector<int> guest_fds;
        for (uint64_t fd = 0; fd < n; ++fd) {
            const short events = static_cast<short>((in_set(0, fd) ? kSelectIn : 0) | (in_set(1, fd) ? kSelectOut : 0) |
                                                    (in_set(2, fd) ? kSelectEx : 0));
            if (!events)
                continue;
            auto file = m_fds.share(static_cast<int>(fd));
            if (!file)
                return -EBADF;
            fds.push_back({file->host_fd, events, 0});
            files.push_back(std::move(file));
            guest_fds.push_back(static_cast<int>(fd));
        }
        const auto until = wait_deadline(t, timeout);
        const int r = fds.empty() ? 0 : ::poll(fds.data(), fds.size(), 0);
        if (r < 0 && errno != EINTR)
            return -errno;
        if (r <= 0 && !expired(until)) {
            if (fds.empty()) {   // select(0, NULL, NULL, NULL, &tv): a sleep
                block(t, until ? Thread::State::Sleeping : Thread::State::SigSuspend, until);
                return kBlocked;
            }
            return park_io(t, std::move(fds), std::move(files), until, /*restartable=*/false);
        }
        for (auto* set : sets)
            if (set)
                std::memset(set, 0, set_bytes);
        int64_t count = 0;
        for (size_t i = 0; i < fds.size(); ++i) {
            const auto fd = static_cast<uint64_t>(guest_fds[i]);
            const short got = fds[i].revents;
            const short asked = fds[i].events;
            const bool hits[3] = {(asked & POLLIN) && (got & kSelectIn), (asked & POLLOUT) && (got & kSelectOut),
                                  (asked & POLLPRI) && (got & kSelectEx)};
            for (int s = 0; s < 3; ++s) {
                if (hits[s] && sets[s]) {
                    sets[s][fd / 8] = static_cast<uint8_t>(sets[s][fd / 8] | (1u << (fd % 8)));
                    ++count;
                }
            }
        }
        return count;
    }
    case nr::epoll_create1: {
        if (a[0] & ~static_cast<uint64_t>(EPOLL_CLOEXEC))
            return -EINVAL;
        const int host = ::epoll_create1(EPOLL_CLOEXEC);
        if (host < 0)
            return -errno;
        return m_fds.add(std::make_shared<OpenFile>(OpenFile::Kind::Epoll, host, true, std::string()), a[0] != 0);
    }
    case nr::epoll_ctl: {
        OpenFile* ep = m_fds.get(fd0);
        OpenFile* target = m_fds.get(static_cast<int>(a[2]));
        if (!ep || !target)
            return -EBADF;
        if (ep->kind != OpenFile::Kind::Epoll)
            return -EINVAL;
        const auto op = static_cast<int>(a[1]);
        struct epoll_event ev {};
        if (op != EPOLL_CTL_DEL) {
            const uint8_t* p = m_mem->readable(a[3], kGuestEpollEvent);
            if (!p)
                return -EFAULT;
            ev.events = load_le<uint32_t>(p) & ~kEpollWakeup;
            ev.data.u64 = load_le<uint64_t>(p + 8);   // the guest's own cookie, given back as it is
        }
        return ::epoll_ctl(ep->host_fd, op, target->host_fd, &ev) == 0 ? 0 : -errno;
    }
    case nr::epoll_pwait:
    case nr::epoll_pwait2: {
        auto ep = m_fds.share(fd0);
        if (!ep)
            return -EBADF;
        if (ep->kind != OpenFile::Kind::Epoll)
            return -EINVAL;
        const auto maxevents = static_cast<int32_t>(a[2]);
        if (maxevents <= 0 || static_cast<uint64_t>(maxevents) > INT32_MAX / kGuestEpollEvent)
            return -EINVAL;
        uint8_t* out = m_mem->writable(a[1], static_cast<uint64_t>(maxevents) * kGuestEpollEvent);
        if (!out)
            return -EFAULT;
        std::optional<std::chrono::nanoseconds> timeout;
        if (nr == nr::epoll_pwait2) {
            if (int r = timespec_arg(a[3], timeout); r != 0)
                return r;
        } else if (static_cast<int32_t>(a[3]) >= 0) {
            timeout = std::chrono::milliseconds(static_cast<int32_t>(a[3]));
        }
        const auto until = wait_deadline(t, timeout);
        struct epoll_event events[kMaxEventsPerWait];
        const int n = ::epoll_wait(ep->host_fd, events, std::min(maxevents, kMaxEventsPerWait), 0);
        if (n < 0 && errno != EINTR)
            return -errno;
        if (n <= 0) {
            if (expired(until))
                return 0;
            return park_io(t, {{ep->host_fd, POLLIN, 0}}, {ep}, until, /*restartable=*/false);
        }
        for (int i = 0; i < n; ++i) {
            uint8_t* e = out + static_cast<uint64_t>(i) * kGuestEpollEvent;
            store_le<uint32_t>(e, events[i].events);
            store_le<uint32_t>(e + 4, 0);
            store_le<uint64_t>(e + 8, events[i].data.u64);
        }
        return n;
    }
    case nr::eventfd2: {
        const auto flags = static_cast<int>(a[1]);
        if (flags & ~(EFD_CLOEXEC | EFD_NONBLOCK | EFD_SEMAPHORE))
            return -EINVAL;
        const int host = ::eventfd(static_cast<unsigned>(a[0]), (flags & (EFD_NONBLOCK | EFD_SEMAPHORE)) | EFD_CLOEXEC);
        if (host < 0)
            return -errno;
        return m_fds.add(std::make_shared<OpenFile>(OpenFile::Kind::EventFd, host, true, std::string()), flags & EFD_CLOEXEC);
    }
    default:
        handled = false;
        return -ENOSYS;
    }
}

}  // namespace vireo::sandbox
