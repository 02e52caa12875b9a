// The guest's file descriptor table. Every guest descriptor stands for a host descriptor Vireo
// opened itself (through the walls of vfs.hpp) or was given (stdin, stdout, stderr); the guest's
// numbers are its own, so it can never name a host descriptor Vireo did not hand it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace vireo::sandbox {

struct OpenFile {
    enum class Kind { File, Directory, Pipe, Socket, Device, Stdio, EventFd, Epoll };
    Kind kind = Kind::File;
    int host_fd = -1;
    bool owned = true;        // false for the inherited stdin/stdout/stderr
    bool read_only_fs = false; // opened from a read-only root
    std::string path;         // canonical guest path (files and directories), for *at() and fchdir
    // A file or directory of Vireo's /proc: the host descriptor is a sealed memfd with the file's
    // text (empty for a directory), and getdents64 lists a directory's `entries` (name, d_type).
    bool synthetic = false;
    std::vector<std::pair<std::string, uint8_t>> entries;
    size_t entry_pos = 0;

    OpenFile(Kind k, int fd, bool own, std::string p) : kind(k), host_fd(fd), owned(own), path(std::move(p)) {}
    ~OpenFile();
    OpenFile(const OpenFile&) = delete;
    OpenFile& operator=(const OpenFile&) = delete;
};

class FdTable {
public:
    // RLIMIT_NOFILE's usual soft limit: also bounds the host descriptors one guest can hold.
    static constexpr int kMax = 1024;

    // Installs at the lowest free number >= min_fd; returns it, or -EMFILE.
    int add(std::shared_ptr<OpenFile> file, bool cloexec, int min_fd = 0);
    // Installs at exactly `fd`, closing what was there (dup2/dup3). Returns fd or -EBADF.
    int put(int fd, std::shared_ptr<OpenFile> file, bool cloexec);
    OpenFile* get(int fd) const;
    std::shared_ptr<OpenFile> share(int fd) const;
    int close(int fd);
    bool cloexec(int fd) const;
    void set_cloexec(int fd, bool on);
    // The highest number in use + 1.
    int end() const { return static_cast<int>(m_entries.size()); }
    // Closes every descriptor not in `keep` (the numbers open at a snapshot).
    void close_except(const std::vector<int>& keep);
    std::vector<int> open_numbers() const;

private:
    struct Entry {
        std::shared_ptr<OpenFile> file;
        bool cloexec = false;
    };
    std::vector<Entry> m_entries;
};

}  // namespace vireo::sandbox
