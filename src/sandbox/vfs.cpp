// The walls of the file system: see vfs.hpp.
#include "sandbox/vfs.hpp"

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

namespace vireo::sandbox {

void Fd::reset(int fd)
{
    if (m_fd >= 0)
        ::close(m_fd);
    m_fd = fd;
}

namespace {

// Linux's limit on symlinks followed in one walk (MAXSYMLINKS, fs/namei.c).
constexpr int kMaxSymlinks = 40;

VirtualDevice device_named(std::string_view name)
{
    if (name == "null") return VirtualDevice::Null;
    if (name == "zero") return VirtualDevice::Zero;
    if (name == "full") return VirtualDevice::Full;
    if (name == "random") return VirtualDevice::Random;
    if (name == "urandom") return VirtualDevice::Urandom;
    return VirtualDevice::None;
}

// Pushes the components of `path` onto `pending` so that the first component is at the back.
void push_components(std::vector<std::string>& pending, std::string_view path)
{
    std::vector<std::string> parts = path_components(path);
    for (auto it = parts.rbegin(); it != parts.rend(); ++it)
        pending.push_back(std::move(*it));
}

}  // namespace

Result<std::unique_ptr<FileSystem>> FileSystem::create(const std::string& host_root, Access access)
{
    int fd = ::open(host_root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return Error::from_errno("sandbox root " + host_root);
    return std::unique_ptr<FileSystem>(new FileSystem(Fd(fd), host_root, access));
}

int FileSystem::walk(std::string_view base, std::string_view path, Follow follow, Walk& out) const
{
    if (path.empty())
        return -ENOENT;
    if (path.size() >= PATH_MAX)
        return -ENAMETOOLONG;

    // The directories from the root down to where the walk is; stack[0] is the root, never closed.
    // A directory with fd -1 is the virtual /dev of a root that has none.
    struct Dir {
        std::string name;
        int fd;
        bool read_only;
    };
    std::vector<Dir> stack{{"", m_root.get(), m_access == Access::ReadOnly}};
    struct Closer {
        std::vector<Dir>& s;
        ~Closer()
        {
            for (size_t i = 1; i < s.size(); ++i)
                if (s[i].fd >= 0)
                    ::close(s[i].fd);
        }
    } closer{stack};
    auto pop_to_root = [&] {
        while (stack.size() > 1) {
            if (stack.back().fd >= 0)
                ::close(stack.back().fd);
            stack.pop_back();
        }
    };
    auto canonical = [&](std::string_view last) {
        std::string p;
        for (size_t i = 1; i < stack.size(); ++i)
            p += "/" + stack[i].name;
        if (!last.empty())
            p += "/" + std::string(last);
        return p.empty() ? std::string("/") : p;
    };
    auto dup_top = [&] {
        out.read_only = stack.back().read_only;
        return Fd(::fcntl(stack.back().fd, F_DUPFD_CLOEXEC, 3));
    };

    std::vector<std::string> pending;
    if (path[0] == '/') {
        push_components(pending, path);
    } else {
        push_components(pending, path);
        push_components(pending, base);
    }
    // A trailing slash asks for a directory, and follows a final symlink (path_resolution(7)).
    bool must_be_dir = path.back() == '/';
    if (must_be_dir)
        follow = Follow::Yes;

    int links = 0;
    while (!pending.empty()) {
        std::string comp = std::move(pending.back());
        pending.pop_back();
        if (comp == ".")
            continue;
        if (comp == "..") {
            if (stack.size() > 1) {
                if (stack.back().fd >= 0)
                    ::close(stack.back().fd);
                stack.pop_back();
            }
            continue;
        }
        if (comp.size() > NAME_MAX)
            return -ENAMETOOLONG;
        const bool last = pending.empty();
        const int dir = stack.back().fd;

        // The virtual devices, whatever the root holds at /dev.
        if (stack.size() == 2 && stack[1].name == "dev" && last) {
            if (VirtualDevice device = device_named(comp); device != VirtualDevice::None) {
                out.device = device;
                out.path = canonical(comp);
                return 0;
            }
        }
        if (dir < 0)
            return -ENOENT;  // inside the virtual /dev, only the devices exist

        if (last && follow == Follow::No) {
            out.parent = dup_top();
            out.name = comp;
            out.object = Fd(::openat(dir, comp.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
            out.path = canonical(comp);
            if (!out.object.valid() && errno != ENOENT)
                return -errno;
            return 0;
        }

        const int fd = ::openat(dir, comp.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) {
            const int error = errno;
            if (error == ENOENT && stack.size() == 1 && comp == "dev" && !last) {
                stack.push_back({"dev", -1, true});
                continue;
            }
            if (error == ENOENT && stack.size() == 1 && comp == "lib" && m_lib.valid()) {
                stack.push_back({"lib", ::fcntl(m_lib.get(), F_DUPFD_CLOEXEC, 3), true});
                if (stack.back().fd < 0)
                    return -errno;
                if (last) {
                    out.parent = Fd(::fcntl(m_root.get(), F_DUPFD_CLOEXEC, 3));
                    out.name = "lib";
                    out.object = Fd(::fcntl(stack.back().fd, F_DUPFD_CLOEXEC, 3));
                    out.path = "/lib";
                    out.read_only = true;
                    return 0;
                }
                continue;
            }
            if (error == ENOENT && last) {
                out.parent = dup_top();
                out.name = comp;
                out.path = canonical(comp);
                return 0;
            }
            return -error;
        }
        struct stat st {};
        if (::fstat(fd, &st) != 0) {
            const int error = errno;
            ::close(fd);
            return -error;
        }
        if (S_ISLNK(st.st_mode)) {
            if (++links > kMaxSymlinks) {
                ::close(fd);
                return -ELOOP;
            }
            char target[PATH_MAX];
            // An empty path with an O_PATH descriptor reads the link itself (readlinkat(2)).
            const ssize_t n = ::readlinkat(fd, "", target, sizeof target);
            ::close(fd);
            if (n <= 0 || static_cast<size_t>(n) >= sizeof target)
                return n < 0 ? -errno : -ENOENT;
            const std::string_view t(target, static_cast<size_t>(n));
            if (t[0] == '/')
                pop_to_root();
            // The target's components come before what is left of the path.
            push_components(pending, t);
            if (t.back() == '/' && last)
                must_be_dir = true;
            continue;
        }
        if (!last) {
            if (!S_ISDIR(st.st_mode)) {
                ::close(fd);
                return -ENOTDIR;
            }
            stack.push_back({comp, fd, stack.back().read_only});
            continue;
        }
        if (must_be_dir && !S_ISDIR(st.st_mode)) {
            ::close(fd);
            return -ENOTDIR;
        }
        out.parent = dup_top();
        out.name = comp;
        out.object = Fd(fd);
        out.path = canonical(comp);
        return 0;
    }
    // The path ended on a directory: "/", "a/.", "a/..".
    if (stack.back().fd < 0)
        return -ENOENT;  // the virtual /dev cannot be opened as a directory
    out.parent = dup_top();
    out.name.clear();
    out.object = dup_top();
    out.path = canonical("");
    return 0;
}

Result<void> FileSystem::mount_lib(const std::string& host_dir)
{
    struct stat st {};
    if (::fstatat(m_root.get(), "lib", &st, AT_SYMLINK_NOFOLLOW) == 0)
        return {};   // the root has its own /lib
    int fd = ::open(host_dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return Error::from_errno("sandbox: " + host_dir);
    m_lib.reset(fd);
    return {};
}

int FileSystem::open_device(VirtualDevice device, int flags)
{
    const char* host = nullptr;
    switch (device) {
    case VirtualDevice::Null: host = "/dev/null"; break;
    case VirtualDevice::Zero: host = "/dev/zero"; break;
    case VirtualDevice::Full: host = "/dev/full"; break;
    case VirtualDevice::Random: host = "/dev/random"; break;
    case VirtualDevice::Urandom: host = "/dev/urandom"; break;
    case VirtualDevice::None:
    case VirtualDevice::Proc: return -ENOENT;
    }
    const int fd = ::open(host, (flags & (O_ACCMODE | O_NONBLOCK | O_APPEND)) | O_CLOEXEC | O_NOCTTY);
    return fd < 0 ? -errno : fd;
}

std::string normalize_path(std::string_view base, std::string_view path)
{
    std::vector<std::string> pending;
    push_components(pending, path);
    if (path.empty() || path[0] != '/')
        push_components(pending, base);
    std::vector<std::string> out;
    while (!pending.empty()) {
        std::string comp = std::move(pending.back());
        pending.pop_back();
        if (comp == ".")
            continue;
        if (comp == "..") {
            if (!out.empty())
                out.pop_back();
            continue;
        }
        out.push_back(std::move(comp));
    }
    std::string result;
    for (const auto& c : out)
        result += "/" + c;
    return result.empty() ? "/" : result;
}

std::vector<std::string> path_components(std::string_view path)
{
    std::vector<std::string> out;
    size_t i = 0;
    while (i < path.size()) {
        while (i < path.size() && path[i] == '/')
            ++i;
        size_t j = i;
        while (j < path.size() && path[j] != '/')
            ++j;
        if (j > i)
            out.emplace_back(path.substr(i, j - i));
        i = j;
    }
    return out;
}

}  // namespace vireo::sandbox
