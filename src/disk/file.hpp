// The host file under a disk image: open with a lock, positioned reads and writes that finish or
// say why, all errors naming the file. Internal to disk/.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "disk/disk.hpp"

namespace vireo::disk {

// Which file this is on the host, whatever name it was reached by.
struct FileId {
    uint64_t device = 0;
    uint64_t inode = 0;
    bool operator==(const FileId&) const = default;
};

class File {
public:
    // Opens a regular file or block device and takes a lock: exclusive for ReadWrite, shared for
    // ReadOnly, so two writers (or a writer and a reader) never share an image, as QEMU's image
    // locking ensures. `label` starts every error: "disk image foo.img". A file already in
    // `chain` (the images above this one in a backing chain) is refused before it is locked.
    static Result<File> open(const std::string& path, Access access, std::string label,
                             std::span<const FileId> chain = {});

    File(File&& other) noexcept;
    File& operator=(File&& other) noexcept;
    File(const File&) = delete;
    File& operator=(const File&) = delete;
    ~File();

    const std::string& path() const { return m_path; }
    const std::string& label() const { return m_label; }
    Access access() const { return m_access; }
    int fd() const { return m_fd; }
    // The size when opened, grown by writes past the end.
    uint64_t size() const { return m_size; }
    // Identifies the file itself, so a backing chain can refuse to contain one file twice.
    FileId id() const { return m_id; }

    // Reads up to out.size() bytes at `offset`; returns how many (less only at the end of file).
    Result<size_t> read_at(uint64_t offset, std::span<uint8_t> out) const;
    // Reads exactly out.size() bytes, or fails naming `what` ("L1 table") as truncated.
    Result<void> read_exact(uint64_t offset, std::span<uint8_t> out, const char* what) const;
    Result<void> write_at(uint64_t offset, std::span<const uint8_t> in);
    Result<void> sync();

    // "disk image foo.img: <text>", the shape of every error about this file.
    Error error(const std::string& text) const { return Error::message(m_label + ": " + text); }
    Error errno_error(const std::string& text, int code) const;

private:
    File(int fd, std::string path, std::string label, Access access, uint64_t size, FileId id)
        : m_fd(fd), m_path(std::move(path)), m_label(std::move(label)), m_access(access), m_size(size), m_id(id)
    {
    }
    int m_fd = -1;
    std::string m_path;
    std::string m_label;
    Access m_access = Access::ReadOnly;
    uint64_t m_size = 0;
    FileId m_id;
};

// Internal: opens one image of a backing chain; `chain` holds the images above it.
Result<std::unique_ptr<Image>> open_in_chain(const std::string& path, Format format, Access access, std::string label,
                                             std::vector<FileId> chain);

}  // namespace vireo::disk
