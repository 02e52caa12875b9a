#include "virtio/devices/net/tap.hpp"

#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/log.hpp"

namespace vireo::virtio::net {

Result<std::unique_ptr<TapBackend>> TapBackend::open(const std::string& name)
{
    const std::string what = "--net tap=" + name;
    if (name.empty() || name.size() >= IFNAMSIZ)
        return Error::message(what + ": an interface name has 1 to 15 characters");
    int fd = ::open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return Error::from_errno(what + ": /dev/net/tun");
    ifreq request{};
    // No packet information header, no virtio-net header: plain Ethernet frames.
    request.ifr_flags = IFF_TAP | IFF_NO_PI;
    std::memcpy(request.ifr_name, name.data(), name.size());
    // SAFETY: TUNSETIFF reads and writes one struct ifreq.
    if (::ioctl(fd, TUNSETIFF, &request) != 0) {
        const int saved = errno;
        ::close(fd);
        return Error::from_errno(what, saved);
    }
    return std::unique_ptr<TapBackend>(new TapBackend(fd));
}

TapBackend::~TapBackend()
{
    ::close(m_fd);
}

void TapBackend::send(std::span<const uint8_t> frame)
{
    ssize_t n;
    do
        n = ::write(m_fd, frame.data(), frame.size());
    while (n < 0 && errno == EINTR);
    // A full queue (EAGAIN) or a down interface drops the frame, as a busy wire would.
    if (n < 0 && errno != EAGAIN)
        LOG_DEBUG("virtio-net (tap): write: %s", std::strerror(errno));
}

void TapBackend::poll(size_t room)
{
    uint8_t frame[65536];
    for (; room > 0; --room) {
        const ssize_t n = ::read(m_fd, frame, sizeof frame);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;  // EAGAIN: nothing more now
        if (m_receive)
            m_receive(std::span(frame, static_cast<size_t>(n)));
    }
}

}  // namespace vireo::virtio::net
