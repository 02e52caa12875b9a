// libFuzzer target for the virtio-mmio register file (src/virtio/mmio_transport.cpp): every access
// a guest can make to a device's window, in any order, of any size, with any value.
//
// Input: a sequence of operations — a register read or write (offset, size, value), a write of
// guest RAM (so rings can hold something), or a poll of the device. Behind the transport sits a
// probe device with two queues that records what the transport does to it. After every operation
// the harness checks the transport's promises (mmio_transport.hpp, virtio 1.2 §4.2):
// - the device is active exactly when the transport says so, and only after FEATURES_OK and
//   DRIVER_OK; it was activated with validated queues and negotiated features it offered;
// - queue_notify reaches only an active device, for a queue that exists and is ready;
// - the interrupt line is high exactly while InterruptStatus is not zero (§4.2.3.4);
// - MagicValue and Version never change; writing 0 to Status resets everything (§4.2.2.1).
#include <cstdint>
#include <optional>
#include <vector>

#include "base/bytes.hpp"
#include "base/log.hpp"
#include "bus/bus.hpp"
#include "fuzz_check.hpp"
#include "fuzz_input.hpp"
#include "memory/guest_memory.hpp"
#include "virtio/device.hpp"
#include "virtio/mmio_transport.hpp"

using namespace vireo;
using namespace vireo::virtio;
using vireo::fuzz::check;

namespace {

constexpr memory::GuestAddr kRamBase = 0x8000'0000;
constexpr uint64_t kRamSize = 64 * 1024;

class ProbeDevice final : public Device {
public:
    static constexpr uint64_t kFeatures = kCommonFeatures | feature_bit(0) | feature_bit(5);

    bool fail_activation = false;
    bool active() const { return m_context.has_value(); }

    DeviceId id() const override { return DeviceId::Entropy; }
    uint64_t device_features() const override { return kFeatures; }
    uint16_t queue_count() const override { return 2; }
    uint16_t queue_max_size(uint16_t queue) const override { return queue == 0 ? 8 : 64; }
    void read_config(uint32_t offset, std::span<uint8_t> out) override { read_config_bytes(m_config, offset, out); }
    void write_config(uint32_t offset, std::span<const uint8_t> in) override
    {
        for (size_t i = 0; i < in.size(); ++i)
            if (offset + i < sizeof m_config)
                m_config[offset + i] = in[i];
    }
    Result<void> activate(const ActiveContext& context) override
    {
        check(!m_context, "a device is not activated twice without a reset");
        check(context.queues.size() == queue_count(), "the context has every queue");
        check((context.features & ~kFeatures) == 0, "only offered features are negotiated");
        check(context.has_feature(VIRTIO_F_VERSION_1), "VERSION_1 is negotiated (§6.1)");
        for (const Queue& q : context.queues)
            check(!q.ready() || q.validate(context.memory).ok(), "ready queues are valid at activation");
        if (fail_activation)
            return Error::message("probe: refusing to activate");
        m_context.emplace(context);
        return {};
    }
    void queue_notify(uint16_t queue) override
    {
        check(m_context.has_value(), "notifications reach only an active device");
        check(queue < queue_count() && m_context->queues[queue].ready(), "notifications name a ready queue");
        serve(queue);
    }
    void poll() override
    {
        if (m_context)
            for (uint16_t q = 0; q < queue_count(); ++q)
                if (m_context->queues[q].ready())
                    serve(q);
    }
    void reset() override { m_context.reset(); }

private:
    void serve(uint16_t queue)
    {
        ActiveContext& ctx = *m_context;
        ctx.serve_queue(queue, [&ctx](const DescriptorChain& chain) {
            ChainWriter writer(ctx.memory, chain);
            const uint8_t reply[4] = {'p', 'r', 'o', 'b'};
            writer.write(reply);
            return static_cast<uint32_t>(writer.written());
        });
    }

