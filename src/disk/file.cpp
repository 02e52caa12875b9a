#include "disk/file.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/fs.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace vireo::disk {

Result<File> File::open(const std::string& path, Access access, std::string label, std::span<const FileId> chain)
{
    const bool read_only = access == Access::ReadOnly;
    // O_NONBLOCK: a FIFO named as an image (or as a backing file inside a hostile image) must
    // not block the open; anything but a regular file or block device is refused just below.
    int fd = ::open(path.c_str(), (read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0)
        return Error::from_errno(label);
    auto fail = [&](Error error) {
        ::close(fd);
        return error;
    };
    struct stat st {};
    if (::fstat(fd, &st) != 0)
        return fail(Error::from_errno(label));
    if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
        return fail(Error::message(label + ": not a regular file or block device"));
    const FileId id{static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)};
    for (const FileId& above : chain) {
        if (above == id)
            return fail(Error::message(label + ": already in this image's backing chain (a loop)"));
    }
    // Back to blocking I/O for the image itself.
    int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0 || ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0)
        return fail(Error::from_errno(label + ": fcntl"));
    if (::flock(fd, (read_only ? LOCK_SH : LOCK_EX) | LOCK_NB) != 0) {
        if (errno == EWOULDBLOCK)
            return fail(Error::message(label + ": in use by another process"));
        return fail(Error::from_errno(label + ": locking"));
    }
    uint64_t size = static_cast<uint64_t>(st.st_size);
    if (S_ISBLK(st.st_mode)) {
        uint64_t bytes = 0;
        // SAFETY: BLKGETSIZE64 writes one uint64_t through the pointer.
        if (::ioctl(fd, BLKGETSIZE64, &bytes) != 0)
            return fail(Error::from_errno(label + ": finding its size"));
        size = bytes;
    }
    return File(fd, path, std::move(label), access, size, id);
}

File::File(File&& other) noexcept
    : m_fd(std::exchange(other.m_fd, -1)), m_path(std::move(other.m_path)), m_label(std::move(other.m_label)),
      m_access(other.m_access), m_size(other.m_size), m_id(other.m_id)
{
}

File& File::operator=(File&& other) noexcept
{
    if (this != &other) {
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = std::exchange(other.m_fd, -1);
        m_path = std::move(other.m_path);
        m_label = std::move(other.m_label);
        m_access = other.m_access;
        m_size = other.m_size;
        m_id = other.m_id;
    }
    return *this;
}

File::~File()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

Error File::errno_error(const std::string& text, int code) const
{
    return Error::from_errno(m_label + ": " + text, code);
}

namespace {
// pread/pwrite take an off_t: offsets at or beyond 2^63 cannot be addressed.
constexpr uint64_t kMaxOffset = uint64_t{1} << 62;
}  // namespace

Result<size_t> File::read_at(uint64_t offset, std::span<uint8_t> out) const
{
    size_t done = 0;
    while (done < out.size()) {
        if (offset > kMaxOffset)
            return errno_error("read", EINVAL);
        ssize_t n = ::pread(m_fd, out.data() + done, out.size() - done, static_cast<off_t>(offset));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return errno_error("read at " + std::to_string(offset), errno);
        if (n == 0)
            break;
        done += static_cast<size_t>(n);
        offset += static_cast<uint64_t>(n);
    }
    return done;
}

Result<void> File::read_exact(uint64_t offset, std::span<uint8_t> out, const char* what) const
{
    size_t n = TRY(read_at(offset, out));
    if (n != out.size())
        return error(std::string(what) + " at offset " + std::to_string(offset) + " is beyond the end of the file (truncated image?)");
    return {};
}

Result<void> File::write_at(uint64_t offset, std::span<const uint8_t> in)
{
    size_t done = 0;
    while (done < in.size()) {
        if (offset > kMaxOffset)
            return errno_error("write", EFBIG);
        ssize_t n = ::pwrite(m_fd, in.data() + done, in.size() - done, static_cast<off_t>(offset));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return errno_error("write at " + std::to_string(offset), errno);
        if (n == 0)
            return errno_error("write at " + std::to_string(offset), EIO);
        done += static_cast<size_t>(n);
        offset += static_cast<uint64_t>(n);
    }
    if (offset > m_size)
        m_size = offset;
    return {};
}

Result<void> File::sync()
{
    if (::fsync(m_fd) != 0)
        return errno_error("fsync", errno);
    return {};
}

}  // namespace vireo::disk
