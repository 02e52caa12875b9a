// A raw image: the virtual disk is the file, byte for byte.
#pragma once

#include <memory>

#include "disk/disk.hpp"
#include "disk/file.hpp"

namespace vireo::disk {

class RawImage final : public Image {
public:
    // The virtual size is the file's size rounded down to whole 512-byte sectors (a warning says
    // how many bytes that hides), as a virtio-blk disk counts in sectors.
    static Result<std::unique_ptr<RawImage>> open(File file);

    uint64_t size() const override { return m_size; }
    Access access() const override { return m_file.access(); }
    const std::string& path() const override { return m_file.path(); }
    Result<void> read(uint64_t offset, std::span<uint8_t> out) override;
    Result<void> write(uint64_t offset, std::span<const uint8_t> in) override;
    Result<void> flush() override { return m_file.sync(); }

private:
    RawImage(File file, uint64_t size) : m_file(std::move(file)), m_size(size) {}
    bool in_range(uint64_t offset, uint64_t bytes) const { return offset <= m_size && bytes <= m_size - offset; }

    File m_file;
    uint64_t m_size;
};

}  // namespace vireo::disk
