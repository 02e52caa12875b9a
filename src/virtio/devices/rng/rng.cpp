#include "virtio/devices/rng/rng.hpp"

#include <sys/random.h>

#include <cerrno>
#include <cstring>

#include "base/log.hpp"

namespace vireo::virtio {

void Rng::read_config(uint32_t offset, std::span<uint8_t> out)
{
    read_config_bytes({}, offset, out);
}

Result<void> Rng::activate(const ActiveContext& context)
{
    m_context.emplace(context);
    // Buffers the driver made available before DRIVER_OK (and any early notification) are
    // served now.
    process();
    return {};
}

void Rng::queue_notify(uint16_t queue)
{
    if (m_context && queue == 0)
        process();
}

void Rng::process()
{
    ActiveContext& ctx = *m_context;
    ctx.serve_queue(0, [&ctx](const DescriptorChain& chain) {
        ChainWriter writer(ctx.memory, chain);
        uint64_t left = kMaxBytesPerRequest;
        while (left > 0) {
            auto piece = writer.peek(left);
            if (piece.empty())
                break;
            ssize_t n = ::getrandom(piece.data(), piece.size(), 0);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) {
                // A host failure: return what we have (possibly nothing) rather than stall.
                LOG_WARN("virtio-rng: getrandom: %s", std::strerror(errno));
                break;
            }
            writer.advance(static_cast<uint64_t>(n));
            left -= static_cast<uint64_t>(n);
        }
        return static_cast<uint32_t>(writer.written());
    });
}

}  // namespace vireo::virtio
