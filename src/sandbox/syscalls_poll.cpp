// Waiting for descriptors: ppoll and eventfd2.
//
// Each wait first looks with a zero timeout. When nothing is ready and the guest may wait, the
// thread is parked on the host descriptors and its ecall runs again when one is ready, or when its
// deadline passes; the call run again keeps the deadline of the first (Thread::resumed_deadline).
// A signal ends the wait with EINTR: these calls are never restarted (signal(7)).
//
// FIXME: the signal mask argument of ppoll is ignored: the thread waits with its own mask.
#include <sys/eventfd.h>

#include <algorithm>
#include <cerrno>

#include "base/bytes.hpp"
#include "sandbox/process.hpp"
#include "sandbox/syscall_numbers.hpp"

namespace vireo::sandbox {

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
