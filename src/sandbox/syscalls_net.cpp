// Socket system calls. Without Config::allow_net every socket() fails with EACCES, as under a
// seccomp or LSM policy that forbids networking. With it, the guest may open IPv4 and IPv6 TCP and
// UDP sockets and connect out; never named Unix sockets (they would reach the host's daemons),
// never raw sockets, never listen() (outgoing only). Every address the guest passes must be IPv4 or
// IPv6, so no Unix socket can be bound or connected to a name.
//
// socketpair(AF_UNIX) is always allowed: a connected pair with no name, like a pipe, reaches
// nothing outside. sendmsg/recvmsg carry data and addresses but no control messages: sending one
// (SCM_RIGHTS, SCM_CREDENTIALS, ...) fails with EOPNOTSUPP, and none is ever received (a guest
// descriptor means nothing to the host, and credentials would show host pids).
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/bytes.hpp"
#include "sandbox/process.hpp"
#include "sandbox/syscall_numbers.hpp"

namespace vireo::sandbox {

namespace {

int64_t host_result(int64_t r) { return r < 0 ? -errno : r; }

constexpr uint64_t kMsghdrSize = 56;
// MSG_* flags (the same numbers on both sides) passed on to the host; others are dropped.
constexpr int kKnownMsgFlags = MSG_OOB | MSG_PEEK | MSG_DONTROUTE | MSG_TRUNC | MSG_DONTWAIT | MSG_EOR |
                               MSG_WAITALL | MSG_NOSIGNAL | MSG_MORE | MSG_CMSG_CLOEXEC;

}  // namespace

int64_t Process::connect_socket(int fd, int host, const sockaddr_storage& sa, socklen_t len)
{
    const auto* addr = reinterpret_cast<const sockaddr*>(&sa);
    const int flags = ::fcntl(host, F_GETFL);
    if (flags < 0)
        return -errno;
    if (flags & O_NONBLOCK)
        return host_result(::connect(host, addr, len));
    // A blocking connect, made without blocking the host thread: started non-blocking; the thread
    // then waits for the socket to become writable and runs connect again, which says how it went
    // (EISCONN: made; otherwise the connection's error, as Linux's inet_stream_connect reports).
    Thread& t = current();
    (void)::fcntl(host, F_SETFL, flags | O_NONBLOCK);
    const int r = ::connect(host, addr, len);
    const int error = errno;
    (void)::fcntl(host, F_SETFL, flags);
    if (r == 0 || (error == EISCONN && t.io_resumed))
        return 0;
    if (error == EINPROGRESS || error == EALREADY)
        return park_io(t, {{host, POLLOUT, 0}}, {m_fds.share(fd)}, std::nullopt, /*restartable=*/true);
    return -error;
}

int64_t Process::syscall_net(uint64_t nr, const uint64_t* a, bool& handled)
{
    handled = true;
    const auto fd0 = static_cast<int>(a[0]);
    auto socket_of = [&](int fd, int& host) -> int {
        OpenFile* f = m_fds.get(fd);
        if (!f)
            return -EBADF;
        if (f->kind != OpenFile::Kind::Socket)
            return -ENOTSOCK;
        host = f->host_fd;
        return 0;
    };
    // A guest sockaddr, checked to be IPv4 or IPv6.
    auto read_addr = [&](uint64_t addr, uint64_t len, sockaddr_storage& out, socklen_t& out_len) -> int {
        if (len > sizeof out || len < sizeof(sa_family_t))
            return -EINVAL;
        const uint8_t* p = m_mem->readable(addr, len);
        if (!p)
            return -EFAULT;
        std::memset(&out, 0, sizeof out);
        std::memcpy(&out, p, len);
        if (out.ss_family != AF_INET && out.ss_family != AF_INET6)
            return -EAFNOSUPPORT;
        out_len = static_cast<socklen_t>(len);
        return 0;
    };
    // Writes a host sockaddr back to the guest (addr, *addrlen), truncating as Linux does.
    auto write_addr = [&](uint64_t addr, uint64_t len_addr, const sockaddr_storage& in, socklen_t in_len) -> int {
        if (!addr)
            return 0;
        uint32_t cap = 0;
        if (!m_mem->read(len_addr, cap))
            return -EFAULT;
        const uint32_t n = std::min<uint32_t>(cap, in_len);
        uint8_t* p = m_mem->writable(addr, n);
        if (!p)
            return -EFAULT;
        std::memcpy(p, &in, n);
        return m_mem->write(len_addr, static_cast<uint32_t>(in_len)) ? 0 : -EFAULT;
    };

    switch (nr) {
    case nr::socket: {
        if (!m_config.allow_net)
            return -EACCES;
        const int domain = static_cast<int>(a[0]);
        const int type = static_cast<int>(a[1]);
        const int base_type = type & 0xf;
        if (domain != AF_INET && domain != AF_INET6)
            return -EACCES;
        if (base_type != SOCK_STREAM && base_type != SOCK_DGRAM)
            return -EACCES;
        const int host = ::socket(domain, base_type | (type & SOCK_NONBLOCK) | SOCK_CLOEXEC, static_cast<int>(a[2]));
        if (host < 0)
            return -errno;
        return m_fds.add(std::make_shared<OpenFile>(OpenFile::Kind::Socket, host, true, std::string()), (type & SOCK_CLOEXEC) != 0);
    }
    case nr::socketpair: {
        const int type = static_cast<int>(a[1]);
        if (static_cast<int>(a[0]) != AF_UNIX)
            return m_config.allow_net ? -EOPNOTSUPP : -EACCES;   // Linux: only AF_UNIX makes pairs
        if (type & ~(0xf | SOCK_NONBLOCK | SOCK_CLOEXEC))
            return -EINVAL;
        int pair[2];
        if (::socketpair(AF_UNIX, (type & (0xf | SOCK_NONBLOCK)) | SOCK_CLOEXEC, static_cast<int>(a[2]), pair) != 0)
            return -errno;
        const bool cloexec = (type & SOCK_CLOEXEC) != 0;
        auto first = std::make_shared<OpenFile>(OpenFile::Kind::Socket, pair[0], true, std::string());
        auto second = std::make_shared<OpenFile>(OpenFile::Kind::Socket, pair[1], true, std::string());
        const int fd_a = m_fds.add(std::move(first), cloexec);
        if (fd_a < 0)
            return fd_a;   // `second` closes its host descriptor as it goes
        const int fd_b = m_fds.add(std::move(second), cloexec);
        const int32_t both[2] = {fd_a, fd_b};
        if (fd_b < 0 || !m_mem->write(a[3], both)) {
            (void)m_fds.close(fd_a);
            if (fd_b >= 0)
                (void)m_fds.close(fd_b);
            return fd_b < 0 ? fd_b : -EFAULT;
        }
        return 0;
    }
    case nr::connect:
    case nr::bind: {
        int host = -1;
        if (int r = socket_of(fd0, host); r != 0)
            return r;
        sockaddr_storage sa {};
        socklen_t len = 0;
        if (int r = read_addr(a[1], a[2], sa, len); r != 0)
            return r;
        if (nr == nr::connect)
            return connect_socket(fd0, host, sa, len);
        return host_result(::bind(host, reinterpret_cast<sockaddr*>(&sa), len));
    }
    case nr::listen:
    case nr::accept:
    case nr::accept4:
        return m_fds.get(fd0) ? -EACCES : -EBADF;
    case nr::getsockname:
    case nr::getpeername: {
        int host = -1;
        if (int r = socket_of(fd0, host); r != 0)
            return r;
        sockaddr_storage sa {};
        socklen_t len = sizeof sa;
        const int r = nr == nr::getsockname ? ::getsockname(host, reinterpret_cast<sockaddr*>(&sa), &len)
                                            : ::getpeername(host, reinterpret_cast<sockaddr*>(&sa), &len);
        if (r != 0)
            return -errno;
        return write_addr(a[1], a[2], sa, len);
    }
    case nr::sendto:
    case nr::recvfrom:
    case nr::sendmsg:
    case nr::recvmsg: {
        auto file = m_fds.share(fd0);
        if (!file)
            return -EBADF;
        if (file->kind != OpenFile::Kind::Socket)
            return -ENOTSOCK;
        const bool sending = nr == nr::sendto || nr == nr::sendmsg;
        const auto access = sending ? riscv::Access::Read : riscv::Access::Write;
        StreamCall call;
        uint64_t name_addr = 0, name_len = 0;   // sendto/sendmsg: the length; recvfrom: where it goes
        uint8_t* header = nullptr;
        if (nr == nr::sendmsg || nr == nr::recvmsg) {
            // struct msghdr on riscv64: name, namelen (u32, padded), iov, iovlen, control,
            // controllen, flags (i32, padded): 56 bytes.
            header = m_mem->access(a[1], kMsghdrSize, access);
            if (!header)
                return -EFAULT;
            name_addr = load_le<uint64_t>(header);
            name_len = load_le<uint32_t>(header + 8);
            if (load_le<uint64_t>(header + 24) > static_cast<uint64_t>(kMaxIov))
                return -EMSGSIZE;   // as Linux's copy_msghdr_from_user says it
            if (int r = read_iovec(load_le<uint64_t>(header + 16), load_le<uint64_t>(header + 24), access, call.iov); r != 0)
                return r;
            if (sending && load_le<uint64_t>(header + 40) != 0)
                return -EOPNOTSUPP;   // control messages: see the top of this file
            call.flags = static_cast<int>(a[2]);
        } else {
            const uint64_t count = std::min<uint64_t>(a[2], kMaxRw);
            uint8_t* p = m_mem->access(a[1], count, access);
            if (!p)
                return -EFAULT;
            call.iov.push_back({p, count});
            call.flags = static_cast<int>(a[3]);
            name_addr = a[4];
            name_len = a[5];
        }
        call.flags &= kKnownMsgFlags;
        sockaddr_storage sa {};
        if (name_addr) {
            socklen_t len = sizeof sa;
            if (sending)
                if (int r = read_addr(name_addr, name_len, sa, len); r != 0)
                    return r;
            call.name = &sa;
            call.name_len = len;
        }
        const int64_t r = stream_io(current(), file, sending ? Direction::Out : Direction::In, call);
        if (r < 0)
            return sending && !(call.flags & MSG_NOSIGNAL) ? raise_sigpipe(r) : r;
        if (sending)
            return r;
        if (header) {
            if (name_addr)
                if (int e = write_addr(name_addr, a[1] + 8, sa, call.name_len); e != 0)
                    return e;
            store_le<uint64_t>(header + 40, 0);   // no control data
            store_le<int32_t>(header + 48, call.msg_flags);
        } else if (name_addr) {
            if (int e = write_addr(name_addr, name_len, sa, call.name_len); e != 0)
                return e;
        }
        return r;
    }
    case nr::setsockopt: {
        int host = -1;
        if (int r = socket_of(fd0, host); r != 0)
            return r;
        if (a[4] > 256)
            return -EINVAL;
        const uint8_t* p = m_mem->readable(a[3], a[4]);
        if (!p)
            return -EFAULT;
        return host_result(::setsockopt(host, static_cast<int>(a[1]), static_cast<int>(a[2]), p, static_cast<socklen_t>(a[4])));
    }
    case nr::getsockopt: {
        int host = -1;
        if (int r = socket_of(fd0, host); r != 0)
            return r;
        uint32_t cap = 0;
        if (!m_mem->read(a[4], cap))
            return -EFAULT;
        uint8_t buf[256] = {};
        socklen_t len = std::min<uint32_t>(cap, sizeof buf);
        if (::getsockopt(host, static_cast<int>(a[1]), static_cast<int>(a[2]), buf, &len) != 0)
            return -errno;
        // SO_PEERCRED of a socketpair names this host process: the guest knows itself by m_pid.
        if (static_cast<int>(a[1]) == SOL_SOCKET && static_cast<int>(a[2]) == SO_PEERCRED && len >= 4 &&
            load_le<int32_t>(buf) == ::getpid())
            store_le<int32_t>(buf, m_pid);
        uint8_t* p = m_mem->writable(a[3], len);
        if (!p)
            return -EFAULT;
        std::memcpy(p, buf, len);
        return m_mem->write(a[4], static_cast<uint32_t>(len)) ? 0 : -EFAULT;
    }
    case nr::shutdown: {
        int host = -1;
        if (int r = socket_of(fd0, host); r != 0)
            return r;
        return host_result(::shutdown(host, static_cast<int>(a[1])));
    }
    default:
        handled = false;
        return -ENOSYS;
    }
}

}  // namespace vireo::sandbox
