// libFuzzer target for virtio-blk's request handling (src/virtio/devices/block), on a 32 KiB raw
// image that every input starts from afresh. The session is played by virtio_device_harness; the
// first input byte picks a read-only or read-write disk.
//
// Beyond the harness's checks, each returned request is held to block.hpp and virtio 1.2 §5.2.6:
// - a request with a device-writable part is returned with all of it as used, and its last byte
//   is a status the spec defines (OK, IOERR, UNSUPP);
// - reads return what the disk holds: a model of the image follows every write the device
//   reported OK, and every IN that reports OK must return the model's bytes;
// - a read-only disk changes nothing.
#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "base/bytes.hpp"
#include "base/log.hpp"
#include "fuzz_check.hpp"
#include "host_tree.hpp"
#include "virtio/devices/block/block.hpp"
#include "virtio_device_harness.hpp"

using namespace vireo;
using vireo::fuzz::check;
using virtio::Block;

namespace {

constexpr uint64_t kImageBytes = 32 * 1024;

std::string g_image;

uint8_t pattern(uint64_t i)
{
    return static_cast<uint8_t>(i * 13 + (i >> 8));
}

void write_image()
{
    std::vector<uint8_t> bytes(kImageBytes);
    for (uint64_t i = 0; i < kImageBytes; ++i)
        bytes[i] = pattern(i);
    const int fd = ::open(g_image.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    check(fd >= 0 && ::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()),
          "the scratch image can be written");
    ::close(fd);
}

std::vector<uint8_t> read_image()
{
    std::vector<uint8_t> bytes(kImageBytes);
    const int fd = ::open(g_image.c_str(), O_RDONLY | O_CLOEXEC);
    check(fd >= 0 && ::read(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()),
          "the scratch image can be read");
    ::close(fd);
    return bytes;
}

// What the guest should see on the disk, from the requests the device reported done.
struct DiskModel {
    std::vector<uint8_t> bytes;
    bool valid = true;

    void check_used(const fuzz::UsedChain& chain)
    {
        if (chain.writable_len == 0) {
            check(chain.used_len == 0, "a request with no room for a status is returned empty");
            return;
        }
        check(chain.used_len == chain.writable_len, "the whole writable part is used (block.hpp)");
        const uint8_t status = chain.reply.back();
        check(status == Block::VIRTIO_BLK_S_OK || status == Block::VIRTIO_BLK_S_IOERR ||
                  status == Block::VIRTIO_BLK_S_UNSUPP,
              "the status byte is one §5.2.6 defines");
        if (!valid || status != Block::VIRTIO_BLK_S_OK || chain.request.size() < 16)
            return;
        const uint32_t type = load_le<uint32_t>(chain.request.data());
        const uint64_t offset = load_le<uint64_t>(chain.request.data() + 8) * Block::kSectorSize;
        if (type == Block::VIRTIO_BLK_T_OUT) {
            const size_t len = chain.request.size() - 16;
            check(offset <= bytes.size() && len <= bytes.size() - offset, "an OK write lies on the disk");
            std::memcpy(bytes.data() + offset, chain.request.data() + 16, len);
        } else if (type == Block::VIRTIO_BLK_T_IN) {
            const size_t len = chain.reply.size() - 1;
            check(offset <= bytes.size() && len <= bytes.size() - offset, "an OK read lies on the disk");
            check(std::memcmp(chain.reply.data(), bytes.data() + offset, len) == 0, "a read returns the disk's bytes");
        }
    }
};

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***)
{
    log::set_level(log::Level::Off);
    g_image = fuzz::make_scratch_dir("virtio-block") + "/disk.img";
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    fuzz::FuzzInput in(data, size);
    const bool read_only = (in.u8() & 1) != 0;
    write_image();
    DiskModel model;
    model.bytes = read_image();
    {
        auto opened = Block::open(g_image, {read_only ? Block::Access::ReadOnly : Block::Access::ReadWrite, "fuzz", {}});
        check(opened.ok(), "the scratch image opens");
        Block& device = *opened.value();
        check(device.capacity_sectors() == kImageBytes / Block::kSectorSize, "the capacity is the image's");
        fuzz::DeviceHooks hooks;
        hooks.check_used = [&model](const fuzz::UsedChain& chain) {
            if (chain.queue == 0)
                model.check_used(chain);
        };
        hooks.rings_overwritten = [&model] { model.valid = false; };  // requests go by unseen
        fuzz::drive_device(device, in, hooks);
    }
    if (read_only)
        check(read_image() == model.bytes, "a read-only disk is never written");
    else if (model.valid)
        check(read_image() == model.bytes, "the image holds what the device reported written");
    return 0;
}
