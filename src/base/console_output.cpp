#include "base/console_output.hpp"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>

namespace vireo {

namespace {
// At most PIPE_BUF bytes per write: once poll reports a pipe writable, a write of that size cannot
// block (pipe(7)); a terminal has at least that much room as well when it reports POLLOUT.
constexpr size_t kChunk = 4096;
}  // namespace

ConsoleOutput::ConsoleOutput(int fd) : m_fd(fd) {}

void ConsoleOutput::write(std::span<const uint8_t> bytes)
{
    if (m_broken) {
        m_dropped += bytes.size();
        return;
    }
    // Keep the queue compact: what was written goes before new bytes are appended.
    if (m_head > 0 && m_head * 2 >= m_queue.size()) {
        m_queue.erase(m_queue.begin(), m_queue.begin() + static_cast<ptrdiff_t>(m_head));
        m_head = 0;
    }
    const size_t room = kCapacity - std::min(kCapacity, pending());
    const size_t taken = std::min(room, bytes.size());
    m_queue.insert(m_queue.end(), bytes.begin(), bytes.begin() + static_cast<ptrdiff_t>(taken));
    m_dropped += bytes.size() - taken;
    drain();
}

bool ConsoleOutput::drain()
{
    while (pending() > 0 && !m_broken) {
        pollfd p{m_fd, POLLOUT, 0};
        const int ready = ::poll(&p, 1, 0);
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready <= 0 || !(p.revents & (POLLOUT | POLLERR | POLLHUP)))
            break;   // stdout is full: the rest waits for the next call
        const size_t n = std::min(kChunk, pending());
        const ssize_t written = ::write(m_fd, m_queue.data() + m_head, n);
        if (written < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            m_broken = true;   // stdout is gone: drop the output rather than stop the guest
            break;
        }
        m_head += static_cast<size_t>(written);
    }
    if (m_broken) {
        m_dropped += pending();
        m_head = m_queue.size();
    }
    if (pending() == 0) {
        m_queue.clear();
        m_head = 0;
    }
    return pending() == 0;
}

void ConsoleOutput::finish(int timeout_ms)
{
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (!drain()) {
        using std::chrono::milliseconds;
        const auto left = std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0)
            break;
        pollfd p{m_fd, POLLOUT, 0};
        ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count(), 100)));
    }
    m_dropped += pending();
    m_queue.clear();
    m_head = 0;
}

}  // namespace vireo
