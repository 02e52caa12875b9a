#include "virtio/device.hpp"

#include <algorithm>
#include <cstring>

#include "base/log.hpp"

namespace vireo::virtio {

void ActiveContext::notify_used(uint16_t queue)
{
    auto wanted = queues[queue].needs_notification(memory);
    if (!wanted.ok()) {
        queue_failed(queue, wanted.error());
        return;
    }
    if (wanted.value())
        interrupt.signal_used_buffer(queue);
}

void ActiveContext::queue_failed(uint16_t queue, const Error& error)
{
    // One warning per failure: the queue is broken from here on, so this cannot repeat until the
    // driver resets the device.
    // FIXME: a guest that resets and breaks its queues in a loop can still fill the log; rate-limit
    // guest-caused warnings (Firecracker does) once the log facility has a limiter.
    LOG_WARN("virtio: queue %u: %s; setting DEVICE_NEEDS_RESET", queue, error.text().c_str());
    interrupt.set_needs_reset();
}

void read_config_bytes(std::span<const uint8_t> config, uint32_t offset, std::span<uint8_t> out)
{
    std::fill(out.begin(), out.end(), uint8_t{0});
    if (offset >= config.size())
        return;
    size_t n = std::min(out.size(), config.size() - offset);
    std::memcpy(out.data(), config.data() + offset, n);
}

void ActiveContext::serve_queue(uint16_t index, const ChainHandler& handle, const std::function<bool()>& more)
{
    // virtio 1.2 §2.1.2: after DEVICE_NEEDS_RESET the device is in an error state; it consumes no
    // more buffers, on any queue, until the driver resets it.
    if (interrupt.needs_reset())
        return;
    Queue& queue = queues[index];
    bool used = false;
    for (uint32_t budget = queue.size(); budget > 0 && (!more || more()); --budget) {
        auto popped = queue.pop(memory);
        if (!popped.ok()) {
            queue_failed(index, popped.error());
            break;
        }
        if (!popped.value())
            break;  // the ring is empty
        const DescriptorChain& chain = *popped.value();
        const uint32_t written = handle(chain);
        if (auto r = queue.add_used(memory, chain.head(), written); !r.ok()) {
            queue_failed(index, r.error());
            break;
        }
        used = true;
    }
    if (used && !queue.broken())
        notify_used(index);
}

}  // namespace vireo::virtio
