#include "virtio/devices/block/block.hpp"

#include <algorithm>
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
    const auto access = options.access == Access::ReadOnly ? disk::Access::ReadOnly : disk::Access::ReadWrite;
    auto image = TRY(disk::open_image(path, options.format, access));
    return create(std::move(image), options.serial);
}

std::unique_ptr<Block> Block::create(std::unique_ptr<disk::Image> image, std::string serial)
{
    if (serial.empty())
        serial = image->path().substr(image->path().find_last_of('/') + 1);
    if (serial.size() > kIdBytes)
        serial.resize(kIdBytes);
    const Access access = image->access() == disk::Access::ReadOnly ? Access::ReadOnly : Access::ReadWrite;
    return std::unique_ptr<Block>(new Block(std::move(image), access, std::move(serial)));
}

Block::~Block() = default;

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
        if (auto r = m_image->flush(); !r.ok()) {
            LOG_WARN("virtio-blk: flush: %s", r.error().text().c_str());
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
        if (auto r = m_image->read(offset, piece); !r.ok()) {
            LOG_WARN("virtio-blk: %s", r.error().text().c_str());
            return VIRTIO_BLK_S_IOERR;
        }
        data.advance(piece.size());
        offset += piece.size();
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
        if (auto r = m_image->write(offset, piece); !r.ok()) {
            LOG_WARN("virtio-blk: %s", r.error().text().c_str());
            return VIRTIO_BLK_S_IOERR;
        }
        reader.consume(piece.size());
        offset += piece.size();
    }
    // §5.2.6.2: when VIRTIO_BLK_F_FLUSH is offered but not negotiated, a write is stable once it
    // completes, so it goes to the disk now.
    if (!m_context->has_feature(VIRTIO_BLK_F_FLUSH)) {
        if (auto r = m_image->flush(); !r.ok()) {
            LOG_WARN("virtio-blk: flush: %s", r.error().text().c_str());
            return VIRTIO_BLK_S_IOERR;
        }
    }
    return VIRTIO_BLK_S_OK;
}

}  // namespace vireo::virtio
