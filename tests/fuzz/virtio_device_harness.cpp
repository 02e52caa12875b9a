#include "virtio_device_harness.hpp"

#include <algorithm>
#include <cstring>
#include <map>
#include <optional>

#include "base/bytes.hpp"
#include "bus/bus.hpp"
#include "fuzz_check.hpp"
#include "memory/guest_memory.hpp"
#include "virtio/mmio_transport.hpp"

namespace vireo::fuzz {

using namespace vireo::virtio;

namespace {

constexpr memory::GuestAddr kRamBase = 0x8000'0000;
constexpr uint64_t kRamSize = 1 << 20;
constexpr uint16_t kQueueSize = 16;
constexpr uint16_t kMaxQueues = 8;
// Each queue's parts, at offsets from its slot: the descriptor table (16 * 16 bytes), the
// available ring (6 + 2 * 16) and the used ring (6 + 8 * 16), aligned as §2.7.1 asks.
constexpr uint64_t kSlotSize = 0x400;
constexpr uint64_t kDescAt = 0, kAvailAt = 0x100, kUsedAt = 0x200;
constexpr uint64_t kUsedBytes = 6 + kUsedElemSize * kQueueSize;
constexpr uint64_t kDataStart = kSlotSize * kMaxQueues;  // buffers and indirect tables from here
constexpr unsigned kMaxSteps = 64;

struct Range {
    uint64_t start, end;  // offsets into RAM
};

// A chain the device has not returned yet.
struct Pending {
    std::vector<uint16_t> descriptors;
    std::vector<Range> readable;
    std::vector<Range> writable;
    uint32_t writable_len = 0;
};

struct DriverQueue {
    uint16_t size = 0;  // 0: not set up
    uint16_t avail_idx = 0;
    uint16_t last_used = 0;
    std::vector<bool> in_use;
    std::map<uint16_t, Pending> pending;  // by head
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

class Driver {
public:
    Driver(Device& device, FuzzInput& in, const DeviceHooks& hooks)
        : m_device(device), m_in(in), m_hooks(hooks), m_memory(ram()), m_ram(m_memory.span(kRamBase, kRamSize).value()),
          m_transport(device, m_memory, m_line)
    {
        check(device.queue_count() <= kMaxQueues, "the harness has room for the device's queues");
        std::memset(m_ram.data(), 0, kDataStart);
        m_shadow.assign(m_ram.begin(), m_ram.begin() + kDataStart);
    }

    void run()
    {
        initialize(m_in.u8());
        for (unsigned step = 0; step < kMaxSteps && !m_in.empty(); ++step) {
            play_step();
            check_step();
        }
    }

private:
    uint32_t read32(uint64_t reg)
    {
        uint64_t value = 0;
        check(m_transport.read(reg, 4, value), "the register window answers");
        return static_cast<uint32_t>(value);
    }
    void write32(uint64_t reg, uint32_t value) { check(m_transport.write(reg, 4, value), "the register window answers"); }

    // Driver writes to guest RAM go through here, so the shadow copy knows them.
    void put(uint64_t offset, std::span<const uint8_t> bytes)
    {
        check(offset + bytes.size() <= kRamSize, "the harness writes inside RAM");
        if (bytes.empty())
            return;
        if (offset + bytes.size() > m_shadow.size()) {
            // Bytes skipped for alignment keep whatever an earlier input left there.
            const size_t old = m_shadow.size();
            m_shadow.resize(offset + bytes.size());
            std::memcpy(m_shadow.data() + old, m_ram.data() + old, m_shadow.size() - old);
        }
        std::memcpy(m_ram.data() + offset, bytes.data(), bytes.size());
        std::memcpy(m_shadow.data() + offset, bytes.data(), bytes.size());
    }
    template <typename T>
    void put_le(uint64_t offset, T value)
    {
        uint8_t raw[sizeof(T)];
        store_le(raw, value);
        put(offset, raw);
    }
    template <typename T>
    T get_le(uint64_t offset) const
    {
        return load_le<T>(m_ram.data() + offset);
    }
    std::optional<uint64_t> alloc(uint64_t len, uint64_t align)
    {
        const uint64_t at = (m_next_free + align - 1) & ~(align - 1);
        if (at + len > kRamSize)
            return std::nullopt;
        m_next_free = at + len;
        return at;
    }

