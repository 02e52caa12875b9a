#include "virtio/devices/console/console.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/bytes.hpp"
#include "base/log.hpp"

namespace vireo::virtio {

namespace {
// §5.3.4: struct virtio_console_config { le16 cols; le16 rows; le32 max_nr_ports; le32 emerg_wr; }.
// Without F_SIZE and F_MULTIPORT the first two fields are not valid and read as zero.
constexpr uint32_t kEmergWrOffset = 8;
constexpr size_t kConfigSize = 12;
}  // namespace

Console::Sink Console::fd_sink(int fd)
{
    return [fd](std::span<const uint8_t> bytes) {
        while (!bytes.empty()) {
            ssize_t n = ::write(fd, bytes.data(), bytes.size());
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) {
                // The host side went away (a closed pipe): the guest's output is dropped, the
                // guest itself carries on.
                LOG_DEBUG("virtio-console: write to fd %d: %s", fd, std::strerror(errno));
                return;
            }
            bytes = bytes.subspan(static_cast<size_t>(n));
        }
    };
}

void Console::read_config(uint32_t offset, std::span<uint8_t> out)
{
    uint8_t config[kConfigSize] = {};  // emerg_wr is write-only in spirit; it reads as 0
    read_config_bytes(config, offset, out);
}

void Console::write_config(uint32_t offset, std::span<const uint8_t> in)
{
    // §5.3.5.1: "The device MUST allow a write to emerg_wr, even on an unconfigured device" and
    // SHOULD output its lower byte. Any write that covers the field's first byte counts.
    if (offset <= kEmergWrOffset && kEmergWrOffset < offset + in.size()) {
        uint8_t byte = in[kEmergWrOffset - offset];
        m_sink(std::span(&byte, 1));
    }
}

size_t Console::push_input(std::span<const uint8_t> bytes)
{
    // Drop what was delivered, so the buffer never holds more than kMaxPendingInput bytes.
    m_input.erase(m_input.begin(), m_input.begin() + static_cast<ptrdiff_t>(m_input_head));
    m_input_head = 0;
    size_t room = kMaxPendingInput - std::min(kMaxPendingInput, pending_input());
    size_t accepted = std::min(room, bytes.size());
    if (accepted < bytes.size())
        LOG_DEBUG("virtio-console: input buffer full, dropping %zu bytes", bytes.size() - accepted);
    m_input.insert(m_input.end(), bytes.begin(), bytes.begin() + static_cast<ptrdiff_t>(accepted));
    deliver_input();
    return accepted;
}

Result<void> Console::activate(const ActiveContext& context)
{
    m_context.emplace(context);
    // Output queued and receive buffers posted before DRIVER_OK are served now.
    transmit();
    deliver_input();
    return {};
}

void Console::queue_notify(uint16_t queue)
{
    if (!m_context)
        return;
    if (queue == kTransmitQueue)
        transmit();
    else if (queue == kReceiveQueue)
        deliver_input();
}

void Console::transmit()
{
    ActiveContext& ctx = *m_context;
    ctx.serve_queue(kTransmitQueue, [this, &ctx](const DescriptorChain& chain) {
        ChainReader reader(ctx.memory, chain);
        for (;;) {
            auto piece = reader.peek(reader.remaining());
            if (piece.empty())
                break;
            m_sink(piece);
            reader.consume(piece.size());
        }
        return uint32_t{0};  // the device wrote nothing into the chain (§2.7.8)
    });
}

void Console::deliver_input()
{
    if (!m_context)
        return;
    ActiveContext& ctx = *m_context;
    // Only take receive buffers while there is input for them; without buffers the input waits.
    ctx.serve_queue(
        kReceiveQueue,
        [this, &ctx](const DescriptorChain& chain) {
            ChainWriter writer(ctx.memory, chain);
            m_input_head += writer.write(std::span(m_input).subspan(m_input_head));
            return static_cast<uint32_t>(writer.written());
        },
        [this] { return pending_input() > 0; });
    if (pending_input() == 0) {
        m_input.clear();
        m_input_head = 0;
    }
}

}  // namespace vireo::virtio
