#include "machine/kernel_image.hpp"

#include <zlib.h>

#include <algorithm>
#include <cstring>

#include "base/file.hpp"
#include "elf/elf.hpp"

namespace vireo::machine {

namespace {

bool is_elf(const std::vector<uint8_t>& b) { return b.size() >= 4 && std::memcmp(b.data(), "\x7f" "ELF", 4) == 0; }
bool is_gzip(const std::vector<uint8_t>& b) { return b.size() >= 2 && b[0] == 0x1f && b[1] == 0x8b; }
// Documentation/riscv/boot-image-header.rst: "RSC\x05" at offset 0x38.
bool is_linux_image(const std::vector<uint8_t>& b) { return b.size() >= 64 && std::memcmp(b.data() + 0x38, "RSC\x05", 4) == 0; }

Result<std::vector<uint8_t>> gunzip(const std::vector<uint8_t>& in, uint64_t max_size, const std::string& path)
{
    z_stream z{};
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)  // 16+: expect a gzip header
        return Error::message(path + ": cannot start gzip decompression");
    std::vector<uint8_t> out;
    z.next_in = const_cast<Bytef*>(in.data());
    z.avail_in = static_cast<uInt>(std::min<size_t>(in.size(), UINT32_MAX));
    int rc = Z_OK;
    while (rc == Z_OK) {
        if (out.size() >= max_size) {
            inflateEnd(&z);
            return Error::message(path + ": decompressed kernel is larger than " + std::to_string(max_size >> 20) +
                                  " MiB of RAM (try a larger --mem)");
        }
        const size_t chunk = std::min<uint64_t>(1 << 20, max_size - out.size());
        const size_t old = out.size();
        out.resize(old + chunk);
        z.next_out = out.data() + old;
        z.avail_out = static_cast<uInt>(chunk);
        rc = inflate(&z, Z_NO_FLUSH);
        out.resize(old + chunk - z.avail_out);
    }
    inflateEnd(&z);
    if (rc != Z_STREAM_END)
        return Error::message(path + ": corrupt or truncated gzip data");
    return out;
}

Result<std::vector<uint8_t>> flatten_elf(const std::vector<uint8_t>& bytes, uint64_t max_size, const std::string& path)
{
    auto image = TRY(elf::parse(bytes, path));
    uint64_t low = UINT64_MAX, high = 0;
    for (const auto& seg : image.loads) {
        if (seg.mem_size == 0)
            continue;
        low = std::min(low, seg.vaddr);
        high = std::max(high, seg.vaddr + seg.mem_size);  // no wrap: the parser rejects it
    }
    if (low == UINT64_MAX)
        return Error::message(path + ": ELF kernel has nothing to load");
    if (high - low > max_size)
        return Error::message(path + ": ELF kernel spans " + std::to_string((high - low) >> 20) +
                              " MiB, more than RAM (try a larger --mem)");
    if (image.entry != low)
        return Error::message(path + ": ELF kernel's entry point is not at its start, as the boot protocol needs");
    std::vector<uint8_t> flat(high - low, 0);
    for (const auto& seg : image.loads)
        if (seg.file_size)
            std::memcpy(flat.data() + (seg.vaddr - low), image.bytes.data() + seg.file_offset, seg.file_size);
    return flat;
}

}  // namespace

Result<std::vector<uint8_t>> read_kernel_image(const std::string& path, uint64_t max_size)
{
    auto bytes = TRY(read_file(path));
    if (is_gzip(bytes))
        bytes = TRY(gunzip(bytes, max_size, path));
    if (is_elf(bytes))
        return flatten_elf(bytes, max_size, path);
    if (!is_linux_image(bytes))
        return Error::message(path + ": not a RISC-V Linux kernel (no Image header with RSC\\x05 at 0x38, not gzip, not ELF)");
    return bytes;
}

}  // namespace vireo::machine
