// Waiting without blocking: reads and writes on streams (pipes, sockets, terminals, eventfds) and
// the parking of a thread that must wait. See process.hpp for how the scheduler wakes it.
//
// A blocking read returns as soon as there is something to read; a blocking write returns when
// all of it is written. Both are done here with non-blocking host calls: sockets take
// MSG_DONTWAIT, other descriptors Vireo opened itself are made O_NONBLOCK for the call (their
// open file description is Vireo's own, shared at most with forked guest processes, which do the
// same). When the host says EAGAIN the thread parks on the descriptor, a write with what it has
// written so far (Thread::io_done), and its ecall runs again once the descriptor is ready.
// A signal ends a parked call with EINTR, or with the count if some bytes moved (write(2)); with
// an SA_RESTART handler, a call that moved nothing runs again after it.
//
// The inherited stdin, stdout and stderr are shared with other host processes (the shell, the
// terminal): Vireo never changes their flags. They are polled first, so a read parks like the
// others; a write to a full pipe there blocks the host thread (every guest thread then waits for
// the reader, as a program writing its output would).
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <cerrno>
#include <chrono>
#include <csignal>

#include "sandbox/process.hpp"

namespace vireo::sandbox {

namespace {

// Drops the first `n` bytes of `iov`; false when nothing is left.
bool advance(std::vector<struct iovec>& iov, uint64_t n)
{
    size_t i = 0;
    while (i < iov.size() && n >= iov[i].iov_len) {
        n -= iov[i].iov_len;
        ++i;
    }
    iov.erase(iov.begin(), iov.begin() + static_cast<ptrdiff_t>(i));
    if (!iov.empty()) {
        iov[0].iov_base = static_cast<uint8_t*>(iov[0].iov_base) + n;
        iov[0].iov_len -= n;
    }
    while (!iov.empty() && iov.front().iov_len == 0)
        iov.erase(iov.begin());
    return !iov.empty();
}

}  // namespace

int64_t Process::park_io(Thread& t, std::vector<struct pollfd> fds, std::vector<std::shared_ptr<OpenFile>> files,
                         std::optional<Clock::time_point> deadline, bool restartable)
{
    for (auto& pfd : fds)
        pfd.revents = 0;
    t.io_fds = std::move(fds);
    t.io_files = std::move(files);
    t.io_restartable = restartable;
    block(t, Thread::State::IoWait, deadline);
    return kRestart;
}

int64_t Process::stream_io(Thread& t, const std::shared_ptr<OpenFile>& file, Direction direction, StreamCall& call)
{
    const int fd = file->host_fd;
    const bool in = direction == Direction::In;
    const bool socket = file->kind == OpenFile::Kind::Socket;
    auto host_call = [&](bool nowait) -> ssize_t {
        if (socket) {
            struct msghdr msg {};
            msg.msg_name = call.name;
            msg.msg_namelen = call.name_len;
            msg.msg_iov = call.iov.data();
            msg.msg_iovlen = call.iov.size();
            const int flags = call.flags | (nowait ? MSG_DONTWAIT : 0);
            const ssize_t n = in ? ::recvmsg(fd, &msg, flags) : ::sendmsg(fd, &msg, flags | MSG_NOSIGNAL);
            if (n >= 0) {
                call.name_len = msg.msg_namelen;
                call.msg_flags = msg.msg_flags;
            }
            return n;
        }
        const int count = static_cast<int>(call.iov.size());
        return in ? ::readv(fd, call.iov.data(), count) : ::writev(fd, call.iov.data(), count);
    };
    auto result = [](ssize_t n) -> int64_t { return n < 0 ? -errno : n; };

    const int fl = ::fcntl(fd, F_GETFL);
    if (fl < 0)
        return -errno;
    if ((fl & O_NONBLOCK) || (call.flags & MSG_DONTWAIT))
        return result(host_call(false));   // the guest asked not to wait: EAGAIN is its answer
    uint64_t wanted = 0;
    for (const auto& v : call.iov)
        wanted += v.iov_len;
    if (wanted == 0 && !socket)
        return result(host_call(false));   // reading or writing nothing never waits (read(2))
    const short events = in ? POLLIN : POLLOUT;
    const bool toggle = !socket && file->owned;
    if (!socket && !toggle) {
        struct pollfd pfd {fd, events, 0};
        if (::poll(&pfd, 1, 0) == 0)
            return park_io(t, {pfd}, {file}, std::nullopt, /*restartable=*/true);
        return result(host_call(false));
    }

    // A write, or a MSG_WAITALL receive on a stream socket, wants all of `iov`; a read, whatever
    // comes first.
    bool whole = !in;
    if (in && socket && (call.flags & MSG_WAITALL)) {
        int type = 0;
        socklen_t len = sizeof type;
        whole = ::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_STREAM;
    }
    // A socket's SO_RCVTIMEO / SO_SNDTIMEO bound the wait: then the call says EAGAIN, or how much
    // it moved (socket(7)).
    std::optional<Clock::time_point> until;
    if (socket) {
        struct timeval tv {};
        socklen_t len = sizeof tv;
        if (::getsockopt(fd, SOL_SOCKET, in ? SO_RCVTIMEO : SO_SNDTIMEO, &tv, &len) == 0 && (tv.tv_sec || tv.tv_usec))
            until = wait_deadline(t, std::chrono::seconds(tv.tv_sec) + std::chrono::microseconds(tv.tv_usec));
    }
    const bool timed_out = until && *until <= Clock::now();
    // A call that was parked goes on from where it stopped.
    uint64_t done = t.io_resumed ? t.io_done : 0;
    t.io_done = 0;
    if (done && !advance(call.iov, done))
        return static_cast<int64_t>(done);
    if (toggle)
        (void)::fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    int64_t ret = 0;
    bool park = false;
    for (;;) {
        const ssize_t n = host_call(true);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            park = true;
            break;
        }
        if (n < 0) {
            ret = done ? static_cast<int64_t>(done) : -errno;
            break;
        }
        done += static_cast<uint64_t>(n);
        if (!whole || n == 0 || !advance(call.iov, static_cast<uint64_t>(n))) {
            ret = static_cast<int64_t>(done);
            break;
        }
    }
    if (toggle)
        (void)::fcntl(fd, F_SETFL, fl);
    if (!park)
        return ret;
    if (timed_out)
        return done ? static_cast<int64_t>(done) : -EAGAIN;
    t.io_done = done;
    return park_io(t, {{fd, events, 0}}, {file}, until, /*restartable=*/true);
}

int64_t Process::raise_sigpipe(int64_t result)
{
    if (result == -EPIPE) {
        SigInfo info;
        info.signo = SIGPIPE;
        info.pid = m_pid;
        post_signal(&current(), SIGPIPE, info);
    }
    return result;
}

}  // namespace vireo::sandbox