    uint8_t m_config[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    std::optional<ActiveContext> m_context;
};

class Line final : public bus::InterruptLine {
public:
    void set_level(bool high) override { level = high; }
    bool level = false;
};

memory::GuestMemory& ram()
{
    static memory::GuestMemory memory = [] {
        auto created = memory::GuestMemory::create(kRamBase, kRamSize);
        check(created.ok(), "guest RAM can be mapped");
        return created.release_value();
    }();
    return memory;
}

uint32_t read32(MmioTransport& t, uint64_t offset)
{
    uint64_t value = 0;
    check(t.read(offset, 4, value), "the register window answers");
    return static_cast<uint32_t>(value);
}

// The offsets a driver uses most, so the fuzzer reaches them often; other values are raw offsets.
constexpr uint64_t kRegisters[] = {
    VIRTIO_MMIO_MAGIC_VALUE, VIRTIO_MMIO_VERSION, VIRTIO_MMIO_DEVICE_ID, VIRTIO_MMIO_DEVICE_FEATURES,
    VIRTIO_MMIO_DEVICE_FEATURES_SEL, VIRTIO_MMIO_DRIVER_FEATURES, VIRTIO_MMIO_DRIVER_FEATURES_SEL,
    VIRTIO_MMIO_QUEUE_SEL, VIRTIO_MMIO_QUEUE_NUM_MAX, VIRTIO_MMIO_QUEUE_NUM, VIRTIO_MMIO_QUEUE_READY,
    VIRTIO_MMIO_QUEUE_NOTIFY, VIRTIO_MMIO_INTERRUPT_STATUS, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_STATUS,
    VIRTIO_MMIO_QUEUE_DESC_LOW, VIRTIO_MMIO_QUEUE_DESC_HIGH, VIRTIO_MMIO_QUEUE_DRIVER_LOW,
    VIRTIO_MMIO_QUEUE_DRIVER_HIGH, VIRTIO_MMIO_QUEUE_DEVICE_LOW, VIRTIO_MMIO_QUEUE_DEVICE_HIGH,
    VIRTIO_MMIO_SHM_SEL, VIRTIO_MMIO_QUEUE_RESET, VIRTIO_MMIO_CONFIG_GENERATION, VIRTIO_MMIO_CONFIG,
};

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***)
{
    log::set_level(log::Level::Off);  // the transport warns about every bad queue
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    fuzz::FuzzInput in(data, size);
    memory::GuestMemory& memory = ram();
    auto whole = memory.span(kRamBase, kRamSize);
    check(whole.ok(), "RAM spans");
    std::fill(whole.value().begin(), whole.value().end(), uint8_t{0});

    ProbeDevice device;
    Line line;
    std::optional<MmioTransport> transport(std::in_place, device, memory, line);
    device.fail_activation = (in.u8() & 1) != 0;

    for (int ops = 0; ops < 256 && !in.empty(); ++ops) {
        const uint8_t op = in.u8();
        const uint8_t where = in.u8();
        const uint64_t offset = where < std::size(kRegisters) ? kRegisters[where] : where * 4u;
        static constexpr unsigned kSizes[] = {4, 4, 4, 1, 2, 8, 3, 0};
        const unsigned access = kSizes[(op >> 2) & 7];
        switch (op & 3) {
        case 0: {  // a register write
            const uint64_t value = (op & 0x20) ? in.u64() : in.u32();
            check(transport->write(offset + ((op & 0x40) ? 0x100 : 0), access, value), "the window takes writes");
            if (offset == VIRTIO_MMIO_STATUS && access == 4 && value == 0 && !(op & 0x40)) {
                check(read32(*transport, VIRTIO_MMIO_STATUS) == 0, "status reads 0 after a reset");
                check(read32(*transport, VIRTIO_MMIO_INTERRUPT_STATUS) == 0, "a reset clears InterruptStatus");
                check(!transport->active() && !device.active(), "a reset deactivates the device");
            }
            break;
        }
        case 1: {  // a register read
            uint64_t value = 0;
            check(transport->read(offset + ((op & 0x40) ? 0x100 : 0), access, value), "the window takes reads");
            check(access == 8 || value >> (8 * access) == 0, "a read returns no more bytes than asked");
            break;
        }
        case 2: {  // guest RAM, e.g. a ring
            const uint16_t at = in.u16();
            const auto bytes = in.bytes(where);
            if (memory.contains(kRamBase + at, bytes.size()))
                check(memory.write(kRamBase + at, bytes).ok(), "RAM writes");
            break;
        }
        case 3:
            if (op & 4)
                device.poll();
            else
                transport.emplace(device, memory, line);  // the machine is rebuilt: a fresh window
            break;
        }
        const uint32_t status = read32(*transport, VIRTIO_MMIO_STATUS);
        check(transport->active() == device.active(), "the transport and the device agree on activation");
        check(!device.active() || ((status & VIRTIO_CONFIG_S_DRIVER_OK) && (status & VIRTIO_CONFIG_S_FEATURES_OK)),
              "an active device has FEATURES_OK and DRIVER_OK");
        check(line.level == (read32(*transport, VIRTIO_MMIO_INTERRUPT_STATUS) != 0),
              "the line is high exactly while InterruptStatus is not 0 (§4.2.3.4)");
        check(read32(*transport, VIRTIO_MMIO_MAGIC_VALUE) == VIRTIO_MMIO_MAGIC, "MagicValue is \"virt\"");
        check(read32(*transport, VIRTIO_MMIO_VERSION) == 2, "Version is 2 (§4.2.2.1)");
    }
    return 0;
}
