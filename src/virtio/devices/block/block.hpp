// virtio-blk (virtio 1.2 §5.2) on a disk image (disk::Image: raw or qcow2): one request queue;
// IN, OUT, FLUSH and GET_ID.
//
// Guest-fault policy:
// - A malformed ring or chain: DEVICE_NEEDS_RESET, the queue stops (ActiveContext::queue_failed).
// - A well-formed chain carrying a bad request — header shorter than 16 bytes, data not a multiple
//   of 512 bytes, sectors beyond the end of the image, OUT on a read-only disk (§5.2.6.2) — is
//   completed with VIRTIO_BLK_S_IOERR; an unknown type with VIRTIO_BLK_S_UNSUPP. A chain with no
//   device-writable byte has nowhere to put a status: it is returned with used length 0.
// - Host I/O errors (pread/pwrite/fsync failing, the image shrinking underneath, a corrupt qcow2
//   table met while serving the request) are VIRTIO_BLK_S_IOERR for that request; the device
//   carries on.
// The used length is the whole writable part: the device zero-fills whatever data area it did not
// fill, so "the device MUST write at least len bytes" (§2.7.8.2) holds exactly.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "base/result.hpp"
#include "disk/disk.hpp"
#include "virtio/device.hpp"

namespace vireo::virtio {

class Block final : public Device {
public:
    enum class Access { ReadWrite, ReadOnly };
    struct Options {
        Access access = Access::ReadWrite;
        std::string serial;  // the GET_ID string (at most 20 bytes); empty: the image's file name
        disk::Format format = disk::Format::Raw;  // never guessed from the contents (disk.hpp)
    };

    static constexpr uint16_t kQueueSize = 256;
    static constexpr uint64_t kSectorSize = 512;
    static constexpr size_t kIdBytes = 20;  // VIRTIO_BLK_ID_BYTES

    // §5.2.3 feature bits.
    static constexpr unsigned VIRTIO_BLK_F_SIZE_MAX = 1;
    static constexpr unsigned VIRTIO_BLK_F_SEG_MAX = 2;
    static constexpr unsigned VIRTIO_BLK_F_RO = 5;
    static constexpr unsigned VIRTIO_BLK_F_BLK_SIZE = 6;
    static constexpr unsigned VIRTIO_BLK_F_FLUSH = 9;
    // §5.2.6 request types and status values.
    static constexpr uint32_t VIRTIO_BLK_T_IN = 0;
    static constexpr uint32_t VIRTIO_BLK_T_OUT = 1;
    static constexpr uint32_t VIRTIO_BLK_T_FLUSH = 4;
    static constexpr uint32_t VIRTIO_BLK_T_GET_ID = 8;
    static constexpr uint8_t VIRTIO_BLK_S_OK = 0;
    static constexpr uint8_t VIRTIO_BLK_S_IOERR = 1;
    static constexpr uint8_t VIRTIO_BLK_S_UNSUPP = 2;

    // Opens the image (locked against other writers); the error names the file.
    static Result<std::unique_ptr<Block>> open(const std::string& path, Options options);
    static Result<std::unique_ptr<Block>> open(const std::string& path) { return open(path, Options{}); }
    // On an image opened by the caller; its access decides whether the disk is read-only.
    static std::unique_ptr<Block> create(std::unique_ptr<disk::Image> image, std::string serial = {});
    ~Block() override;
    Block(const Block&) = delete;
    Block& operator=(const Block&) = delete;

    uint64_t capacity_sectors() const { return m_capacity; }

    DeviceId id() const override { return DeviceId::Block; }
    uint64_t device_features() const override;
    uint16_t queue_count() const override { return 1; }
    uint16_t queue_max_size(uint16_t) const override { return kQueueSize; }
    void read_config(uint32_t offset, std::span<uint8_t> out) override;
    void write_config(uint32_t, std::span<const uint8_t>) override {}  // nothing writable offered
    Result<void> activate(const ActiveContext& context) override;
    void queue_notify(uint16_t queue) override;
    void poll() override
    {
        if (m_context)
            process();
    }
    void reset() override { m_context.reset(); }

private:
    Block(std::unique_ptr<disk::Image> image, Access access, std::string serial)
        : m_image(std::move(image)), m_capacity(m_image->size() / kSectorSize), m_access(access),
          m_serial(std::move(serial))
    {
    }
    void process();
    uint32_t execute(const DescriptorChain& chain);
    uint8_t handle(ChainReader& reader, ChainWriter& data);
    bool in_range(uint64_t sector, uint64_t bytes) const;
    uint8_t read_sectors(uint64_t sector, ChainWriter& data);
    uint8_t write_sectors(uint64_t sector, ChainReader& reader);

    std::unique_ptr<disk::Image> m_image;
    uint64_t m_capacity;  // in 512-byte sectors
    Access m_access;
    std::string m_serial;
    std::optional<ActiveContext> m_context;
};

}  // namespace vireo::virtio
