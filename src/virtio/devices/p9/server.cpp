#include "virtio/devices/p9/server.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <string_view>

namespace vireo::virtio::p9 {

namespace {

// 9P2000.L open flags (include/net/9p/9p.h P9_DOTL_*), which the client sends whatever its
// architecture; mapped to the host's own explicitly.
constexpr uint32_t P9_DOTL_ACCMODE = 03;
constexpr uint32_t P9_DOTL_CREATE = 0100;
constexpr uint32_t P9_DOTL_EXCL = 0200;
constexpr uint32_t P9_DOTL_TRUNC = 01000;
constexpr uint32_t P9_DOTL_APPEND = 02000;
constexpr uint32_t P9_DOTL_DSYNC = 010000;
constexpr uint32_t P9_DOTL_DIRECTORY = 0200000;
constexpr uint32_t P9_DOTL_SYNC = 04000000;
constexpr uint32_t P9_DOTL_AT_REMOVEDIR = 0x200;

// Tsetattr valid bits.
constexpr uint32_t P9_ATTR_MODE = 1u << 0;
constexpr uint32_t P9_ATTR_UID = 1u << 1;
constexpr uint32_t P9_ATTR_GID = 1u << 2;
constexpr uint32_t P9_ATTR_SIZE = 1u << 3;
constexpr uint32_t P9_ATTR_ATIME = 1u << 4;
constexpr uint32_t P9_ATTR_MTIME = 1u << 5;
constexpr uint32_t P9_ATTR_ATIME_SET = 1u << 7;
constexpr uint32_t P9_ATTR_MTIME_SET = 1u << 8;

constexpr uint64_t P9_GETATTR_BASIC = 0x000007ff;
constexpr uint8_t P9_LOCK_SUCCESS = 0;
constexpr uint8_t P9_LOCK_TYPE_UNLCK = 2;

// A file name the guest may use as one path component.
bool valid_name(std::string_view name)
{
    return !name.empty() && name.size() <= NAME_MAX && name != "." && name != ".." &&
           name.find('/') == std::string_view::npos && name.find('\0') == std::string_view::npos;
}

std::string join(const std::string& dir, std::string_view name)
{
    return dir.empty() ? std::string(name) : dir + "/" + std::string(name);
}

std::string parent_of(const std::string& path)
{
    const auto slash = path.rfind('/');
    return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

// Closes a descriptor when the scope ends.
class ScopedFd {
public:
    explicit ScopedFd(int fd) : m_fd(fd) {}
    ~ScopedFd()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    ScopedFd(const ScopedFd&) = delete;
    ScopedFd& operator=(const ScopedFd&) = delete;
    int get() const { return m_fd; }
    int release() { return std::exchange(m_fd, -1); }

private:
    int m_fd;
};

std::string proc_fd(int fd)
{
    char path[40];
    std::snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    return path;
}

int host_open_flags(uint32_t flags)
{
    int host = 0;
    switch (flags & P9_DOTL_ACCMODE) {
    case 0: host = O_RDONLY; break;
    case 1: host = O_WRONLY; break;
    case 2: host = O_RDWR; break;
    default: return -EINVAL;
    }
    if (flags & P9_DOTL_TRUNC)
        host |= O_TRUNC;
    if (flags & P9_DOTL_APPEND)
        host |= O_APPEND;
    if (flags & P9_DOTL_DSYNC)
        host |= O_DSYNC;
    if (flags & P9_DOTL_SYNC)
        host |= O_SYNC;
    if (flags & P9_DOTL_DIRECTORY)
        host |= O_DIRECTORY;
    // O_DIRECT, O_NOATIME, FASYNC, O_NONBLOCK, O_NOCTTY: not the host's business.
    return host | O_CLOEXEC;
}

}  // namespace

// ---- Set-up ------------------------------------------------------------------------------------

Result<std::unique_ptr<Server>> Server::create(const std::string& host_dir)
{
    int fd = ::open(host_dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return Error::from_errno("shared folder " + host_dir);
    return std::unique_ptr<Server>(new Server(fd));
}

Server::Server(int root_fd) : m_root(root_fd)
{
    struct stat st {};
    if (::fstat(m_root, &st) == 0)
        m_root_device = st.st_dev;
}

Server::~Server()
{
    reset();
    ::close(m_root);
}

void Server::reset()
{
    for (auto& [id, fid] : m_fids)
        close_fid(fid);
    m_fids.clear();
    m_open_fids = 0;
}

// ---- Host access beneath the root --------------------------------------------------------------

// The directory holding `path`'s last component, walked one real directory at a time.
int Server::open_parent(const std::string& path, std::string& name) const
{
    if (path.empty())
        return -EINVAL;  // the root has no parent here
    const auto slash = path.rfind('/');
    name = slash == std::string::npos ? path : path.substr(slash + 1);
    int current = ::fcntl(m_root, F_DUPFD_CLOEXEC, 0);
    if (current < 0)
        return -errno;
    if (slash == std::string::npos)
        return current;
    std::string_view rest(path.data(), slash);
    while (!rest.empty()) {
        const auto next_slash = rest.find('/');
        const std::string component(rest.substr(0, next_slash));
        rest = next_slash == std::string_view::npos ? std::string_view() : rest.substr(next_slash + 1);
        // O_NOFOLLOW | O_DIRECTORY: a symlink (or anything but a directory) here fails.
        int next = ::openat(current, component.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        const int saved = errno;
        ::close(current);
        if (next < 0)
            return -saved;
        current = next;
    }
    return current;
}

int Server::open_path(const std::string& path) const
{
    if (path.empty()) {
        int fd = ::fcntl(m_root, F_DUPFD_CLOEXEC, 0);
        return fd < 0 ? -errno : fd;
    }
    std::string name;
    ScopedFd parent(open_parent(path, name));
    if (parent.get() < 0)
        return parent.get();
    int fd = ::openat(parent.get(), name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
    return fd < 0 ? -errno : fd;
}

// Opens the very inode an O_PATH descriptor names, through its /proc magic link: no path is
// looked up again, so nothing can be swapped in between the check and the open.
int Server::reopen(int path_fd, int flags) const
{
    int fd = ::open(proc_fd(path_fd).c_str(), flags | O_CLOEXEC);
    return fd < 0 ? -errno : fd;
}

int Server::stat_path(const std::string& path, struct stat& st) const
{
    ScopedFd fd(open_path(path));
    if (fd.get() < 0)
        return -fd.get();
    return ::fstat(fd.get(), &st) == 0 ? 0 : errno;
}

int Server::stat_fid(const Fid& fid, struct stat& st) const
{
    // An open fid is stat'ed through its descriptor: it may have been unlinked meanwhile.
    if (fid.fd >= 0)
        return ::fstat(fid.fd, &st) == 0 ? 0 : errno;
    return stat_path(fid.path, st);
}

Qid Server::qid_of(const struct stat& st) const
{
    Qid qid;
    qid.type = S_ISDIR(st.st_mode) ? P9_QTDIR : S_ISLNK(st.st_mode) ? P9_QTSYMLINK : P9_QTFILE;
    qid.path = st.st_ino;
    // Inode numbers repeat across file systems: mix in the device for a mount inside the share.
    if (st.st_dev != m_root_device)
        qid.path ^= static_cast<uint64_t>(st.st_dev) * 0x9e3779b97f4a7c15ull;
    return qid;
}

// Opens a regular file or directory for Tlopen (and an existing file for Tlcreate).
int Server::open_file(const std::string& path, uint32_t flags, bool& directory)
{
    const int host_flags = host_open_flags(flags);
    if (host_flags < 0)
        return host_flags;
    ScopedFd path_fd(open_path(path));
    if (path_fd.get() < 0)
        return path_fd.get();
    struct stat st {};
    if (::fstat(path_fd.get(), &st) != 0)
        return -errno;
    if (S_ISLNK(st.st_mode))
        return -ELOOP;
    if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
        return -EPERM;  // FIFOs, sockets and device nodes stay closed (server.hpp)
    directory = S_ISDIR(st.st_mode);
    if (directory && (host_flags & O_ACCMODE) != O_RDONLY)
        return -EISDIR;
    return reopen(path_fd.get(), host_flags);
}

// ---- Fids --------------------------------------------------------------------------------------

Server::Fid* Server::find(uint32_t fid)
{
    auto it = m_fids.find(fid);
    return it == m_fids.end() ? nullptr : &it->second;
}

int Server::add_fid(uint32_t id, Fid value)
{
    if (m_fids.contains(id))
        return EBADF;
    if (m_fids.size() >= kMaxFids)
        return EMFILE;
    m_fids.emplace(id, std::move(value));
    return 0;
}

void Server::close_fid(Fid& fid)
{
    if (fid.fd >= 0) {
        ::close(fid.fd);
        fid.fd = -1;
        --m_open_fids;
    }
}

// After a rename, fids below the old name follow it (as QEMU's v9fs_fix_path does).
void Server::renamed(const std::string& from, const std::string& to)
{
    for (auto& [id, fid] : m_fids) {
        if (fid.path == from)
            fid.path = to;
        else if (fid.path.size() > from.size() && fid.path.compare(0, from.size(), from) == 0 && fid.path[from.size()] == '/')
            fid.path = to + fid.path.substr(from.size());
    }
}

// ---- Messages ----------------------------------------------------------------------------------

std::vector<uint8_t> Server::handle(std::span<const uint8_t> request, uint32_t max_reply)
{
    max_reply = std::min(max_reply, m_msize);
    WireReader in(request);
    const uint32_t size = in.u32();
    const uint8_t type = in.u8();
    const uint16_t tag = in.u16();
    WireWriter out;
    int error = 0;
    if (!in.ok()) {
        error = EPROTO;
    } else if (size < 7 || size > request.size()) {
        error = size > m_msize ? EMSGSIZE : EPROTO;
    } else {
        // Fields beyond the size the message gives are not part of it.
        WireReader body(request.subspan(7, size - 7));
        out.begin(static_cast<uint8_t>(type + 1), tag);
        error = dispatch(type, body, out, max_reply);
    }
    if (error != 0) {
        out.begin(P9_RLERROR, tag);
        out.u32(static_cast<uint32_t>(error));
    }
    if (out.size() > max_reply) {
        out.begin(P9_RLERROR, tag);
        out.u32(static_cast<uint32_t>(EMSGSIZE));
        if (out.size() > max_reply)
            return {};
    }
    return out.finish();
}

int Server::dispatch(uint8_t type, WireReader& in, WireWriter& out, uint32_t max_reply)
{
    switch (type) {
    case P9_TVERSION: return op_version(in, out);
    case P9_TATTACH: return op_attach(in, out);
    case P9_TWALK: return op_walk(in, out);
    case P9_TGETATTR: return op_getattr(in, out);
    case P9_TSETATTR: return op_setattr(in);
    case P9_TLOPEN: return op_lopen(in, out);
    case P9_TLCREATE: return op_lcreate(in, out);
    case P9_TREAD: return op_read(in, out, max_reply);
    case P9_TWRITE: return op_write(in, out);
    case P9_TREADDIR: return op_readdir(in, out, max_reply);
    case P9_TCLUNK: return op_clunk(in);
    case P9_TREMOVE: return op_remove(in);
    case P9_TMKDIR: return op_mkdir(in, out);
    case P9_TSYMLINK: return op_symlink(in, out);
    case P9_TREADLINK: return op_readlink(in, out);
    case P9_TLINK: return op_link(in);
    case P9_TUNLINKAT: return op_unlinkat(in);
    case P9_TRENAMEAT: return op_renameat(in);
    case P9_TRENAME: return op_rename(in);
    case P9_TSTATFS: return op_statfs(in, out);
    case P9_TFSYNC: return op_fsync(in);
    case P9_TLOCK: return op_lock(in, out);
    case P9_TGETLOCK: return op_getlock(in, out);
    case P9_TFLUSH:
        // Every request is answered before the next is read, so there is nothing to cancel.
        in.u16();
        return in.ok() ? 0 : EPROTO;
    case P9_TMKNOD: return EPERM;  // no device nodes, FIFOs or sockets from the guest
    case P9_TAUTH: return EOPNOTSUPP;  // no authentication: attach directly
    case P9_TXATTRWALK:
    case P9_TXATTRCREATE: return EOPNOTSUPP;  // FIXME: extended attributes
    default: return EOPNOTSUPP;
    }
}

int Server::op_version(WireReader& in, WireWriter& out)
{
    const uint32_t msize = in.u32();
    const std::string_view version = in.str();
    if (!in.ok())
        return EPROTO;
    // A Tversion starts a new session: every fid of the old one is gone.
    reset();
    m_msize = std::clamp(msize, kMinMsize, kMaxMsize);
    out.u32(m_msize);
    out.str(version.starts_with("9P2000.L") ? "9P2000.L" : "unknown");
    return 0;
}

int Server::op_attach(WireReader& in, WireWriter& out)
{
    const uint32_t fid = in.u32();
    in.u32();  // afid: no authentication
    in.str();  // uname
    in.str();  // aname: there is one tree per device
    in.u32();  // n_uname
    if (!in.ok())
        return EPROTO;
    struct stat st {};
    if (::fstat(m_root, &st) != 0)
        return errno;
    if (int error = add_fid(fid, Fid{}); error)
        return error;
    out.qid(qid_of(st));
    return 0;
}

int Server::op_walk(WireReader& in, WireWriter& out)
{
    const uint32_t fid = in.u32();
    const uint32_t newfid = in.u32();
    const uint16_t count = in.u16();
    if (!in.ok())
        return EPROTO;
    if (count > kMaxWalkNames)
        return EINVAL;
    std::string_view names[kMaxWalkNames];
    for (uint16_t i = 0; i < count; ++i)
        names[i] = in.str();
    if (!in.ok())
        return EPROTO;
    Fid* from = find(fid);
    if (!from)
        return EBADF;
    if (newfid != fid && m_fids.contains(newfid))
        return EBADF;

    std::string path = from->path;
    std::vector<Qid> qids;
    for (uint16_t i = 0; i < count; ++i) {
        std::string next;
        if (names[i] == "..")
            next = parent_of(path);  // the root is its own parent
        else if (valid_name(names[i]))
            next = join(path, names[i]);
        else {
            if (i == 0)
                return ENOENT;
            break;
        }
        struct stat st {};
        if (int error = stat_path(next, st); error) {
            if (i == 0)
                return error;
            break;  // a partial walk: the qids so far, and newfid is not made
        }
        qids.push_back(qid_of(st));
        path = std::move(next);
    }
    if (qids.size() == count) {
        if (newfid == fid) {
            close_fid(*from);
            from->path = path;
        } else if (int error = add_fid(newfid, Fid{path, -1, false}); error) {
            return error;
        }
    }
    out.u16(static_cast<uint16_t>(qids.size()));
    for (const Qid& q : qids)
        out.qid(q);
    return 0;
}

int Server::op_getattr(WireReader& in, WireWriter& out)
{
    const uint32_t fid = in.u32();
    in.u64();  // request_mask: the basic set is always returned
    if (!in.ok())
        return EPROTO;
    Fid* f = find(fid);
    if (!f)
        return EBADF;
    struct stat st {};
    if (int error = stat_fid(*f, st); error)
        return error;
    out.u64(P9_GETATTR_BASIC);
    out.qid(qid_of(st));
    out.u32(st.st_mode);
    out.u32(st.st_uid);
    out.u32(st.st_gid);
    out.u64(st.st_nlink);
    out.u64(st.st_rdev);
    out.u64(static_cast<uint64_t>(st.st_size));
    out.u64(static_cast<uint64_t>(st.st_blksize));
    out.u64(static_cast<uint64_t>(st.st_blocks));
    out.u64(static_cast<uint64_t>(st.st_atim.tv_sec));
    out.u64(static_cast<uint64_t>(st.st_atim.tv_nsec));
    out.u64(static_cast<uint64_t>(st.st_mtim.tv_sec));
    out.u64(static_cast<uint64_t>(st.st_mtim.tv_nsec));
    out.u64(static_cast<uint64_t>(st.st_ctim.tv_sec));
    out.u64(static_cast<uint64_t>(st.st_ctim.tv_nsec));
    out.u64(0);  // btime
    out.u64(0);
    out.u64(0);  // gen
    out.u64(0);  // data_version
    return 0;
}

int Server::op_setattr(WireReader& in)
{
    const uint32_t fid = in.u32();
    const uint32_t valid = in.u32();
    const uint32_t mode = in.u32();
    const uint32_t uid = in.u32();
    const uint32_t gid = in.u32();
    const uint64_t size = in.u64();
    const uint64_t atime_sec = in.u64();
    const uint64_t atime_nsec = in.u64();
    const uint64_t mtime_sec = in.u64();
    const uint64_t mtime_nsec = in.u64();
    if (!in.ok())
        return EPROTO;
    Fid* f = find(fid);
    if (!f)
        return EBADF;
    ScopedFd target(open_path(f->path));
    int target_fd = target.get();
    if (f->fd >= 0)
        target_fd = f->fd;  // also reaches an unlinked file
    else if (target_fd < 0)
        return -target_fd;
    struct stat st {};
    if (::fstat(target_fd, &st) != 0)
        return errno;

    if ((valid & P9_ATTR_MODE) && !S_ISLNK(st.st_mode)) {  // a link's mode means nothing
        if (::chmod(proc_fd(target_fd).c_str(), mode & 07777) != 0)
            return errno;
    }
    if (valid & (P9_ATTR_UID | P9_ATTR_GID)) {
        const uid_t u = (valid & P9_ATTR_UID) ? uid : static_cast<uid_t>(-1);
        const gid_t g = (valid & P9_ATTR_GID) ? gid : static_cast<gid_t>(-1);
        // AT_EMPTY_PATH: the object itself, a symlink included (lchown semantics).
        if (::fchownat(target_fd, "", u, g, AT_EMPTY_PATH) != 0)
            return errno;
    }
    if (valid & P9_ATTR_SIZE) {
        if (!S_ISREG(st.st_mode))
            return S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
        if (size > static_cast<uint64_t>(INT64_MAX))
            return EFBIG;
        ScopedFd writable(reopen(target_fd, O_WRONLY));
        if (writable.get() < 0)
            return -writable.get();
        if (::ftruncate(writable.get(), static_cast<off_t>(size)) != 0)
            return errno;
    }
    if (valid & (P9_ATTR_ATIME | P9_ATTR_MTIME)) {
        auto time_of = [](bool change, bool set, uint64_t sec, uint64_t nsec) {
            timespec t{};
            if (!change)
                t.tv_nsec = UTIME_OMIT;
            else if (!set)
                t.tv_nsec = UTIME_NOW;
            else {
                t.tv_sec = static_cast<time_t>(sec);
                t.tv_nsec = static_cast<long>(nsec % 1'000'000'000);
            }
            return t;
        };
        const timespec times[2] = {
            time_of(valid & P9_ATTR_ATIME, valid & P9_ATTR_ATIME_SET, atime_sec, atime_nsec),
            time_of(valid & P9_ATTR_MTIME, valid & P9_ATTR_MTIME_SET, mtime_sec, mtime_nsec),
        };
        int r;
        if (S_ISLNK(st.st_mode)) {
            std::string name;
            ScopedFd parent(open_parent(f->path, name));
            if (parent.get() < 0)
                return -parent.get();
            r = ::utimensat(parent.get(), name.c_str(), times, AT_SYMLINK_NOFOLLOW);
        } else {
            r = ::utimensat(AT_FDCWD, proc_fd(target_fd).c_str(), times, 0);
        }
        if (r != 0)
            return errno;
    }
    return 0;
}

int Server::op_lopen(WireReader& in, WireWriter& out)
{
    const uint32_t fid = in.u32();
    const uint32_t flags = in.u32();
    if (!in.ok())
        return EPROTO;
    Fid* f = find(fid);
    if (!f)
        return EBADF;
    if (f->fd >= 0)
        return EBADF;  // already open
    if (m_open_fids >= kMaxOpenFids)
        return EMFILE;
    bool directory = false;
    const int fd = open_file(f->path, flags, directory);
    if (fd < 0)
        return -fd;
    f->fd = fd;
    f->directory = directory;
    ++m_open_fids;
    struct stat st {};
    if (::fstat(fd, &st) != 0)
        return errno;
    out.qid(qid_of(st));
    out.u32(0);  // iounit: the client's choice (msize less the header)
    return 0;
}

int Server::op_lcreate(WireReader& in, WireWriter& out)
{
    const uint32_t fid = in.u32();
    const std::string_view name = in.str();
    const uint32_t flags = in.u32();
    const uint32_t mode = in.u32();
    in.u32();  // gid: files belong to the user running Vireo
    if (!in.ok())
        return EPROTO;
    Fid* f = find(fid);
    if (!f)
        return EBADF;
    if (f->fd >= 0)
        return EBADF;
    if (!valid_name(name))
        return EINVAL;
    if (m_open_fids >= kMaxOpenFids)
        return EMFILE;
    const int host_flags = host_open_flags(flags);
    if (host_flags < 0)
        return -host_flags;
    ScopedFd dir(open_path(f->path));
    if (dir.get() < 0)
        return -dir.get();
    const std::string path = join(f->path, name);
    // O_EXCL | O_NOFOLLOW: a new regular file or nothing; never through a link, never opening
    // a FIFO or device that is already there.
    int fd = ::openat(dir.get(), std::string(name).c_str(), (host_flags & ~O_DIRECTORY) | O_CREAT | O_EXCL | O_NOFOLLOW,
                      mode & 07777);
    if (fd < 0 && errno == EEXIST && !(flags & P9_DOTL_EXCL)) {
        bool directory = false;
        fd = open_file(path, flags & ~P9_DOTL_CREATE, directory);
        if (fd >= 0 && directory) {
            ::close(fd);
            return EISDIR;
        }
        if (fd < 0)
            return -fd;
    } else if (fd < 0) {
        return errno;
    }
    close_fid(*f);
    f->path = path;
    f->fd = fd;
    f->directory = false;
    ++m_open_fids;
    struct stat st {};
    if (::fstat(fd, &st) != 0)
        return errno;
    out.qid(qid_of(st));
    out.u32(0);
    return 0;
}

int Server::op_read(WireReader& in, WireWriter& out, uint32_t max_reply)
{
    const uint32_t fid = in.u32();
    const uint64_t offset = in.u64();
    uint32_t count = in.u32();
    if (!in.ok())
        return EPROTO;
    Fid* f = find(fid);
    if (!f || f->fd < 0)
        return EBADF;
    if (f->directory)
        return EISDIR;
    if (offset > static_cast<uint64_t>(INT64_MAX))
        return EINVAL;
    count = std::min(count, max_reply > kIoHeader ? max_reply - kIoHeader : 0);
    const size_t count_at = out.size();
    out.u32(0);
    uint8_t* data = out.grow(count);
    ssize_t n;
    do
        n = ::pread(f->fd, data, count, static_cast<off_t>(offset));
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return errno;
    out.shrink(count_at + 4 + static_cast<size_t>(n));
    out.patch_u32(count_at, static_cast<uint32_t>(n));
    return 0;
}

int Server::op_write(WireReader& in, WireWriter& out)
{
    const uint32_t fid = in.u32();
    const uint64_t offset = in.u64();
    const uint32_t count = in.u32();
    const auto data = in.bytes(count);
    if (!in.ok())
        return EPROTO;
    Fid* f = find(fid);
    if (!f || f->fd < 0)
        return EBADF;
    if (f->directory)
        return EISDIR;
    if (offset > static_cast<uint64_t>(INT64_MAX))
        return EINVAL;
    ssize_t n;
    do
        n = ::pwrite(f->fd, data.data(), data.size(), static_cast<off_t>(offset));
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return errno;
    out.u32(static_cast<uint32_t>(n));
    return 0;
}

int Server::op_readdir(WireReader& in, WireWriter& out, uint32_t max_reply)
{
    const uint32_t fid = in.u32();
    const uint64_t offset = in.u64();
    uint32_t count = in.u32();
    if (!in.ok())
        return EPROTO;
    Fid* f = find(fid);
    if (!f || f->fd < 0)
        return EBADF;
    if (!f->directory)
        return ENOTDIR;
    count = std::min(count, max_reply > kIoHeader ? max_reply - kIoHeader : 0);
    // The offset is a d_off cookie from an earlier reply (0 to start): the directory stream is
    // positioned from it every time, so the server keeps no cursor.
    if (::lseek(f->fd, static_cast<off_t>(offset), SEEK_SET) < 0)
        return errno;
    const size_t count_at = out.size();
    out.u32(0);
    uint32_t used = 0;
    std::vector<uint8_t> buffer(std::max<size_t>(count, 1024));
    bool full = false;
    while (!full) {
        const ssize_t n = ::getdents64(f->fd, buffer.data(), buffer.size());
        if (n < 0)
            return errno;
        if (n == 0)
            break;
        for (size_t at = 0; at < static_cast<size_t>(n);) {
            // SAFETY: getdents64 fills the buffer with whole, aligned struct dirent64 records.
            const auto* entry = reinterpret_cast<const struct dirent64*>(buffer.data() + at);
            at += entry->d_reclen;
            const std::string_view name(entry->d_name);
            const uint32_t size = static_cast<uint32_t>(kQidSize + 8 + 1 + 2 + name.size());
            if (used + size > count) {
                full = true;
                break;
            }
            Qid qid;
            qid.path = entry->d_ino;
            qid.type = entry->d_type == DT_DIR ? P9_QTDIR : entry->d_type == DT_LNK ? P9_QTSYMLINK : P9_QTFILE;
            out.qid(qid);
            out.u64(static_cast<uint64_t>(entry->d_off));
            out.u8(entry->d_type);
            out.str(name);
            used += size;
        }
    }
    out.patch_u32(count_at, used);
    return 0;
}

int Server::op_clunk(WireReader& in)
{
    const uint32_t fid = in.u32();
    if (!in.ok())
        return EPROTO;
    Fid* f = find(fid);
    if (!f)
        return EBADF;
    close_fid(*f);
    m_fids.erase(fid);
    return 0;
}

int Server::op_remove(WireReader& in)
{
    const uint32_t fid = in.u32();
    if (!in.ok())
        return EPROTO;
    Fid* f = find(fid);
    if (!f)
        return EBADF;
    int error = 0;
    if (f->path.empty()) {
        error = EBUSY;
    } else {
        std::string name;
        ScopedFd parent(open_parent(f->path, name));
        struct stat st {};
        if (parent.get() < 0)
            error = -parent.get();
        else if (::fstatat(parent.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
            error = errno;
        else if (::unlinkat(parent.get(), name.c_str(), S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0) != 0)
            error = errno;
    }
    // Tremove clunks the fid whether or not the file went.
    close_fid(*f);
    m_fids.erase(fid);
    return error;
}

int Server::op_mkdir(WireReader& in, WireWriter& out)
{
    const uint32_t dfid = in.u32();
    const std::string_view name = in.str();
    const uint32_t mode = in.u32();
    in.u32();  // gid
    if (!in.ok())
        return EPROTO;
    Fid* d = find(dfid);
    if (!d)
        return EBADF;
    if (!valid_name(name))
        return EINVAL;
    ScopedFd dir(open_path(d->path));
    if (dir.get() < 0)
        return -dir.get();
    const std::string n(name);
    if (::mkdirat(dir.get(), n.c_str(), mode & 07777) != 0)
        return errno;
    struct stat st {};
    if (::fstatat(dir.get(), n.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
        return errno;
    out.qid(qid_of(st));
    return 0;
}

int Server::op_symlink(WireReader& in, WireWriter& out)
{
    const uint32_t dfid = in.u32();
    const std::string_view name = in.str();
    const std::string_view target = in.str();
    in.u32();  // gid
    if (!in.ok())
        return EPROTO;
    Fid* d = find(dfid);
    if (!d)
        return EBADF;
    if (!valid_name(name) || target.empty() || target.find('\0') != std::string_view::npos)
        return EINVAL;
    ScopedFd dir(open_path(d->path));
    if (dir.get() < 0)
        return -dir.get();
    // The target is stored as text; the host never follows it (see server.hpp).
    const std::string n(name);
    if (::symlinkat(std::string(target).c_str(), dir.get(), n.c_str()) != 0)
        return errno;
    struct stat st {};
    if (::fstatat(dir.get(), n.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
        return errno;
    out.qid(qid_of(st));
    return 0;
}

int Server::op_readlink(WireReader& in, WireWriter& out)
{
    const uint32_t fid = in.u32();
    if (!in.ok())
        return EPROTO;
    Fid* f = find(fid);
    if (!f)
        return EBADF;
    std::string name;
    ScopedFd parent(open_parent(f->path, name));
    if (parent.get() < 0)
        return -parent.get();
    char target[PATH_MAX];
    const ssize_t n = ::readlinkat(parent.get(), name.c_str(), target, sizeof target);
    if (n < 0)
        return errno;
    out.str(std::string_view(target, static_cast<size_t>(n)));
    return 0;
}

template <typename Act>
int Server::with_source_and_target(uint32_t fid, uint32_t dfid, std::string_view name, Act&& act)
{
    Fid* f = find(fid);
    Fid* d = find(dfid);
    if (!f || !d)
        return EBADF;
    if (!valid_name(name))
        return EINVAL;
    std::string old_name;
    ScopedFd from(open_parent(f->path, old_name));
    if (from.get() < 0)
        return -from.get();
    ScopedFd to(open_path(d->path));
    if (to.get() < 0)
        return -to.get();
    return act(*f, *d, from.get(), old_name, to.get());
}

int Server::op_link(WireReader& in)
{
    const uint32_t dfid = in.u32();
    const uint32_t fid = in.u32();
    const std::string_view name = in.str();
    if (!in.ok())
        return EPROTO;
    return with_source_and_target(fid, dfid, name, [&](Fid&, Fid&, int from, const std::string& old_name, int to) {
        // Flags 0: a symlink is linked as itself, not followed.
        if (::linkat(from, old_name.c_str(), to, std::string(name).c_str(), 0) != 0)
            return errno;
        return 0;
    });
}

int Server::op_unlinkat(WireReader& in)
{
    const uint32_t dfid = in.u32();
    const std::string_view name = in.str();
    const uint32_t flags = in.u32();
    if (!in.ok())
        return EPROTO;
    Fid* d = find(dfid);
    if (!d)
        return EBADF;
    if (!valid_name(name))
        return EINVAL;
    ScopedFd dir(open_path(d->path));
    if (dir.get() < 0)
        return -dir.get();
    if (::unlinkat(dir.get(), std::string(name).c_str(), (flags & P9_DOTL_AT_REMOVEDIR) ? AT_REMOVEDIR : 0) != 0)
        return errno;
    return 0;
}

int Server::op_renameat(WireReader& in)
{
    const uint32_t old_dfid = in.u32();
    const std::string_view old_name = in.str();
    const uint32_t new_dfid = in.u32();
    const std::string_view new_name = in.str();
    if (!in.ok())
        return EPROTO;
    Fid* old_dir = find(old_dfid);
    Fid* new_dir = find(new_dfid);
    if (!old_dir || !new_dir)
        return EBADF;
    if (!valid_name(old_name) || !valid_name(new_name))
        return EINVAL;
    ScopedFd from(open_path(old_dir->path));
    if (from.get() < 0)
        return -from.get();
    ScopedFd to(open_path(new_dir->path));
    if (to.get() < 0)
        return -to.get();
    if (::renameat(from.get(), std::string(old_name).c_str(), to.get(), std::string(new_name).c_str()) != 0)
        return errno;
    renamed(join(old_dir->path, old_name), join(new_dir->path, new_name));
    return 0;
}

int Server::op_rename(WireReader& in)
{
    const uint32_t fid = in.u32();
    const uint32_t dfid = in.u32();
    const std::string_view name = in.str();
    if (!in.ok())
        return EPROTO;
    return with_source_and_target(fid, dfid, name, [&](Fid& f, Fid& d, int from, const std::string& old_name, int to) {
        if (::renameat(from, old_name.c_str(), to, std::string(name).c_str()) != 0)
            return errno;
        renamed(f.path, join(d.path, name));
        return 0;
    });
}

int Server::op_statfs(WireReader& in, WireWriter& out)
{
    const uint32_t fid = in.u32();
    if (!in.ok())
        return EPROTO;
    if (!find(fid))
        return EBADF;
    struct statfs st {};
    if (::fstatfs(m_root, &st) != 0)
        return errno;
    uint64_t fsid = 0;
    std::memcpy(&fsid, &st.f_fsid, std::min(sizeof fsid, sizeof st.f_fsid));
    out.u32(static_cast<uint32_t>(st.f_type));
    out.u32(static_cast<uint32_t>(st.f_bsize));
    out.u64(st.f_blocks);
    out.u64(st.f_bfree);
    out.u64(st.f_bavail);
    out.u64(st.f_files);
    out.u64(st.f_ffree);
    out.u64(fsid);
    out.u32(static_cast<uint32_t>(st.f_namelen));
    return 0;
}

int Server::op_fsync(WireReader& in)
{
    const uint32_t fid = in.u32();
    const uint32_t datasync = in.u32();
    if (!in.ok())
        return EPROTO;
    Fid* f = find(fid);
    if (!f)
        return EBADF;
    if (f->fd < 0)
        return 0;
    if ((datasync ? ::fdatasync(f->fd) : ::fsync(f->fd)) != 0)
        return errno;
    return 0;
}

// POSIX locks are the guest kernel's business among its own processes; across VMs they are not
// enforced (as QEMU's 9p server does not either): every lock is granted.
int Server::op_lock(WireReader& in, WireWriter& out)
{
    const uint32_t fid = in.u32();
    in.u8();   // type
    in.u32();  // flags
    in.u64();  // start
    in.u64();  // length
    in.u32();  // proc_id
    in.str();  // client_id
    if (!in.ok())
        return EPROTO;
    if (!find(fid))
        return EBADF;
    out.u8(P9_LOCK_SUCCESS);
    return 0;
}

int Server::op_getlock(WireReader& in, WireWriter& out)
{
    const uint32_t fid = in.u32();
    in.u8();  // type
    const uint64_t start = in.u64();
    const uint64_t length = in.u64();
    const uint32_t proc_id = in.u32();
    const std::string_view client_id = in.str();
    if (!in.ok())
        return EPROTO;
    if (!find(fid))
        return EBADF;
    out.u8(P9_LOCK_TYPE_UNLCK);
    out.u64(start);
    out.u64(length);
    out.u32(proc_id);
    out.str(client_id);
    return 0;
}

}  // namespace vireo::virtio::p9