    // virtio 1.2 §3.1.1, steps 1 to 8, with the features `choice` picks from what is offered.
    void initialize(uint8_t choice)
    {
        write32(VIRTIO_MMIO_STATUS, 0);
        check(read32(VIRTIO_MMIO_STATUS) == 0, "status reads 0 after a reset");
        if (m_hooks.after_reset)
            m_hooks.after_reset();
        for (uint16_t q = 0; q < kMaxQueues; ++q)
            m_queues[q] = DriverQueue{};
        m_next_free = kDataStart;
        m_allowed.clear();
        m_trusted = true;

        write32(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE);
        write32(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
        write32(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
        uint64_t offered = read32(VIRTIO_MMIO_DEVICE_FEATURES);
        write32(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
        offered |= uint64_t{read32(VIRTIO_MMIO_DEVICE_FEATURES)} << 32;
        uint64_t wanted = feature_bit(VIRTIO_F_VERSION_1);
        if (choice & 1)
            wanted |= feature_bit(VIRTIO_F_INDIRECT_DESC);
        if (choice & 2)
            wanted |= feature_bit(VIRTIO_F_EVENT_IDX);
        if (choice & 4)
            wanted |= 0xffffff;  // the device-specific bits (§6: 0 to 23)
        m_features = offered & wanted;
        write32(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
        write32(VIRTIO_MMIO_DRIVER_FEATURES, static_cast<uint32_t>(m_features));
        write32(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
        write32(VIRTIO_MMIO_DRIVER_FEATURES, static_cast<uint32_t>(m_features >> 32));
        write32(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK);
        check((read32(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_FEATURES_OK) != 0, "offered features are accepted");

        for (uint16_t q = 0; q < m_device.queue_count(); ++q) {
            write32(VIRTIO_MMIO_QUEUE_SEL, q);
            const uint32_t max = read32(VIRTIO_MMIO_QUEUE_NUM_MAX);
            if (max == 0)
                continue;
            DriverQueue& dq = m_queues[q];
            dq.size = static_cast<uint16_t>(std::min<uint32_t>(kQueueSize, max));
            dq.in_use.assign(dq.size, false);
            const uint64_t slot = kSlotSize * q;
            const uint8_t zeros[kSlotSize] = {};
            put(slot, zeros);
            m_allowed.push_back({slot + kUsedAt, slot + kUsedAt + kUsedBytes});
            write32(VIRTIO_MMIO_QUEUE_NUM, dq.size);
            const uint64_t desc = kRamBase + slot + kDescAt, avail = kRamBase + slot + kAvailAt,
                           used = kRamBase + slot + kUsedAt;
            write32(VIRTIO_MMIO_QUEUE_DESC_LOW, static_cast<uint32_t>(desc));
            write32(VIRTIO_MMIO_QUEUE_DESC_HIGH, static_cast<uint32_t>(desc >> 32));
            write32(VIRTIO_MMIO_QUEUE_DRIVER_LOW, static_cast<uint32_t>(avail));
            write32(VIRTIO_MMIO_QUEUE_DRIVER_HIGH, static_cast<uint32_t>(avail >> 32));
            write32(VIRTIO_MMIO_QUEUE_DEVICE_LOW, static_cast<uint32_t>(used));
            write32(VIRTIO_MMIO_QUEUE_DEVICE_HIGH, static_cast<uint32_t>(used >> 32));
            write32(VIRTIO_MMIO_QUEUE_READY, 1);
        }
        write32(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
                                        VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK);
        check_step();
    }

    void play_step()
    {
        const uint8_t op = m_in.u8();
        switch (op % 8) {
        case 0:
        case 1:
            add_chain(static_cast<uint16_t>(m_in.u8() % m_device.queue_count()), op);
            break;
        case 2:
            write32(VIRTIO_MMIO_QUEUE_NOTIFY, m_in.u8());
            break;
        case 3:
            m_device.poll();
            break;
        case 4: {
            static constexpr unsigned kSizes[] = {1, 2, 4, 8};
            const uint64_t offset = VIRTIO_MMIO_CONFIG + m_in.u8();
            const unsigned size = kSizes[(op >> 3) & 3];
            uint64_t value = 0;
            if (op & 0x20)
                check(m_transport.write(offset, size, m_in.u64()), "the config window takes writes");
            else
                check(m_transport.read(offset, size, value), "the config window takes reads");
            break;
        }
        case 5:
            if (m_hooks.host_event)
                m_hooks.host_event(m_in.bytes(m_in.u16() % 2048));
            break;
        case 6:
            initialize(m_in.u8());
            break;
        case 7: {
            // Raw bytes over a queue's parts: from here on the chains are the fuzzer's own.
            const uint64_t slot = kSlotSize * static_cast<uint64_t>(m_in.u8() % m_device.queue_count());
            const uint64_t at = slot + m_in.u16() % kSlotSize;
            const auto bytes = m_in.bytes(std::min<uint64_t>(m_in.u8() % 32, slot + kSlotSize - at));
            put(at, bytes);
            m_trusted = false;
            if (m_hooks.rings_overwritten)
                m_hooks.rings_overwritten();
            break;
        }
        }
    }

    // virtio 1.2 §2.7.13: a chain of up to 3 readable and 3 writable buffers with fuzzed contents
    // (direct, or in an indirect table when negotiated), made available, then usually notified.
    void add_chain(uint16_t q, uint8_t op)
    {
        DriverQueue& dq = m_queues[q];
        const uint8_t shape = m_in.u8();
        const unsigned readable = shape & 3, writable = (shape >> 2) & 3;
        const bool indirect = (shape & 0x10) && (m_features & feature_bit(VIRTIO_F_INDIRECT_DESC));
        const bool backwards = (shape & 0x20) != 0;  // writable first: §2.7.4.2 forbids it
        struct Buffer {
            uint64_t at;
            uint32_t len;
            bool writable;
        };
        std::vector<Buffer> buffers;
        Pending pending;
        for (unsigned i = 0; i < readable + writable; ++i) {
            const bool is_writable = i >= readable;
            const uint32_t len = m_in.u16() & 0x3fff;
            auto at = alloc(len, 8);
            if (!at)
                return;
            if (is_writable) {
                std::vector<uint8_t> fill(len, 0xaa);
                put(*at, fill);
            } else {
                std::vector<uint8_t> bytes(len);
                const auto given = m_in.bytes(len);
                std::copy(given.begin(), given.end(), bytes.begin());
                put(*at, bytes);
            }
            buffers.push_back({*at, len, is_writable});
        }
        if (buffers.empty())
            buffers.push_back({kDataStart, 0, false});
        if (backwards)
            std::reverse(buffers.begin(), buffers.end());
        // In chain order, which is the order the device reads and writes them.
        for (const Buffer& b : buffers) {
            (b.writable ? pending.writable : pending.readable).push_back({b.at, b.at + b.len});
            if (b.writable)
                pending.writable_len += b.len;
        }

        const size_t needed = indirect ? 1 : buffers.size();
        std::vector<uint16_t> free;
        for (uint16_t i = 0; i < dq.size && free.size() < needed; ++i)
            if (!dq.in_use[i])
                free.push_back(i);
        if (dq.size == 0 || free.size() < needed)
            return;  // no room in the table: a driver waits for used buffers

        const uint64_t table = kSlotSize * q + kDescAt;
        auto write_desc = [this](uint64_t at, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next) {
            put_le<uint64_t>(at, addr);
            put_le<uint32_t>(at + 8, len);
            put_le<uint16_t>(at + 12, flags);
            put_le<uint16_t>(at + 14, next);
        };
        auto flags_of = [&](size_t i) {
            uint16_t flags = buffers[i].writable ? VIRTQ_DESC_F_WRITE : 0;
            if (i + 1 < buffers.size())
                flags |= VIRTQ_DESC_F_NEXT;
            return flags;
        };
        if (indirect) {
            auto at = alloc(kDescriptorSize * buffers.size(), 16);
            if (!at)
                return;
            for (size_t i = 0; i < buffers.size(); ++i)
                write_desc(*at + kDescriptorSize * i, kRamBase + buffers[i].at, buffers[i].len, flags_of(i),
                           static_cast<uint16_t>(i + 1));
            write_desc(table + kDescriptorSize * free[0], kRamBase + *at,
                       static_cast<uint32_t>(kDescriptorSize * buffers.size()), VIRTQ_DESC_F_INDIRECT, 0);
        } else {
            for (size_t i = 0; i < buffers.size(); ++i)
                write_desc(table + kDescriptorSize * free[i], kRamBase + buffers[i].at, buffers[i].len, flags_of(i),
                           i + 1 < free.size() ? free[i + 1] : uint16_t{0});
        }
        for (uint16_t d : free)
            dq.in_use[d] = true;
        pending.descriptors = free;
        const uint16_t head = free[0];
        for (const Range& r : pending.writable)
            m_allowed.push_back(r);
        dq.pending[head] = std::move(pending);

        // §2.7.13.2-3: the ring entry, then the idx that publishes it.
        const uint64_t avail = kSlotSize * q + kAvailAt;
        put_le<uint16_t>(avail + 4 + 2 * uint64_t{static_cast<uint16_t>(dq.avail_idx % dq.size)}, head);
        dq.avail_idx++;
        put_le<uint16_t>(avail + 2, dq.avail_idx);
        if (!(op & 0x80))
            write32(VIRTIO_MMIO_QUEUE_NOTIFY, q);
    }

    void check_step()
    {
        check(m_line.level == (read32(VIRTIO_MMIO_INTERRUPT_STATUS) != 0),
              "the line is high exactly while InterruptStatus is not 0 (§4.2.3.4)");
        for (uint16_t q = 0; q < m_device.queue_count(); ++q)
            collect_used(q);
        check_memory();
        // §4.2.3.4: the driver acknowledges what it saw.
        write32(VIRTIO_MMIO_INTERRUPT_ACK, read32(VIRTIO_MMIO_INTERRUPT_STATUS));
        check(!m_line.level, "an acknowledged interrupt drops the line");
    }

    // §2.7.14: what the device returned since the last look.
    void collect_used(uint16_t q)
    {
        DriverQueue& dq = m_queues[q];
        if (dq.size == 0)
            return;
        const uint64_t used = kSlotSize * q + kUsedAt;
        const uint16_t used_idx = get_le<uint16_t>(used + 2);
        if (!m_trusted) {
            dq.last_used = used_idx;
            return;
        }
        check(static_cast<uint16_t>(used_idx - dq.last_used) <= dq.pending.size(),
              "the used idx moves by no more than the chains outstanding");
        for (; dq.last_used != used_idx; ++dq.last_used) {
            const uint64_t elem = used + 4 + kUsedElemSize * (dq.last_used % dq.size);
            const uint32_t id = get_le<uint32_t>(elem);
            const uint32_t len = get_le<uint32_t>(elem + 4);
            auto it = dq.pending.find(static_cast<uint16_t>(id));
            check(id < dq.size && it != dq.pending.end(), "the used ring returns only outstanding heads (§2.7.8)");
            const Pending& p = it->second;
            check(len <= p.writable_len, "the used length fits the device-writable part (§2.7.8.2)");
            if (m_hooks.check_used) {
                UsedChain chain;
                chain.queue = q;
                chain.writable_len = p.writable_len;
                chain.used_len = len;
                for (const Range& r : p.readable)
                    chain.request.insert(chain.request.end(), m_ram.begin() + static_cast<ptrdiff_t>(r.start),
                                         m_ram.begin() + static_cast<ptrdiff_t>(r.end));
                for (const Range& r : p.writable) {
                    const uint64_t take = std::min<uint64_t>(r.end - r.start, len - chain.reply.size());
                    chain.reply.insert(chain.reply.end(), m_ram.begin() + static_cast<ptrdiff_t>(r.start),
                                       m_ram.begin() + static_cast<ptrdiff_t>(r.start + take));
                }
                m_hooks.check_used(chain);
            }
            for (uint16_t d : p.descriptors)
                dq.in_use[d] = false;
            dq.pending.erase(it);
        }
    }

    // §2.7.5.1: the device writes only device-writable buffers (and, as the device, the used rings).
    void check_memory()
    {
        const size_t n = m_shadow.size();
        if (m_trusted) {
            std::vector<Range> allowed = m_allowed;
            std::sort(allowed.begin(), allowed.end(), [](const Range& a, const Range& b) { return a.start < b.start; });
            uint64_t at = 0;  // everything before `at` is checked or allowed
            auto check_gap = [&](uint64_t end) {
                end = std::min<uint64_t>(end, n);
                if (at < end)
                    check(std::memcmp(m_ram.data() + at, m_shadow.data() + at, end - at) == 0,
                          "the device writes only device-writable buffers and the used ring");
            };
            for (const Range& r : allowed) {
                check_gap(r.start);
                at = std::max(at, r.end);
            }
            check_gap(n);
        }
        std::memcpy(m_shadow.data(), m_ram.data(), n);
    }

    Device& m_device;
    FuzzInput& m_in;
    const DeviceHooks& m_hooks;
    memory::GuestMemory& m_memory;
    std::span<uint8_t> m_ram;
    Line m_line;
    MmioTransport m_transport;
    uint64_t m_features = 0;
    DriverQueue m_queues[kMaxQueues];
    uint64_t m_next_free = kDataStart;
    std::vector<uint8_t> m_shadow;  // RAM as the driver left it, up to the highest byte it wrote
    std::vector<Range> m_allowed;   // where the device may write
    bool m_trusted = true;          // false once raw bytes went over the rings, until a reset
};

}  // namespace

void drive_device(Device& device, FuzzInput& in, const DeviceHooks& hooks)
{
    Driver driver(device, in, hooks);
    driver.run();
}

}  // namespace vireo::fuzz
