#include "virtio/mmio_transport.hpp"

#include "base/bytes.hpp"
#include "base/log.hpp"

namespace vireo::virtio {

MmioTransport::MmioTransport(Device& device, memory::GuestMemory& memory, bus::InterruptLine& irq)
    : m_device(device), m_memory(memory), m_irq(irq)
{
    uint16_t count = device.queue_count();
    m_queues.reserve(count);
    for (uint16_t i = 0; i < count; ++i)
        m_queues.emplace_back(device.queue_max_size(i));
    m_irq.set_level(false);
}

MmioTransport::~MmioTransport()
{
    // The device holds references to our queues while active; take them back.
    if (m_active)
        m_device.reset();
}

bool MmioTransport::read(uint64_t offset, unsigned size, uint64_t& value)
{
    value = 0;
    if (offset >= VIRTIO_MMIO_CONFIG) {
        // §4.2.2.2: the config space is accessed with 8-, 16- and 32-bit accesses (64-bit fields as
        // two 32-bit ones). We also answer 64-bit accesses: harmless, and some guests use them.
        if (size != 1 && size != 2 && size != 4 && size != 8)
            return true;
        uint8_t bytes[8] = {};
        m_device.read_config(static_cast<uint32_t>(offset - VIRTIO_MMIO_CONFIG), std::span(bytes, size));
        value = load_le<uint64_t>(bytes);
        return true;
    }
    // §4.2.2.2: "The driver MUST only use 32 bit wide and aligned reads and writes to access the
    // control registers". Anything else reads as 0.
    if (size != 4 || offset % 4 != 0) {
        LOG_DEBUG("virtio-mmio: ignoring %u-byte read at 0x%lx", size, static_cast<unsigned long>(offset));
        return true;
    }
    value = read_register(offset);
    return true;
}

bool MmioTransport::write(uint64_t offset, unsigned size, uint64_t value)
{
    if (offset >= VIRTIO_MMIO_CONFIG) {
        if (size != 1 && size != 2 && size != 4 && size != 8)
            return true;
        uint8_t bytes[8];
        store_le(bytes, value);
        m_device.write_config(static_cast<uint32_t>(offset - VIRTIO_MMIO_CONFIG), std::span<const uint8_t>(bytes, size));
        return true;
    }
    if (size != 4 || offset % 4 != 0) {
        LOG_DEBUG("virtio-mmio: ignoring %u-byte write at 0x%lx", size, static_cast<unsigned long>(offset));
        return true;
    }
    write_register(offset, static_cast<uint32_t>(value));
    return true;
}

Queue* MmioTransport::selected_queue()
{
    return m_queue_sel < m_queues.size() ? &m_queues[m_queue_sel] : nullptr;
}

Queue* MmioTransport::configurable_queue()
{
    Queue* q = selected_queue();
    // §4.2.2.2: "When QueueReady is not zero, the driver MUST NOT access QueueNum, QueueDescLow,
    // ..." — such writes are ignored, so a ready queue cannot move under the device.
    if (q && q->ready()) {
        LOG_DEBUG("virtio-mmio: ignoring a configuration write to ready queue %u", m_queue_sel);
        return nullptr;
    }
    return q;
}

uint32_t MmioTransport::read_register(uint64_t offset)
{
    switch (offset) {
    case VIRTIO_MMIO_MAGIC_VALUE:
        return VIRTIO_MMIO_MAGIC;
    case VIRTIO_MMIO_VERSION:
        return 2;  // §4.2.2.1: "The device MUST return value 0x2 in Version."
    case VIRTIO_MMIO_DEVICE_ID:
        return static_cast<uint32_t>(m_device.id());
    case VIRTIO_MMIO_VENDOR_ID:
        return kVendorId;
    case VIRTIO_MMIO_DEVICE_FEATURES: {
        uint64_t features = m_device.device_features();
        if (m_device_features_sel == 0)
            return static_cast<uint32_t>(features);
        if (m_device_features_sel == 1)
            return static_cast<uint32_t>(features >> 32);
        return 0;
    }
    case VIRTIO_MMIO_QUEUE_NUM_MAX: {
        Queue* q = selected_queue();
        return q ? q->max_size() : 0;  // 0: "the queue is not available"
    }
    case VIRTIO_MMIO_QUEUE_READY: {
        Queue* q = selected_queue();
        return q && q->ready() ? 1 : 0;
    }
    case VIRTIO_MMIO_INTERRUPT_STATUS:
        return m_interrupt_status;
    case VIRTIO_MMIO_STATUS:
        return m_status;
    case VIRTIO_MMIO_SHM_LEN_LOW:
    case VIRTIO_MMIO_SHM_LEN_HIGH:
    case VIRTIO_MMIO_SHM_BASE_LOW:
    case VIRTIO_MMIO_SHM_BASE_HIGH:
        return 0xffffffff;  // §4.2.2: no shared memory regions: length and base read as -1
    case VIRTIO_MMIO_CONFIG_GENERATION:
        return m_config_generation;
    default:
        // Write-only registers, QueueReset (VIRTIO_F_RING_RESET is not offered), holes.
        return 0;
    }
}

void MmioTransport::write_register(uint64_t offset, uint32_t value)
{
    switch (offset) {
    case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
        m_device_features_sel = value;
        return;
    case VIRTIO_MMIO_DRIVER_FEATURES:
        // §3.1.1: features are fixed once FEATURES_OK is set.
        if (m_status & VIRTIO_CONFIG_S_FEATURES_OK)
            return;
        if (m_driver_features_sel == 0)
            m_driver_features = (m_driver_features & 0xffffffff00000000ull) | value;
        else if (m_driver_features_sel == 1)
            m_driver_features = (m_driver_features & 0xffffffffull) | (uint64_t{value} << 32);
        else if (value != 0)
            m_driver_features_unknown = true;  // bits the device cannot have offered
        return;
    case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
        m_driver_features_sel = value;
        return;
    case VIRTIO_MMIO_QUEUE_SEL:
        m_queue_sel = value;
        return;
    case VIRTIO_MMIO_QUEUE_NUM:
        if (Queue* q = configurable_queue())
            q->set_size(value > 0xffff ? 0 : static_cast<uint16_t>(value));  // checked when enabled
        return;
    case VIRTIO_MMIO_QUEUE_READY: {
        Queue* q = selected_queue();
        if (!q || value > 1)
            return;
        if (value == 0) {
            q->set_ready(false);
            return;
        }
        if (q->ready())
            return;
        // A queue enabled after DRIVER_OK is checked now; earlier ones are checked at DRIVER_OK.
        if (m_active) {
            auto valid = q->validate(m_memory);
            if (!valid.ok()) {
                LOG_WARN("virtio-mmio: queue %u: %s", m_queue_sel, valid.error().text().c_str());
                set_needs_reset();
                return;
            }
        }
        q->set_ready(true);
        return;
    }
    case VIRTIO_MMIO_QUEUE_NOTIFY:
        // §2.1.2: no buffers are consumed before DRIVER_OK, nor after the device asked for a reset.
        // Without VIRTIO_F_NOTIFICATION_DATA the value is the queue index (§4.2.3.3).
        if (m_active && !(m_status & VIRTIO_CONFIG_S_NEEDS_RESET) && value < m_queues.size() &&
            m_queues[value].ready())
            m_device.queue_notify(static_cast<uint16_t>(value));
        return;
    case VIRTIO_MMIO_INTERRUPT_ACK:
        m_interrupt_status &= ~value;
        update_line();
        return;
    case VIRTIO_MMIO_STATUS:
        write_status(value);
        return;
    case VIRTIO_MMIO_QUEUE_DESC_LOW:
    case VIRTIO_MMIO_QUEUE_DESC_HIGH:
    case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
    case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
    case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
    case VIRTIO_MMIO_QUEUE_DEVICE_HIGH: {
        Queue* q = configurable_queue();
        if (!q)
            return;
        auto merge = [&](memory::GuestAddr old) {
            return (offset & 4) ? (old & 0xffffffffull) | (uint64_t{value} << 32)
                                : (old & 0xffffffff00000000ull) | value;
        };
        if (offset < VIRTIO_MMIO_QUEUE_DRIVER_LOW)
            q->set_desc_table(merge(q->desc_table()));
        else if (offset < VIRTIO_MMIO_QUEUE_DEVICE_LOW)
            q->set_avail_ring(merge(q->avail_ring()));
        else
            q->set_used_ring(merge(q->used_ring()));
        return;
    }
    default:
        // Read-only registers, QueueReset (VIRTIO_F_RING_RESET is not offered), SHMSel, holes.
        LOG_DEBUG("virtio-mmio: ignoring a write of 0x%x to 0x%lx", value, static_cast<unsigned long>(offset));
        return;
    }
}

bool MmioTransport::features_acceptable() const
{
    // §2.2.1: the driver accepts only offered features; §6.1: it MUST accept VIRTIO_F_VERSION_1,
    // and this is a modern-only device (§6.2: it MAY fail to operate without it).
    return !m_driver_features_unknown && (m_driver_features & ~m_device.device_features()) == 0 &&
           (m_driver_features & feature_bit(VIRTIO_F_VERSION_1)) != 0;
}

void MmioTransport::write_status(uint32_t value)
{
    // §4.2.2: "Writing zero (0x0) to this register triggers a device reset."
    if (value == 0) {
        reset();
        return;
    }
    // §2.1.1: "The driver MUST NOT clear a device status bit." Such writes are ignored whole.
    // DEVICE_NEEDS_RESET is the device's bit: the driver may or may not echo it back.
    if (m_status & ~value & ~VIRTIO_CONFIG_S_NEEDS_RESET) {
        LOG_DEBUG("virtio-mmio: ignoring status 0x%x: it clears bits of 0x%x", value, m_status);
        return;
    }
    uint32_t added = value & ~m_status & 0xff & ~VIRTIO_CONFIG_S_NEEDS_RESET;

    // §3.1.1: the bits come in order: ACKNOWLEDGE, DRIVER, FEATURES_OK, DRIVER_OK. A bit whose
    // predecessor is missing is ignored. FAILED may come at any time.
    if (added & VIRTIO_CONFIG_S_FAILED)
        m_status |= VIRTIO_CONFIG_S_FAILED;
    if (added & VIRTIO_CONFIG_S_ACKNOWLEDGE)
        m_status |= VIRTIO_CONFIG_S_ACKNOWLEDGE;
    if ((added & VIRTIO_CONFIG_S_DRIVER) && (m_status & VIRTIO_CONFIG_S_ACKNOWLEDGE))
        m_status |= VIRTIO_CONFIG_S_DRIVER;
    if ((added & VIRTIO_CONFIG_S_FEATURES_OK) && (m_status & VIRTIO_CONFIG_S_DRIVER)) {
        // §2.2.2: a device that cannot accept the driver's subset "MUST fail to set the
        // FEATURES_OK device status bit"; the driver sees that when it re-reads Status.
        if (features_acceptable()) {
            m_status |= VIRTIO_CONFIG_S_FEATURES_OK;
            for (auto& q : m_queues)
                q.set_features(m_driver_features);
        } else {
            LOG_WARN("virtio-mmio: device type %u: driver features 0x%llx are not a subset of 0x%llx with VERSION_1",
                     static_cast<unsigned>(m_device.id()), static_cast<unsigned long long>(m_driver_features),
                     static_cast<unsigned long long>(m_device.device_features()));
        }
    }
    if ((added & VIRTIO_CONFIG_S_DRIVER_OK) && (m_status & VIRTIO_CONFIG_S_FEATURES_OK)) {
        m_status |= VIRTIO_CONFIG_S_DRIVER_OK;
        activate();
    }
}

void MmioTransport::activate()
{
    // §2.1.2 policy for a bad queue configuration at DRIVER_OK: DEVICE_NEEDS_RESET, stay inactive.
    for (size_t i = 0; i < m_queues.size(); ++i) {
        if (!m_queues[i].ready())
            continue;
        auto valid = m_queues[i].validate(m_memory);
        if (!valid.ok()) {
            LOG_WARN("virtio-mmio: queue %zu: %s", i, valid.error().text().c_str());
            set_needs_reset();
            return;
        }
    }
    m_active = true;
    auto activated = m_device.activate(ActiveContext{m_memory, m_queues, m_driver_features, *this});
    if (!activated.ok()) {
        LOG_WARN("virtio-mmio: activating the device: %s", activated.error().text().c_str());
        m_active = false;
        m_device.reset();
        set_needs_reset();
    }
}

void MmioTransport::reset()
{
    // §2.4 and §4.2.2.1: "Upon reset, the device MUST clear all bits in InterruptStatus and ready
    // bits in the QueueReady register for all queues in the device."
    m_device.reset();
    m_active = false;
    for (auto& q : m_queues)
        q.reset();
    m_status = 0;
    m_interrupt_status = 0;
    m_device_features_sel = 0;
    m_driver_features_sel = 0;
    m_driver_features = 0;
    m_driver_features_unknown = false;
    m_queue_sel = 0;
    update_line();
}

void MmioTransport::raise(uint32_t bits)
{
    m_interrupt_status |= bits;
    update_line();
}

void MmioTransport::update_line()
{
    // §4.2.3.4: the interrupt is asserted while any InterruptStatus bit is set: a level.
    bool high = m_interrupt_status != 0;
    if (high != m_line_high) {
        m_line_high = high;
        m_irq.set_level(high);
    }
}

void MmioTransport::signal_used_buffer(uint16_t)
{
    raise(VIRTIO_MMIO_INT_VRING);
}

void MmioTransport::signal_config_change()
{
    // §4.2.2.1: ConfigGeneration changes whenever the driver could see an inconsistent config.
    m_config_generation++;
    raise(VIRTIO_MMIO_INT_CONFIG);
}

void MmioTransport::set_needs_reset()
{
    m_status |= VIRTIO_CONFIG_S_NEEDS_RESET;
    // §2.1.2: "If DRIVER_OK is set, after it sets DEVICE_NEEDS_RESET, the device MUST send a
    // device configuration change notification to the driver."
    if (m_status & VIRTIO_CONFIG_S_DRIVER_OK)
        raise(VIRTIO_MMIO_INT_CONFIG);
}

}  // namespace vireo::virtio
