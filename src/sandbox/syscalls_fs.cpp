// File system calls: every path goes through FileSystem::walk (vfs.hpp), every descriptor through
// the guest's FdTable, every buffer through AddressSpace's checks. The walk's (directory, name)
// pair is what the host call acts on, never a path string.
//
// Policy, beyond what the walls already give:
//  - A read-only root (the sysroot) refuses every change with EROFS, including through descriptors
//    (fchmod, futimens, ftruncate): Vireo runs as whoever started it, possibly root.
//  - No set-user-ID or set-group-ID bit is ever set (open/mkdir/chmod modes are masked), and
//    chown is refused: files the guest creates inside the root must not become a way to gain
//    privileges on the host.
//  - memfd_create is refused: its memory would live outside the guest's limit.
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>

#include "base/bytes.hpp"
#include "sandbox/guest_time.hpp"
#include "sandbox/process.hpp"
#include "sandbox/syscall_numbers.hpp"

namespace vireo::sandbox {

namespace {

// The guest's open flags are asm-generic's, as are x86-64's: the host's constants are the guest's.
static_assert(O_DIRECTORY == 0200000 && O_NOFOLLOW == 0400000 && O_CLOEXEC == 02000000 && O_PATH == 010000000);
static_assert(AT_SYMLINK_NOFOLLOW == 0x100 && AT_EMPTY_PATH == 0x1000 && AT_REMOVEDIR == 0x200);

constexpr int kKnownOpenFlags = O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND | O_NONBLOCK |
                                O_DSYNC | O_DIRECT | O_LARGEFILE | O_DIRECTORY | O_NOFOLLOW | O_NOATIME |
                                O_CLOEXEC | O_SYNC | O_PATH | O_TMPFILE | FASYNC;
// Permission bits a guest may set: rwx for all and the sticky bit; never S_ISUID/S_ISGID.
constexpr mode_t kModeMask = 01777;

int64_t host_result(int64_t r) { return r < 0 ? -errno : r; }

// struct stat as riscv64's asm-generic layout (128 bytes).
void store_stat(uint8_t* p, const struct stat& st)
{
    std::memset(p, 0, 128);
    store_le<uint64_t>(p + 0, st.st_dev);
    store_le<uint64_t>(p + 8, st.st_ino);
    store_le<uint32_t>(p + 16, st.st_mode);
    store_le<uint32_t>(p + 20, static_cast<uint32_t>(st.st_nlink));
    store_le<uint32_t>(p + 24, st.st_uid);
    store_le<uint32_t>(p + 28, st.st_gid);
    store_le<uint64_t>(p + 32, st.st_rdev);
    store_le<int64_t>(p + 48, st.st_size);
    store_le<int32_t>(p + 56, static_cast<int32_t>(st.st_blksize));
    store_le<int64_t>(p + 64, st.st_blocks);
    store_le<int64_t>(p + 72, st.st_atim.tv_sec);
    store_le<uint64_t>(p + 80, static_cast<uint64_t>(st.st_atim.tv_nsec));
    store_le<int64_t>(p + 88, st.st_mtim.tv_sec);
    store_le<uint64_t>(p + 96, static_cast<uint64_t>(st.st_mtim.tv_nsec));
    store_le<int64_t>(p + 104, st.st_ctim.tv_sec);
    store_le<uint64_t>(p + 112, static_cast<uint64_t>(st.st_ctim.tv_nsec));
}

const char* device_path(VirtualDevice d)
{
    switch (d) {
    case VirtualDevice::Null: return "/dev/null";
    case VirtualDevice::Zero: return "/dev/zero";
    case VirtualDevice::Full: return "/dev/full";
    case VirtualDevice::Random: return "/dev/random";
    case VirtualDevice::Urandom: return "/dev/urandom";
    case VirtualDevice::None:
    case VirtualDevice::Proc: break;
    }
    return "/dev/null";
}

OpenFile::Kind kind_of(int host_fd)
{
    struct stat st {};
    if (::fstat(host_fd, &st) != 0)
        return OpenFile::Kind::File;
    if (S_ISDIR(st.st_mode)) return OpenFile::Kind::Directory;
    if (S_ISFIFO(st.st_mode)) return OpenFile::Kind::Pipe;
    if (S_ISSOCK(st.st_mode)) return OpenFile::Kind::Socket;
    if (S_ISCHR(st.st_mode)) return OpenFile::Kind::Device;
    return OpenFile::Kind::File;
}

bool is_stream(const OpenFile& f)
{
    return f.kind == OpenFile::Kind::Pipe || f.kind == OpenFile::Kind::Socket || f.kind == OpenFile::Kind::Stdio ||
           f.kind == OpenFile::Kind::Device || f.kind == OpenFile::Kind::EventFd;
}

}  // namespace

int64_t Process::syscall_fs(uint64_t nr, const uint64_t* a, bool& handled)
{
    handled = true;
    using Follow = FileSystem::Follow;
    using Walk = FileSystem::Walk;
    const auto fd0 = static_cast<int>(a[0]);
    

    // Opens what a walk found, with `flags`; the object's own descriptor for a directory path.
    auto reopen = [](const Walk& w, int flags, mode_t mode = 0) -> int {
        if (w.name.empty())
            return ::openat(w.object.get(), ".", flags, mode);
        return ::openat(w.parent.get(), w.name.c_str(), flags | O_NOFOLLOW, mode);
    };
    switch (nr) {
    case nr::openat: {
        int flags = static_cast<int>(a[2]) & kKnownOpenFlags;
        const auto mode = static_cast<mode_t>(a[3]) & kModeMask & ~static_cast<mode_t>(m_umask);
        const bool creates = (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE;
        const bool writes = (flags & O_ACCMODE) != O_RDONLY || creates || (flags & O_TRUNC);
        Follow follow = (flags & O_NOFOLLOW) || ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL)) ? Follow::No : Follow::Yes;
        Walk w;
        if (int r = walk_at(static_cast<int64_t>(a[0]), a[1], follow, w); r != 0)
            return r;
        if (w.device == VirtualDevice::Proc)
            return open_proc(w.path, flags);
        int host = -1;
        OpenFile::Kind kind = OpenFile::Kind::File;
        if (w.device != VirtualDevice::None) {
            host = FileSystem::open_device(w.device, flags);
            if (host < 0)
                return host;
            kind = OpenFile::Kind::Device;
        } else {
            if (w.read_only && writes)
                return -EROFS;
            const int host_flags = (flags & ~O_NOFOLLOW) | O_CLOEXEC | O_NOCTTY;
            if ((flags & O_TMPFILE) == O_TMPFILE) {
                if (!w.exists())
                    return -ENOENT;
                host = ::openat(w.object.get(), ".", host_flags, mode);
            } else if (w.exists()) {
                if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
                    return -EEXIST;
                struct stat st {};
                if (::fstat(w.object.get(), &st) != 0)
                    return -errno;
                if (S_ISLNK(st.st_mode)) {
                    if (!(flags & O_PATH))
                        return -ELOOP;
                    host = ::fcntl(w.object.get(), F_DUPFD_CLOEXEC, 3);   // O_PATH|O_NOFOLLOW: the link itself
                } else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
                    return -EACCES;   // no host device nodes, whatever the root holds
                } else if (S_ISSOCK(st.st_mode) && !(flags & O_PATH)) {
                    return -ENXIO;
                } else {
                    if (S_ISDIR(st.st_mode) && (flags & O_ACCMODE) != O_RDONLY)
                        return -EISDIR;
                    host = reopen(w, host_flags & ~(O_CREAT | O_EXCL));
                }
            } else {
                if (!(flags & O_CREAT))
                    return -ENOENT;
                if (w.name.empty())
                    return -EISDIR;
                host = ::openat(w.parent.get(), w.name.c_str(), host_flags | O_NOFOLLOW, mode);
            }
            if (host < 0)
                return -errno;
            kind = kind_of(host);
        }
        auto file = std::make_shared<OpenFile>(kind, host, true, w.path);
        file->read_only_fs = w.read_only && kind != OpenFile::Kind::Device;
        return m_fds.add(std::move(file), flags & O_CLOEXEC);
    }
    case nr::close:
        return m_fds.close(fd0);
    case nr::close_range: {
        const uint64_t last = std::min<uint64_t>(a[1], static_cast<uint64_t>(FdTable::kMax));
        if (a[0] > a[1])
            return -EINVAL;
        for (uint64_t fd = a[0]; fd < last + 1 && fd < static_cast<uint64_t>(FdTable::kMax); ++fd) {
            if (a[2] & 4)   // CLOSE_RANGE_CLOEXEC
                m_fds.set_cloexec(static_cast<int>(fd), true);
            else
                (void)m_fds.close(static_cast<int>(fd));
        }
        return 0;
    }
    case nr::read:
    case nr::pread64:
    case nr::readv:
    case nr::preadv:
    case nr::write:
    case nr::pwrite64:
    case nr::writev:
    case nr::pwritev: {
        auto file = m_fds.share(fd0);
        if (!file)
            return -EBADF;
        const bool reading = nr == nr::read || nr == nr::pread64 || nr == nr::readv || nr == nr::preadv;
        const bool vectored = nr == nr::readv || nr == nr::preadv || nr == nr::writev || nr == nr::pwritev;
        const bool positioned = nr == nr::pread64 || nr == nr::preadv || nr == nr::pwrite64 || nr == nr::pwritev;
        if (reading && file->kind == OpenFile::Kind::Directory)
            return -EISDIR;
        const auto access = reading ? riscv::Access::Write : riscv::Access::Read;
        StreamCall call;
        if (vectored) {
            if (int r = read_iovec(a[1], a[2], access, call.iov); r != 0)
                return r;
        } else {
            const uint64_t count = std::min(a[2], kMaxRw);
            uint8_t* p = m_mem->access(a[1], count, access);
            if (!p)
                return -EFAULT;
            call.iov.push_back({p, count});
        }
        const int fd = file->host_fd;
        const int cnt = static_cast<int>(call.iov.size());
        const auto offset = static_cast<off_t>(a[3]);
        if (positioned && reading)
            return host_result(::preadv(fd, call.iov.data(), cnt, offset));
        if (positioned)
            return raise_sigpipe(host_result(::pwritev(fd, call.iov.data(), cnt, offset)));
        if (is_stream(*file)) {
            const int64_t r = stream_io(current(), file, reading ? Direction::In : Direction::Out, call);
            return reading ? r : raise_sigpipe(r);
        }
        if (reading)
            return host_result(::readv(fd, call.iov.data(), cnt));
        return raise_sigpipe(host_result(::writev(fd, call.iov.data(), cnt)));
    }
    case nr::lseek: {
        OpenFile* f = m_fds.get(fd0);
        if (!f)
            return -EBADF;
        if (f->synthetic && f->kind == OpenFile::Kind::Directory) {
            // A /proc directory's offset counts entries (rewinddir, seekdir).
            const auto offset = static_cast<int64_t>(a[1]);
            if (a[2] == SEEK_CUR && offset == 0)
                return static_cast<int64_t>(f->entry_pos);
            if (a[2] != SEEK_SET || offset < 0)
                return -EINVAL;
            f->entry_pos = static_cast<size_t>(std::min<int64_t>(offset, FdTable::kMax + 2));
            return offset;
        }
        return host_result(::lseek(f->host_fd, static_cast<off_t>(a[1]), static_cast<int>(a[2])));
    }
    case nr::getdents64: {
        OpenFile* f = m_fds.get(fd0);
        if (!f)
            return -EBADF;
        if (f->kind != OpenFile::Kind::Directory)
            return -ENOTDIR;
        const uint64_t count = std::min<uint64_t>(a[2], 1u << 20);
        uint8_t* p = m_mem->writable(a[1], count);
        if (!p)
            return -EFAULT;
        if (f->synthetic)
            return read_proc_dir(*f, p, count);
        // struct linux_dirent64 is the same on every architecture.
        return host_result(::syscall(SYS_getdents64, f->host_fd, p, count));
    }
    case nr::newfstatat:
    case nr::fstat:
    case nr::statx: {
        // The object to stat: an fd's file, what a walk found, or a node of Vireo's /proc.
        struct stat st {};
        Walk w;
        uint64_t out_addr = nr == nr::fstat ? a[1] : nr == nr::statx ? a[4] : a[2];
        const int flags = static_cast<int>(nr == nr::fstat ? 0 : nr == nr::statx ? a[2] : a[3]);
        int err = 0;
        std::optional<std::string> path;
        if (nr != nr::fstat) {
            path = m_mem->read_string(a[1], 4096, err);
            if (!path)
                return err;
        }
        int host = -1;              // a host object: the host's stat and statx describe it
        bool described = false;     // else `st` already holds what /proc says
        if (nr == nr::fstat || (path->empty() && (flags & AT_EMPTY_PATH))) {
            if (nr != nr::fstat && static_cast<int32_t>(a[0]) == AT_FDCWD) {
                if (int r = m_fs->walk("/", m_cwd, Follow::Yes, w); r != 0)
                    return r;
                host = w.object.get();
            } else {
                OpenFile* f = m_fds.get(fd0);
                if (!f)
                    return -EBADF;
                host = f->host_fd;
                if (f->synthetic) {
                    if (int r = stat_open_file(*f, st); r != 0)
                        return r;
                    described = true;
                }
            }
        } else {
            const Follow follow = (flags & AT_SYMLINK_NOFOLLOW) ? Follow::No : Follow::Yes;
            if (int r = walk_at(static_cast<int64_t>(a[0]), a[1], follow, w); r != 0)
                return r;
            if (w.device == VirtualDevice::Proc) {
                if (int r = stat_proc(w.path, follow == Follow::Yes, st); r != 0)
                    return r;
                described = true;
            } else {
                if (w.device != VirtualDevice::None) {
                    w.object = Fd(::open(device_path(w.device), O_PATH | O_CLOEXEC));
                    if (!w.object.valid())
                        return -errno;
                }
                if (!w.object.valid())
                    return -ENOENT;
                host = w.object.get();
            }
        }
        if (nr == nr::statx && !described) {
            struct statx stx {};
            const int sync = flags & AT_STATX_SYNC_TYPE;
            if (::statx(host, "", AT_EMPTY_PATH | sync, static_cast<unsigned>(a[3]), &stx) != 0)
                return -errno;
            return m_mem->write(out_addr, stx) ? 0 : -EFAULT;
        }
        if (!described && ::fstat(host, &st) != 0)
            return -errno;
        if (nr == nr::statx) {
            // A /proc node: struct statx (the same on every architecture) made from its stat,
            // which holds all of STATX_BASIC_STATS (statx(2)).
            struct statx stx {};
            stx.stx_mask = STATX_BASIC_STATS;
            stx.stx_blksize = static_cast<uint32_t>(st.st_blksize);
            stx.stx_nlink = static_cast<uint32_t>(st.st_nlink);
            stx.stx_uid = st.st_uid;
            stx.stx_gid = st.st_gid;
            stx.stx_mode = static_cast<uint16_t>(st.st_mode);
            stx.stx_ino = st.st_ino;
            stx.stx_size = static_cast<uint64_t>(st.st_size);
            stx.stx_blocks = static_cast<uint64_t>(st.st_blocks);
            auto time = [](const struct timespec& ts) {
                return statx_timestamp{ts.tv_sec, static_cast<uint32_t>(ts.tv_nsec), 0};
            };
            stx.stx_atime = time(st.st_atim);
            stx.stx_mtime = time(st.st_mtim);
            stx.stx_ctime = time(st.st_ctim);
            stx.stx_rdev_major = major(st.st_rdev);
            stx.stx_rdev_minor = minor(st.st_rdev);
            stx.stx_dev_major = major(st.st_dev);
            stx.stx_dev_minor = minor(st.st_dev);
            return m_mem->write(out_addr, stx) ? 0 : -EFAULT;
        }
        uint8_t* p = m_mem->writable(out_addr, 128);
        if (!p)
            return -EFAULT;
        store_stat(p, st);
        return 0;
    }
    case nr::readlinkat: {
        std::string target;
        Walk w;
        if (int r = walk_at(static_cast<int64_t>(a[0]), a[1], Follow::No, w); r != 0)
            return r;
        if (w.device == VirtualDevice::Proc) {
            // /proc's links (self, exe, cwd, root, fd/N). exe names the program, a host file, as
            // if it sat in /: glibc insists on an absolute path (_dl_get_origin).
            ProcNode node = proc_node(w.path, true);
            if (node.type != ProcNode::Type::Link && node.type != ProcNode::Type::ExeLink && node.type != ProcNode::Type::FdLink)
                return -EINVAL;
            target = std::move(node.text);
        } else {
            if (w.device != VirtualDevice::None)
                return -EINVAL;
            if (!w.object.valid())
                return -ENOENT;
            struct stat st {};
            if (::fstat(w.object.get(), &st) != 0)
                return -errno;
            if (!S_ISLNK(st.st_mode))
                return -EINVAL;
            char buf[4096];
            const ssize_t n = ::readlinkat(w.object.get(), "", buf, sizeof buf);
            if (n < 0)
                return -errno;
            target.assign(buf, static_cast<size_t>(n));
        }
        if (static_cast<int64_t>(a[3]) <= 0)
            return -EINVAL;
        const uint64_t n = std::min<uint64_t>(a[3], target.size());
        uint8_t* p = m_mem->writable(a[2], n);
        if (!p)
            return -EFAULT;
        std::memcpy(p, target.data(), n);
        return static_cast<int64_t>(n);
    }
    case nr::faccessat:
    case nr::faccessat2: {
        const int mode = static_cast<int>(a[2]);
        const int flags = nr == nr::faccessat2 ? static_cast<int>(a[3]) : 0;
        Walk w;
        if (int r = walk_at(static_cast<int64_t>(a[0]), a[1], (flags & AT_SYMLINK_NOFOLLOW) ? Follow::No : Follow::Yes, w,
                            (flags & AT_EMPTY_PATH) != 0);
            r != 0)
            return r;
        if (w.device == VirtualDevice::Proc) {
            // Readable by all; directories searchable; nothing writable (procfs's modes).
            const ProcNode node = proc_node(w.path, false);
            if ((mode & W_OK) || ((mode & X_OK) && node.type != ProcNode::Type::Directory))
                return -EACCES;
            return 0;
        }
        if (w.device != VirtualDevice::None)
            return (mode & X_OK) ? -EACCES : 0;
        if (!w.object.valid())
            return -ENOENT;
        if ((mode & W_OK) && w.read_only)
            return -EROFS;
        if (w.name.empty())
            return host_result(::faccessat(w.object.get(), ".", mode, AT_EACCESS));
        return host_result(::faccessat(w.parent.get(), w.name.c_str(), mode, AT_EACCESS | AT_SYMLINK_NOFOLLOW));
    }
    case nr::mkdirat: {
        Walk w;
        if (int r = walk_at(static_cast<int64_t>(a[0]), a[1], Follow::No, w); r != 0)
            return r;
        if (w.exists() || w.name.empty())
            return -EEXIST;
        if (w.read_only)
            return -EROFS;
        const auto mode = static_cast<mode_t>(a[2]) & kModeMask & ~static_cast<mode_t>(m_umask);
        return host_result(::mkdirat(w.parent.get(), w.name.c_str(), mode));
    }
    case nr::unlinkat: {
        Walk w;
        if (int r = walk_at(static_cast<int64_t>(a[0]), a[1], Follow::No, w); r != 0)
            return r;
        if (w.device != VirtualDevice::None)
            return w.read_only ? -EROFS : -EACCES;
        if (!w.exists())
            return -ENOENT;
        if (w.name.empty())
            return (a[2] & AT_REMOVEDIR) ? -EBUSY : -EISDIR;
        if (w.read_only)
            return -EROFS;
        return host_result(::unlinkat(w.parent.get(), w.name.c_str(), static_cast<int>(a[2]) & AT_REMOVEDIR));
    }
    case nr::symlinkat: {
        int err = 0;
        auto target = m_mem->read_string(a[0], 4096, err);
        if (!target)
            return err;
        if (target->empty())
            return -ENOENT;
        Walk w;
        if (int r = walk_at(static_cast<int64_t>(a[1]), a[2], Follow::No, w); r != 0)
            return r;
        if (w.exists() || w.name.empty())
            return -EEXIST;
        if (w.read_only)
            return -EROFS;
        // The target is only text: it is resolved, inside the root, whenever it is followed.
        return host_result(::symlinkat(target->c_str(), w.parent.get(), w.name.c_str()));
    }
    case nr::linkat: {
        const int flags = static_cast<int>(a[4]);
        Walk from, to;
        if (int r = walk_at(static_cast<int64_t>(a[0]), a[1], (flags & AT_SYMLINK_FOLLOW) ? Follow::Yes : Follow::No, from); r != 0)
            return r;
        if (int r = walk_at(static_cast<int64_t>(a[2]), a[3], Follow::No, to); r != 0)
            return r;
        if (from.device != VirtualDevice::None || to.device != VirtualDevice::None)
            return -EXDEV;
        if (!from.exists())
            return -ENOENT;
        if (from.name.empty())
            return -EPERM;
        if (to.exists() || to.name.empty())
            return -EEXIST;
        if (from.read_only || to.read_only)
            return -EROFS;
        return host_result(::linkat(from.parent.get(), from.name.c_str(), to.parent.get(), to.name.c_str(), 0));
    }
    case nr::renameat:
    case nr::renameat2: {
        const unsigned flags = nr == nr::renameat2 ? static_cast<unsigned>(a[4]) : 0;
        if (flags & ~3u)   // RENAME_NOREPLACE | RENAME_EXCHANGE; never RENAME_WHITEOUT
            return -EINVAL;
        Walk from, to;
        if (int r = walk_at(static_cast<int64_t>(a[0]), a[1], Follow::No, from); r != 0)
            return r;
        if (int r = walk_at(static_cast<int64_t>(a[2]), a[3], Follow::No, to); r != 0)
            return r;
        if (from.device != VirtualDevice::None || to.device != VirtualDevice::None)
            return -EXDEV;
        if (!from.exists())
            return -ENOENT;
        if (from.name.empty() || to.name.empty())
            return -EBUSY;
        if (from.read_only || to.read_only)
            return -EROFS;
        return host_result(::syscall(SYS_renameat2, from.parent.get(), from.name.c_str(), to.parent.get(), to.name.c_str(), flags));
    }
    case nr::getcwd: {
        const uint64_t need = m_cwd.size() + 1;
        if (a[1] < need)
            return -ERANGE;
        uint8_t* p = m_mem->writable(a[0], need);
        if (!p)
            return -EFAULT;
        std::memcpy(p, m_cwd.c_str(), need);
        return static_cast<int64_t>(need);
    }
    case nr::chdir: {
        Walk w;
        if (int r = walk_at(-100, a[0], Follow::Yes, w); r != 0)
            return r;
        if (!w.object.valid())
            return w.device != VirtualDevice::None ? -ENOTDIR : -ENOENT;
        struct stat st {};
        if (::fstat(w.object.get(), &st) != 0)
            return -errno;
        if (!S_ISDIR(st.st_mode))
            return -ENOTDIR;
        m_cwd = w.path;
        return 0;
    }
    case nr::fchdir: {
        OpenFile* f = m_fds.get(fd0);
        if (!f)
            return -EBADF;
        if (f->kind != OpenFile::Kind::Directory)
            return -ENOTDIR;
        m_cwd = f->path;
        return 0;
    }
    case nr::ftruncate:
    case nr::fallocate: {
        OpenFile* f = m_fds.get(fd0);
        if (!f)
            return -EBADF;
        if (f->read_only_fs)
            return -EROFS;
        if (nr == nr::ftruncate)
            return host_result(::ftruncate(f->host_fd, static_cast<off_t>(a[1])));
        return host_result(::fallocate(f->host_fd, static_cast<int>(a[1]), static_cast<off_t>(a[2]), static_cast<off_t>(a[3])));
    }
    case nr::truncate: {
        Walk w;
        if (int r = walk_at(-100, a[0], Follow::Yes, w); r != 0)
            return r;
        if (w.device == VirtualDevice::Proc)
            return -EACCES;
        if (w.device != VirtualDevice::None)
            return 0;
        if (!w.object.valid())
            return -ENOENT;
        if (w.read_only)
            return -EROFS;
        Fd fd(reopen(w, O_WRONLY | O_CLOEXEC | O_NOCTTY));
        if (!fd.valid())
            return -errno;
        return host_result(::ftruncate(fd.get(), static_cast<off_t>(a[1])));
    }
    case nr::fsync:
    case nr::fdatasync: {
        OpenFile* f = m_fds.get(fd0);
        if (!f)
            return -EBADF;
        return host_result(nr == nr::fsync ? ::fsync(f->host_fd) : ::fdatasync(f->host_fd));
    }
    case nr::sync:
    case nr::syncfs:
        return 0;
    case nr::fchmod: {
        OpenFile* f = m_fds.get(fd0);
        if (!f)
            return -EBADF;
        if (f->read_only_fs)
            return -EROFS;
        if (f->kind == OpenFile::Kind::Stdio)
            return -EPERM;
        return host_result(::fchmod(f->host_fd, static_cast<mode_t>(a[1]) & kModeMask));
    }
    case nr::fchmodat: {
        Walk w;
        if (int r = walk_at(static_cast<int64_t>(a[0]), a[1], Follow::Yes, w); r != 0)
            return r;
        if (w.device != VirtualDevice::None)
            return -EPERM;
        if (!w.object.valid())
            return -ENOENT;
        if (w.read_only)
            return -EROFS;
        if (w.name.empty())
            return host_result(::fchmodat(w.object.get(), ".", static_cast<mode_t>(a[2]) & kModeMask, 0));
        return host_result(::fchmodat(w.parent.get(), w.name.c_str(), static_cast<mode_t>(a[2]) & kModeMask, 0));
    }
    case nr::fchown:
    case nr::fchownat:
        return -EPERM;
    case nr::utimensat: {
        const uint8_t* times = nullptr;
        if (a[2] && !(times = m_mem->readable(a[2], 32)))
            return -EFAULT;
        struct timespec ts[2];
        if (times)
            std::memcpy(ts, times, sizeof ts);
        if (a[1] == 0) {   // futimens(fd, times)
            OpenFile* f = m_fds.get(fd0);
            if (!f)
                return -EBADF;
            if (f->read_only_fs)
                return -EROFS;
            if (f->kind == OpenFile::Kind::Stdio)
                return -EPERM;
            return host_result(::futimens(f->host_fd, times ? ts : nullptr));
        }
        Walk w;
        if (int r = walk_at(static_cast<int64_t>(a[0]), a[1], (a[3] & AT_SYMLINK_NOFOLLOW) ? Follow::No : Follow::Yes, w); r != 0)
            return r;
        if (w.device != VirtualDevice::None)
            return -EPERM;
        if (!w.object.valid())
            return -ENOENT;
        if (w.read_only)
            return -EROFS;
        if (w.name.empty())
            return host_result(::utimensat(w.object.get(), ".", times ? ts : nullptr, 0));
        return host_result(::utimensat(w.parent.get(), w.name.c_str(), times ? ts : nullptr, AT_SYMLINK_NOFOLLOW));
    }
    case nr::statfs:
    case nr::fstatfs: {
        struct statfs sfs {};
        bool read_only = false;
        if (nr == nr::fstatfs) {
            OpenFile* f = m_fds.get(fd0);
            if (!f)
                return -EBADF;
            if (::fstatfs(f->host_fd, &sfs) != 0)
                return -errno;
            read_only = f->read_only_fs;
        } else {
            Walk w;
            if (int r = walk_at(-100, a[0], Follow::Yes, w); r != 0)
                return r;
            if (!w.object.valid())
                return -ENOENT;
            if (::fstatfs(w.object.get(), &sfs) != 0)
                return -errno;
            read_only = w.read_only;
        }
        if (read_only)
            sfs.f_flags |= ST_RDONLY;
        // struct statfs is the same 120 bytes on x86-64 and riscv64 (asm-generic, 64-bit words).
        static_assert(sizeof(struct statfs) == 120);
        return m_mem->write(a[1], sfs) ? 0 : -EFAULT;
    }
    case nr::dup: {
        auto f = m_fds.share(fd0);
        if (!f)
            return -EBADF;
        return m_fds.add(std::move(f), false);
    }
    case nr::dup3: {
        const auto newfd = static_cast<int>(a[1]);
        if ((a[2] & ~static_cast<uint64_t>(O_CLOEXEC)) != 0 || fd0 == newfd)
            return -EINVAL;
        auto f = m_fds.share(fd0);
        if (!f)
            return -EBADF;
        return m_fds.put(newfd, std::move(f), (a[2] & O_CLOEXEC) != 0);
    }
    case nr::fcntl: {
        OpenFile* f = m_fds.get(fd0);
        if (!f)
            return -EBADF;
        const auto cmd = static_cast<int>(a[1]);
        switch (cmd) {
        case F_DUPFD:
        case F_DUPFD_CLOEXEC:
            return m_fds.add(m_fds.share(fd0), cmd == F_DUPFD_CLOEXEC, static_cast<int>(a[2]));
        case F_GETFD:
            return m_fds.cloexec(fd0) ? FD_CLOEXEC : 0;
        case F_SETFD:
            m_fds.set_cloexec(fd0, (a[2] & FD_CLOEXEC) != 0);
            return 0;
        case F_GETFL: {
            const int r = ::fcntl(f->host_fd, F_GETFL);
            return r < 0 ? -errno : (r & ~O_CLOEXEC);
        }
        case F_SETFL:
            return host_result(::fcntl(f->host_fd, F_SETFL, static_cast<int>(a[2]) & (O_APPEND | O_NONBLOCK | O_NOATIME | O_DIRECT | FASYNC)));
        case F_GETLK:
        case F_SETLK:
        case F_SETLKW:
        case F_OFD_GETLK:
        case F_OFD_SETLK:
        case F_OFD_SETLKW: {
            // struct flock is the same 32 bytes on both sides.
            struct flock lock {};
            static_assert(sizeof lock == 32);
            if (!m_mem->read(a[2], lock))
                return -EFAULT;
            if (::fcntl(f->host_fd, cmd, &lock) != 0)
                return -errno;
            if (cmd == F_GETLK || cmd == F_OFD_GETLK) {
                if (lock.l_type != F_UNLCK)
                    lock.l_pid = m_pid;   // never a host pid
                if (!m_mem->write(a[2], lock))
                    return -EFAULT;
            }
            return 0;
        }
        case F_GETPIPE_SZ:
        case F_SETPIPE_SZ:
            return host_result(::fcntl(f->host_fd, cmd, static_cast<int>(a[2])));
        default:
            return -EINVAL;
        }
    }
    case nr::ioctl: {
        OpenFile* f = m_fds.get(fd0);
        if (!f)
            return -EBADF;
        const auto req = static_cast<unsigned long>(a[1]);
        switch (req) {
        case TCGETS:
        case TIOCGWINSZ:
        case TIOCGPGRP: {
            // struct termios (36 bytes, NCCS 19) and struct winsize are asm-generic's on both sides.
            if (!::isatty(f->host_fd))
                return -ENOTTY;
            uint8_t buf[64] = {};
            if (::ioctl(f->host_fd, req, buf) != 0)
                return -errno;
            const size_t size = req == TCGETS ? 36 : req == TIOCGWINSZ ? 8 : 4;
            if (req == TIOCGPGRP)
                store_le<int32_t>(buf, m_pid);
            uint8_t* p = m_mem->writable(a[2], size);
            if (!p)
                return -EFAULT;
            std::memcpy(p, buf, size);
            return 0;
        }
        case TCSETS:
        case TCSETSW:
        case TCSETSF: {
            if (!::isatty(f->host_fd))
                return -ENOTTY;
            const uint8_t* p = m_mem->readable(a[2], 36);
            if (!p)
                return -EFAULT;
            if (!m_termios_saved && ::ioctl(0, TCGETS, m_saved_termios.data()) == 0)
                m_termios_saved = true;
            uint8_t buf[64] = {};
            std::memcpy(buf, p, 36);
            return host_result(::ioctl(f->host_fd, req, buf));
        }
        case TIOCSPGRP:
            return ::isatty(f->host_fd) ? 0 : -ENOTTY;
        case FIONREAD: {
            int n = 0;
            if (::ioctl(f->host_fd, FIONREAD, &n) != 0)
                return -errno;
            return m_mem->write(a[2], n) ? 0 : -EFAULT;
        }
        case FIONBIO: {
            int on = 0;
            if (!m_mem->read(a[2], on))
                return -EFAULT;
            const int fl = ::fcntl(f->host_fd, F_GETFL);
            return host_result(::fcntl(f->host_fd, F_SETFL, on ? (fl | O_NONBLOCK) : (fl & ~O_NONBLOCK)));
        }
        case FIOCLEX:
        case FIONCLEX:
            m_fds.set_cloexec(fd0, req == FIOCLEX);
            return 0;
        default:
            return -ENOTTY;
        }
    }
    case nr::pipe2: {
        const int flags = static_cast<int>(a[1]);
        if (flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT))
            return -EINVAL;
        int p[2];
        if (::pipe2(p, (flags & ~O_CLOEXEC) | O_CLOEXEC) != 0)
            return -errno;
        auto r = std::make_shared<OpenFile>(OpenFile::Kind::Pipe, p[0], true, std::string());
        auto w = std::make_shared<OpenFile>(OpenFile::Kind::Pipe, p[1], true, std::string());
        const int rfd = m_fds.add(std::move(r), flags & O_CLOEXEC);
        if (rfd < 0)
            return rfd;
        const int wfd = m_fds.add(std::move(w), flags & O_CLOEXEC);
        if (wfd < 0) {
            (void)m_fds.close(rfd);
            return wfd;
        }
        const int32_t both[2] = {rfd, wfd};
        if (!m_mem->write(a[0], both)) {
            (void)m_fds.close(rfd);
            (void)m_fds.close(wfd);
            return -EFAULT;
        }
        return 0;
    }
    case nr::flock: {
        OpenFile* f = m_fds.get(fd0);
        if (!f)
            return -EBADF;
        return host_result(::flock(f->host_fd, static_cast<int>(a[1])));
    }
    case nr::sendfile: {
        OpenFile* out = m_fds.get(fd0);
        OpenFile* in = m_fds.get(static_cast<int>(a[1]));
        if (!out || !in)
            return -EBADF;
        off_t offset = 0;
        if (a[2] && !m_mem->read(a[2], offset))
            return -EFAULT;
        const ssize_t n = ::sendfile(out->host_fd, in->host_fd, a[2] ? &offset : nullptr, std::min(a[3], kMaxRw));
        if (n < 0)
            return raise_sigpipe(-errno);
        if (a[2] && !m_mem->write(a[2], offset))
            return -EFAULT;
        return n;
    }
    case nr::readahead:
    case nr::fadvise64:
        return m_fds.get(fd0) ? 0 : -EBADF;
    case nr::memfd_create:
    case nr::mknodat:
        return nr == nr::mknodat ? -EPERM : -ENOSYS;
    case nr::mount:
    case nr::umount2:
    case nr::pivot_root:
    case nr::chroot:
        return -EPERM;
    default:
        handled = false;
        return -ENOSYS;
    }
}

}  // namespace vireo::sandbox
