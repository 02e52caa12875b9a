// disk: virtual disk images — what a virtio-blk device reads and writes, whatever the file format.
//
// What this component offers:
// - Image: a virtual disk of size() bytes with read/write/flush at byte offsets.
// - open_image(): a raw file or a qcow2 image (versions 2 and 3, with backing files). The format
//   is what the user says: Vireo never guesses it from the contents, because a guest that can
//   write a qcow2 header into a raw disk could otherwise make the host open any file it names as a
//   backing file (QEMU's "format probing" hazard).
//
// An image file is untrusted input: every header field, table offset and size is checked, and a
// corrupt or truncated file gives a one-line Result error that names the file, never a crash.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "base/result.hpp"

namespace vireo::disk {

enum class Format { Raw, Qcow2 };
enum class Access { ReadWrite, ReadOnly };

class Image {
public:
    virtual ~Image() = default;

    // The virtual disk's size in bytes: what the guest sees.
    virtual uint64_t size() const = 0;
    virtual Access access() const = 0;
    virtual const std::string& path() const = 0;

    // Reads or writes [offset, offset + bytes) of the virtual disk. The range must lie within
    // size() (checked: an error otherwise). A failure leaves the guest-visible contents of the
    // range unspecified; the image's metadata stays consistent.
    virtual Result<void> read(uint64_t offset, std::span<uint8_t> out) = 0;
    virtual Result<void> write(uint64_t offset, std::span<const uint8_t> in) = 0;
    // Everything written so far reaches stable storage.
    virtual Result<void> flush() = 0;

protected:
    Image() = default;
    Image(const Image&) = delete;
    Image& operator=(const Image&) = delete;
};

// Opens `path` as `format`. A writable image is locked against every other user; a read-only
// one (and every backing file) against writers. Errors name the file: "disk image foo.qcow2: ...".
Result<std::unique_ptr<Image>> open_image(const std::string& path, Format format, Access access);

}  // namespace vireo::disk
