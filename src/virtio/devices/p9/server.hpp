// A 9P2000.L file server for one host directory: what virtio-9p carries. Transport-independent:
// it takes one T-message and returns the R-message, so tests and the fuzz target drive it
// directly.
//
// Containment (the same rule as the process VM's file system): the guest names files only by
// walking from the root, one component at a time; every host path is resolved component by
// component from a descriptor of the shared directory with openat(O_NOFOLLOW), intermediate
// components must be real directories, ".." stops at the root, and no symbolic link is ever
// followed by the host. So a symlink in the share that points outside (planted by the host, by
// the guest, or by another VM sharing the folder) is only ever read as a link — the guest's own
// kernel resolves it, inside the guest's view. Only regular files and directories are opened:
// FIFOs, sockets and device nodes in the share are refused (opening a device node would hand the
// guest a host device), and the guest cannot create them (Tmknod is refused).
//
// Guest-fault policy: a malformed or unknown message gets Rlerror (EPROTO, EOPNOTSUPP, ...) and
// the server carries on; nothing a guest sends ends the session. Resources are bounded: at most
// kMaxFids fids and kMaxOpenFids open host descriptors, messages at most kMaxMsize bytes.
//
// Identity: files are created as the user running Vireo and their owners are reported as they
// are on the host (like QEMU's security_model=none); chown is attempted and its error returned.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/result.hpp"
#include "virtio/devices/p9/wire.hpp"

namespace vireo::virtio::p9 {

// Message types (include/net/9p/9p.h); each R-message is its T-message + 1.
enum : uint8_t {
    P9_TLERROR = 6,
    P9_RLERROR = 7,
    P9_TSTATFS = 8,
    P9_TLOPEN = 12,
    P9_TLCREATE = 14,
    P9_TSYMLINK = 16,
    P9_TMKNOD = 18,
    P9_TRENAME = 20,
    P9_TREADLINK = 22,
    P9_TGETATTR = 24,
    P9_TSETATTR = 26,
    P9_TXATTRWALK = 30,
    P9_TXATTRCREATE = 32,
    P9_TREADDIR = 40,
    P9_TFSYNC = 50,
    P9_TLOCK = 52,
    P9_TGETLOCK = 54,
    P9_TLINK = 70,
    P9_TMKDIR = 72,
    P9_TRENAMEAT = 74,
    P9_TUNLINKAT = 76,
    P9_TVERSION = 100,
    P9_TAUTH = 102,
    P9_TATTACH = 104,
    P9_TFLUSH = 108,
    P9_TWALK = 110,
    P9_TREAD = 116,
    P9_TWRITE = 118,
    P9_TCLUNK = 120,
    P9_TREMOVE = 122,
};

class Server {
public:
    static constexpr uint32_t kMaxMsize = 512 * 1024;
    static constexpr uint32_t kMinMsize = 4096;
    static constexpr size_t kMaxFids = 1 << 16;
    static constexpr size_t kMaxOpenFids = 4096;
    static constexpr uint16_t kMaxWalkNames = 16;  // MAXWELEM
    static constexpr uint32_t kIoHeader = 11;      // size[4] type[1] tag[2] count[4]

    // Serves `host_dir`, which must be a directory; the error names it.
    static Result<std::unique_ptr<Server>> create(const std::string& host_dir);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Handles one T-message; the reply is at most `max_reply` bytes (the room the client gave),
    // or empty when not even an error fits.
    std::vector<uint8_t> handle(std::span<const uint8_t> request, uint32_t max_reply);

    // The negotiated message size (kMaxMsize until a Tversion).
    uint32_t msize() const { return m_msize; }
    size_t fid_count() const { return m_fids.size(); }
    // Forgets every fid (Tversion, or the device's reset).
    void reset();

private:
    struct Fid {
        std::string path;  // relative to the root, "" for the root itself; no "." or ".."
        int fd = -1;       // open file or directory (Tlopen/Tlcreate), else -1
        bool directory = false;
    };
    explicit Server(int root_fd);

    int dispatch(uint8_t type, WireReader& in, WireWriter& out, uint32_t max_reply);
    // Each returns 0 or an errno for Rlerror.
    int op_version(WireReader& in, WireWriter& out);
    int op_attach(WireReader& in, WireWriter& out);
    int op_walk(WireReader& in, WireWriter& out);
    int op_getattr(WireReader& in, WireWriter& out);
    int op_setattr(WireReader& in);
    int op_lopen(WireReader& in, WireWriter& out);
    int op_lcreate(WireReader& in, WireWriter& out);
    int op_read(WireReader& in, WireWriter& out, uint32_t max_reply);
    int op_write(WireReader& in, WireWriter& out);
    int op_readdir(WireReader& in, WireWriter& out, uint32_t max_reply);
    int op_clunk(WireReader& in);
    int op_remove(WireReader& in);
    int op_mkdir(WireReader& in, WireWriter& out);
    int op_symlink(WireReader& in, WireWriter& out);
    int op_readlink(WireReader& in, WireWriter& out);
    int op_link(WireReader& in);
    int op_unlinkat(WireReader& in);
    int op_renameat(WireReader& in);
    int op_rename(WireReader& in);
    int op_statfs(WireReader& in, WireWriter& out);
    int op_fsync(WireReader& in);
    int op_lock(WireReader& in, WireWriter& out);
    int op_getlock(WireReader& in, WireWriter& out);

    // TLINK and TRENAME: finds fid and the directory dfid, checks `name`, opens the parent of
    // fid's file and the directory, then calls act(f, d, from_dir, old_name, to_dir).
    template <typename Act>
    int with_source_and_target(uint32_t fid, uint32_t dfid, std::string_view name, Act&& act);
    Fid* find(uint32_t fid);
    int add_fid(uint32_t fid, Fid value);
    void close_fid(Fid& fid);
    // Host access, all beneath the root and never following a symlink.
    int open_parent(const std::string& path, std::string& name) const;  // a directory fd, or -errno
    int open_path(const std::string& path) const;                        // an O_PATH fd, or -errno
    int reopen(int path_fd, int flags) const;                            // a real fd, or -errno
    int stat_path(const std::string& path, struct stat& st) const;
    int stat_fid(const Fid& fid, struct stat& st) const;
    Qid qid_of(const struct stat& st) const;
    int open_file(const std::string& path, uint32_t flags, bool& directory);
    void renamed(const std::string& from, const std::string& to);

    int m_root = -1;
    uint64_t m_root_device = 0;
    uint32_t m_msize = kMaxMsize;
    size_t m_open_fids = 0;
    std::unordered_map<uint32_t, Fid> m_fids;
};

}  // namespace vireo::virtio::p9
