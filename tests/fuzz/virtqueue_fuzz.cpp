// libFuzzer target for the device side of a split virtqueue (src/virtio/queue.cpp, chain.cpp):
// the descriptor walk (direct and indirect chains), the available and used rings, and the chain
// reader and writer that devices move bytes with. Everything it reads is the guest's.
//
// Input: a small header (queue size, negotiated features, where the three parts lie), then the
// guest's 64 KiB of RAM. The harness pops chains until the queue is empty or broken, reads every
// readable byte, fills every writable byte and returns each chain as used, like a device. Beyond
// "no crash", it checks what the queue promises its devices (queue.hpp, chain.hpp):
// - a chain's buffers lie wholly in RAM, its lengths add up, it has at most queue-size buffers;
// - readable() and writable() deliver exactly readable_len() and writable_len() bytes;
// - the device's writes land only in the chain's writable buffers (§2.7.5.1);
// - after an error the queue is broken and yields nothing more.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "fuzz_check.hpp"
#include "fuzz_input.hpp"
#include "memory/guest_memory.hpp"
#include "virtio/queue.hpp"
#include "virtio/spec.hpp"

using namespace vireo;
using vireo::fuzz::check;

namespace {

constexpr memory::GuestAddr kRamBase = 0x10000;
constexpr uint64_t kRamSize = 64 * 1024;
constexpr uint16_t kMaxQueueSize = 256;

memory::GuestMemory& ram()
{
    static memory::GuestMemory memory = [] {
        auto created = memory::GuestMemory::create(kRamBase, kRamSize);
        check(created.ok(), "guest RAM can be mapped");
        return created.release_value();
    }();
    return memory;
}

// An address for one of the queue's parts: mostly inside RAM, sometimes anywhere.
memory::GuestAddr place(fuzz::FuzzInput& in, bool anywhere)
{
    return anywhere ? in.u64() : kRamBase + in.u16();
}

uint64_t sum(std::span<const virtio::Segment> segments)
{
    uint64_t total = 0;
    for (const auto& s : segments)
        total += s.len;
    return total;
}

bool inside_writable(const virtio::DescriptorChain& chain, memory::GuestAddr addr)
{
    for (const auto& s : chain.writable())
        if (addr >= s.addr && addr - s.addr < s.len)
            return true;
    return false;
}

// Plays the device for one chain: reads it all, writes it all (through a split writer, as
// virtio-blk does), and checks that only the writable buffers changed.
uint32_t serve(memory::GuestMemory& memory, const virtio::DescriptorChain& chain, uint8_t fill)
{
    static std::vector<uint8_t> before(kRamSize), after(kRamSize);
    check(memory.read(kRamBase, before).ok(), "RAM reads");

    virtio::ChainReader reader(memory, chain);
    std::vector<uint8_t> bytes(reader.remaining());
    check(reader.read(bytes) == chain.readable_len(), "the reader delivers readable_len() bytes");
    uint8_t extra = 0;
    check(reader.read({&extra, 1}) == 0 && reader.remaining() == 0, "the reader ends at readable_len()");

    virtio::ChainWriter writer(memory, chain);
    check(writer.remaining() == chain.writable_len(), "the writer starts with writable_len() bytes");
    virtio::ChainWriter tail = writer.split_at(writer.remaining() / 2);
    std::vector<uint8_t> out(chain.writable_len(), fill);
    const size_t first = writer.write(out);
    const size_t second = tail.write(out);
    check(first + second == chain.writable_len(), "the split writers cover writable_len() bytes");
    check(writer.remaining() == 0 && tail.remaining() == 0, "the writers end at writable_len()");

    check(memory.read(kRamBase, after).ok(), "RAM reads");
    if (before != after) {
        for (uint64_t i = 0; i < kRamSize; ++i)
            if (before[i] != after[i])
                check(inside_writable(chain, kRamBase + i), "the device writes only device-writable buffers");
    }
    return static_cast<uint32_t>(writer.written() + tail.written());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    fuzz::FuzzInput in(data, size);
    memory::GuestMemory& memory = ram();

    virtio::Queue queue(kMaxQueueSize);
    queue.set_size(in.u16());
    const uint8_t mode = in.u8();
    uint64_t features = 0;
    if (mode & 1)
        features |= virtio::feature_bit(virtio::VIRTIO_F_INDIRECT_DESC);
    if (mode & 2)
        features |= virtio::feature_bit(virtio::VIRTIO_F_EVENT_IDX);
    queue.set_features(features);
    const bool anywhere = (mode & 4) != 0;
    queue.set_desc_table(place(in, anywhere));
    queue.set_avail_ring(place(in, anywhere));
    queue.set_used_ring(place(in, anywhere));

    auto span = memory.span(kRamBase, kRamSize);
    check(span.ok(), "RAM spans");
    std::memset(span.value().data(), 0, kRamSize);
    const auto image = in.rest();
    std::memcpy(span.value().data(), image.data(), std::min<size_t>(image.size(), kRamSize));

    // The transport enables only a queue that passes validate() (mmio_transport.cpp); with mode bit
    // 3 the harness skips the check, as a transport with a bug would, and the queue must still hold.
    if (!(mode & 8) && !queue.validate(memory).ok())
        return 0;
    queue.set_ready(true);

    // One pass, bounded as ActiveContext::serve_queue bounds it: the device's own writes may land on
    // the available ring (the guest can aim buffers there), so the ring can refill as it is read.
    for (unsigned pops = 0; pops <= kMaxQueueSize; ++pops) {
        auto popped = queue.pop(memory);
        if (!popped.ok()) {
            check(queue.broken(), "an error breaks the queue");
            auto again = queue.pop(memory);
            check(again.ok() && !again.value(), "a broken queue yields nothing");
            return 0;
        }
        if (!popped.value())
            return 0;
        const virtio::DescriptorChain& chain = *popped.value();
        check(chain.head() < queue.size(), "the head is a descriptor of the table");
        check(chain.readable().size() + chain.writable().size() <= queue.size(), "at most queue-size buffers");
        for (const auto& s : chain.readable())
            check(memory.contains(s.addr, s.len) && s.len > 0, "readable buffers lie in RAM");
        for (const auto& s : chain.writable())
            check(memory.contains(s.addr, s.len) && s.len > 0, "writable buffers lie in RAM");
        check(sum(chain.readable()) == chain.readable_len(), "readable_len() is the readable buffers' sum");
        check(sum(chain.writable()) == chain.writable_len(), "writable_len() is the writable buffers' sum");

        const uint32_t written = serve(memory, chain, static_cast<uint8_t>(pops));
        if (!queue.add_used(memory, chain.head(), written).ok()) {
            check(queue.broken(), "an error breaks the queue");
            return 0;
        }
        (void)queue.needs_notification(memory);
    }
    return 0;
}
