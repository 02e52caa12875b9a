// The walls of the file system: every guest path is resolved here, inside one host folder.
//
// Resolution is done by Vireo itself, one component at a time, the way the kernel walks a path but
// with the root pinned: each component is opened with openat(O_PATH | O_NOFOLLOW) relative to the
// directory before it; a symbolic link is read and its target walked in turn (an absolute target
// starts again at the root); ".." pops Vireo's own stack of directories and so can never climb above
// the root, whatever the host's directory tree looks like. Nothing is resolved by the host from a
// string, so a symlink planted inside the root, or a directory moved on the host while the guest
// walks it, cannot lead outside: every step is relative to a descriptor Vireo holds.
//
// The result of a walk is the directory holding the last component (a descriptor) and the last
// component's name, so every operation then acts with *at() calls on that pair, never on a path.
//
// A read-write root without a /lib of its own gets the sysroot's lib folder there, read-only, so
// that dynamically linked programs find their interpreter and libraries (mount_lib()).
//
// Besides the root, the guest sees a few virtual devices (/dev/null, /dev/zero, /dev/full,
// /dev/random, /dev/urandom), opened on the host's, and no host device node at all: opening a block
// or character device found inside the root fails with EACCES.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace vireo::sandbox {

// An owned host file descriptor.
class Fd {
public:
    Fd() = default;
    explicit Fd(int fd) : m_fd(fd) {}
    ~Fd() { reset(); }
    Fd(Fd&& other) noexcept : m_fd(other.release()) {}
    Fd& operator=(Fd&& other) noexcept
    {
        if (this != &other) {
            reset();
            m_fd = other.release();
        }
        return *this;
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;

    int get() const { return m_fd; }
    bool valid() const { return m_fd >= 0; }
    int release()
    {
        int fd = m_fd;
        m_fd = -1;
        return fd;
    }
    void reset(int fd = -1);

private:
    int m_fd = -1;
};

// Proc: a node of Vireo's /proc (procfs.cpp), which the process answers for itself.
enum class VirtualDevice { None, Null, Zero, Full, Random, Urandom, Proc };

class FileSystem {
public:
    enum class Access { ReadWrite, ReadOnly };
    static Result<std::unique_ptr<FileSystem>> create(const std::string& host_root, Access access);

    bool read_only() const { return m_access == Access::ReadOnly; }
    // Shows `host_dir` read-only as /lib when the root has no lib entry of its own.
    Result<void> mount_lib(const std::string& host_dir);
    const std::string& host_root() const { return m_host_root; }

    enum class Follow { Yes, No };
    struct Walk {
        Fd parent;            // O_PATH descriptor of the directory holding `name`
        std::string name;     // the last component; empty when the path ends on a directory ("/", "a/..")
        Fd object;            // O_PATH descriptor of what the path names, if it exists
        std::string path;     // the canonical guest path, "/a/b"
        VirtualDevice device = VirtualDevice::None;
        bool read_only = false;   // inside a read-only root or mount: no changes allowed
        bool exists() const { return object.valid() || device != VirtualDevice::None; }
    };
    // Walks `path` (absolute, or relative to the guest directory `base`, a canonical guest path).
    // Follow::Yes follows a symlink in the last component. A missing last component is not an
    // error (`object` stays invalid, so a caller may create it); a missing directory on the way is.
    // Returns 0 or -errno (ENOENT, ENOTDIR, ELOOP, ENAMETOOLONG, EACCES).
    int walk(std::string_view base, std::string_view path, Follow follow, Walk& out) const;

    // The host device behind a virtual one, opened with the guest's flags (O_ACCMODE and the like).
    static int open_device(VirtualDevice device, int flags);

private:
    FileSystem(Fd root, std::string host_root, Access access)
        : m_root(std::move(root)), m_host_root(std::move(host_root)), m_access(access) {}
    Fd m_root;
    Fd m_lib;   // the read-only /lib of mount_lib(), or invalid
    std::string m_host_root;
    Access m_access;
};

// Lexically normalises an absolute guest path ("/a/./b/../c" -> "/a/c"), for names Vireo answers
// itself (/proc/self/exe) before any walk.
std::string normalize_path(std::string_view base, std::string_view path);

// The non-empty components of a guest path, in order ("//a/./b/" -> "a", ".", "b").
std::vector<std::string> path_components(std::string_view path);

}  // namespace vireo::sandbox
