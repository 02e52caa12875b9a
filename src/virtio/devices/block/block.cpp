#include "virtio/devices/block/block.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/bytes.hpp"
#include "base/log.hpp"

namespace vireo::virtio {

namespace {
// §5.2.4: struct virtio_blk_config up to num_queues: capacity @0, size_max @8, seg_max @12,
// geometry @16, blk_size @20, topology @24, writeback @32, unused0 @33, num_queues @34.
constexpr size_t kConfigSize = 36;
constexpr size_t kRequestHeaderSize = 16;  // le32 type, le32 reserved, le64 sector
}  // namespace

Result<std::unique_ptr<Block>> Block::open(const std::string& path, Options options)
{
    bool read_only = options.access == Access::ReadOnly;
    int fd = ::open(path.c_str(), (read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC);
    if (fd < 0)
        return Error::from_errno("disk image " + path);
    auto fail = [&](Error error) {
        ::close(fd);
        return error;
    };
    struct stat st;
    if (::fstat(fd, &st) != 0)
        return fail(Error::from_errno("disk image " + path));
    if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
        return fail(Error::message("disk image " + path + ": not a regular file or block device"));
    // Two machines writing one image corrupt it, as QEMU's image locking guards against.
    if (::flock(fd, (read_only ? LOCK_SH : LOCK_EX) | LOCK_NB) != 0) {
        if (errno == EWOULDBLOCK)
            return fail(Error::message("disk image " + path + ": in use by another process"));
        return fail(Error::from_errno("disk image " + path + ": locking"));
    }
    off_t size = ::lseek(fd, 0, SEEK_END);
    if (size < 0)
        return fail(Error::from_errno("disk image " + path + ": finding its size"));
    uint64_t bytes = static_cast<uint64_t>(size);
    if (bytes % kSectorSize != 0)
        LOG_WARN("disk image %s: size %llu is not a multiple of 512; the last %llu bytes are not visible", path.c_str(),
                 static_cast<unsigned long long>(bytes), static_cast<unsigned long long>(bytes % kSectorSize));

    std::string serial = options.serial;
    if (serial.empty())
        serial = path.substr(path.find_last_of('/') + 1);
    if (serial.size() > kIdBytes)
        serial.resize(kIdBytes);
    return std::unique_ptr<Block>(new Block(fd, bytes / kSectorSize, options.access, std::move(serial)));
}

Block::~Block()
{
    ::close(m_fd);
}

uint64_t Block::device_features() const
{
    // §5.2.5.2: "Devices SHOULD always offer VIRTIO_BLK_F_FLUSH".
    uint64_t features = kCommonFeatures | feature_bit(VIRTIO_BLK_F_SEG_MAX) | feature_bit(VIRTIO_BLK_F_FLUSH);
    if (m_access == Access::ReadOnly)
        features |= feature_bit(VIRTIO_BLK_F_RO);
    return features;
}

void Block::read_config(uint32_t offset, std::span<uint8_t> out)
{
    uint8_t config[kConfigSize] = {};
    store_le<uint64_t>(config + 0, m_capacity);
    // A request is a header, data segments and a status: leave room for the first and the last
    // within the queue-size limit on a chain (§2.7.5.3.1).
    store_le<uint32_t>(config + 12, kQueueSize - 2);
    read_config_bytes(config, offset, out);
}

Result<void> Block::activate(const ActiveContext& context)
{
    m_context.emplace(context);
    process();
    return {};
}

void Block::queue_notify(uint16_t queue)
{
    if (m_context && queue == 0)
        process();
}

void Block::process()
{
    m_context->serve_queue(0, [this](const DescriptorChain& chain) { return execute(chain); });
}

uint32_t Block::execute(const DescriptorChain& chain)
{
    ChainReader reader(m_context->memory, chain);
    ChainWriter data(m_context->memory, chain);
    if (data.remaining() == 0) {
        LOG_DEBUG("virtio-blk: request %u has no room for a status byte", chain.head());
        return 0;
    }
    // §5.2.6: the status is the last byte of the request; the framing of the rest is free (§2.7.4.1).
    ChainWriter status = data.split_at(data.remaining() - 1);
    uint8_t result = handle(reader, data);
    data.fill_zero();
    status.write(std::span(&result, 1));
    return chain.writable_len();
}

uint8_t Block::handle(ChainReader& reader, ChainWriter& data)
{
    uint8_t header[kRequestHeaderSize];
    if (!reader.read_exact(header))
        return VIRTIO_BLK_S_IOERR;
    uint32_t type = load_le<uint32_t>(header);
    uint64_t sector = load_le<uint64_t>(header + 8);
    switch (type) {
    case VIRTIO_BLK_T_IN:
        return read_sectors(sector, data);
    case VIRTIO_BLK_T_OUT:
        // §5.2.6.2: with VIRTIO_BLK_F_RO, IOERR "and MUST NOT write any data".
        if (m_access == Access::ReadOnly)
            return VIRTIO_BLK_S_IOERR;
        return write_sectors(sector, reader);
    case VIRTIO_BLK_T_FLUSH:
        if (::fsync(m_fd) != 0) {
            LOG_WARN("virtio-blk: fsync: %s", std::strerror(errno));
            return VIRTIO_BLK_S_IOERR;
        }
        return VIRTIO_BLK_S_OK;
    case VIRTIO_BLK_T_GET_ID: {
        // §5.2.6: "a NUL-padded ASCII string up to 20 bytes long"; the rest of data is zero-filled.
        uint8_t id[kIdBytes] = {};
        std::memcpy(id, m_serial.data(), std::min(m_serial.size(), kIdBytes));
        data.write(id);
        return VIRTIO_BLK_S_OK;
    }
    default:
        return VIRTIO_BLK_S_UNSUPP;
    }
}

bool Block::in_range(uint64_t sector, uint64_t bytes) const
{
    // §5.2.6.1: data comes in multiples of 512 bytes. Overflow-safe: sector may be anything.
    return bytes % kSectorSize == 0 && sector <= m_capacity && bytes / kSectorSize <= m_capacity - sector;
}

uint8_t Block::read_sectors(uint64_t sector, ChainWriter& data)
{
    if (!in_range(sector, data.remaining()))
        return VIRTIO_BLK_S_IOERR;
    uint64_t offset = sector * kSectorSize;
    for (;;) {
        auto piece = data.peek(data.remaining());
        if (piece.empty())
            return VIRTIO_BLK_S_OK;
        ssize_t n = ::pread(m_fd, piece.data(), piece.size(), static_cast<off_t>(offset));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            // An error, or end of file: the image shrank underneath us.
            LOG_WARN("virtio-blk: pread at %llu: %s", static_cast<unsigned long long>(offset),
                     n < 0 ? std::strerror(errno) : "end of file");
            return VIRTIO_BLK_S_IOERR;
        }
        data.advance(static_cast<uint64_t>(n));
        offset += static_cast<uint64_t>(n);
    }
}

uint8_t Block::write_sectors(uint64_t sector, ChainReader& reader)
{
    if (!in_range(sector, reader.remaining()))
        return VIRTIO_BLK_S_IOERR;
    uint64_t offset = sector * kSectorSize;
    for (;;) {
        auto piece = reader.peek(reader.remaining());
        if (piece.empty())
            break;
        ssize_t n = ::pwrite(m_fd, piece.data(), piece.size(), static_cast<off_t>(offset));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            LOG_WARN("virtio-blk: pwrite at %llu: %s", static_cast<unsigned long long>(offset),
                     n < 0 ? std::strerror(errno) : "no progress");
            return VIRTIO_BLK_S_IOERR;
        }
        reader.consume(static_cast<uint64_t>(n));
        offset += static_cast<uint64_t>(n);
    }
    // §5.2.6.2: when VIRTIO_BLK_F_FLUSH is offered but not negotiated, a write is stable once it
    // completes, so it goes to the disk now.
    if (!m_context->has_feature(VIRTIO_BLK_F_FLUSH) && ::fdatasync(m_fd) != 0) {
        LOG_WARN("virtio-blk: fdatasync: %s", std::strerror(errno));
        return VIRTIO_BLK_S_IOERR;
    }
    return VIRTIO_BLK_S_OK;
}

}  // namespace vireo::virtio
