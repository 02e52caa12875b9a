#include "disk/raw.hpp"

#include "base/log.hpp"

namespace vireo::disk {

namespace {
constexpr uint64_t kSectorSize = 512;
}

Result<std::unique_ptr<RawImage>> RawImage::open(File file)
{
    const uint64_t bytes = file.size();
    if (bytes % kSectorSize != 0)
        LOG_WARN("%s: size %llu is not a multiple of 512; the last %llu bytes are not visible", file.label().c_str(),
                 static_cast<unsigned long long>(bytes), static_cast<unsigned long long>(bytes % kSectorSize));
    const uint64_t size = bytes - bytes % kSectorSize;
    return std::unique_ptr<RawImage>(new RawImage(std::move(file), size));
}

Result<void> RawImage::read(uint64_t offset, std::span<uint8_t> out)
{
    if (!in_range(offset, out.size()))
        return m_file.error("read beyond the end of the disk");
    size_t n = TRY(m_file.read_at(offset, out));
    // The file shrank underneath us (someone truncated it): an error, not stale or zero data.
    if (n != out.size())
        return m_file.error("read at " + std::to_string(offset) + ": end of file (the image shrank?)");
    return {};
}

Result<void> RawImage::write(uint64_t offset, std::span<const uint8_t> in)
{
    if (m_file.access() == Access::ReadOnly)
        return m_file.error("write to a read-only image");
    if (!in_range(offset, in.size()))
        return m_file.error("write beyond the end of the disk");
    return m_file.write_at(offset, in);
}

}  // namespace vireo::disk
