// virtio-mmio, version 2 (virtio 1.2 §4.2): one device's register window on the MMIO bus.
//
// The transport owns what the spec puts in the transport: the status byte and feature
// negotiation (§2.1, §2.2, §3.1.1), the queues' registers (§4.2.3.2), InterruptStatus and the
// interrupt line (§4.2.3.4), and the configuration generation. It activates the device when the
// driver sets DRIVER_OK and resets it when the driver writes 0 to Status.
//
// Guest-fault policy: every register access comes from the guest and none can hurt the host.
// - Accesses that are not 32-bit to the control registers, reads of write-only and writes of
//   read-only registers, unknown offsets: reads return 0, writes are ignored (§4.2.2.2 forbids
//   them; the device is free to do anything harmless). The access still "answers" on the bus.
// - Out-of-order status writes (DRIVER before ACKNOWLEDGE, DRIVER_OK before FEATURES_OK, clearing
//   bits): ignored. FEATURES_OK with features the device did not offer, or without
//   VIRTIO_F_VERSION_1: FEATURES_OK stays clear (§2.2.2, §3.1.1 step 6).
// - Queue registers written while that queue is ready (§4.2.2.2 forbids it): ignored.
// - DRIVER_OK (or QueueReady after it) with a ready queue that is not a power-of-2 size within
//   QueueNumMax, misaligned or outside RAM, or a device that fails to activate: the transport
//   sets DEVICE_NEEDS_RESET (§2.1.2) and the device stays inactive.
//
// Not thread-safe: the machine serializes accesses (one vCPU thread at a time, or the emulator).
#pragma once

#include <cstdint>
#include <vector>

#include "bus/bus.hpp"
#include "memory/guest_memory.hpp"
#include "virtio/device.hpp"
#include "virtio/queue.hpp"

namespace vireo::virtio {

// virtio 1.2 §4.2.2: register offsets (the Linux names).
constexpr uint64_t VIRTIO_MMIO_MAGIC_VALUE = 0x000;
constexpr uint64_t VIRTIO_MMIO_VERSION = 0x004;
constexpr uint64_t VIRTIO_MMIO_DEVICE_ID = 0x008;
constexpr uint64_t VIRTIO_MMIO_VENDOR_ID = 0x00c;
constexpr uint64_t VIRTIO_MMIO_DEVICE_FEATURES = 0x010;
constexpr uint64_t VIRTIO_MMIO_DEVICE_FEATURES_SEL = 0x014;
constexpr uint64_t VIRTIO_MMIO_DRIVER_FEATURES = 0x020;
constexpr uint64_t VIRTIO_MMIO_DRIVER_FEATURES_SEL = 0x024;
constexpr uint64_t VIRTIO_MMIO_QUEUE_SEL = 0x030;
constexpr uint64_t VIRTIO_MMIO_QUEUE_NUM_MAX = 0x034;
constexpr uint64_t VIRTIO_MMIO_QUEUE_NUM = 0x038;
constexpr uint64_t VIRTIO_MMIO_QUEUE_READY = 0x044;
constexpr uint64_t VIRTIO_MMIO_QUEUE_NOTIFY = 0x050;
constexpr uint64_t VIRTIO_MMIO_INTERRUPT_STATUS = 0x060;
constexpr uint64_t VIRTIO_MMIO_INTERRUPT_ACK = 0x064;
constexpr uint64_t VIRTIO_MMIO_STATUS = 0x070;
constexpr uint64_t VIRTIO_MMIO_QUEUE_DESC_LOW = 0x080;
constexpr uint64_t VIRTIO_MMIO_QUEUE_DESC_HIGH = 0x084;
constexpr uint64_t VIRTIO_MMIO_QUEUE_DRIVER_LOW = 0x090;
constexpr uint64_t VIRTIO_MMIO_QUEUE_DRIVER_HIGH = 0x094;
constexpr uint64_t VIRTIO_MMIO_QUEUE_DEVICE_LOW = 0x0a0;
constexpr uint64_t VIRTIO_MMIO_QUEUE_DEVICE_HIGH = 0x0a4;
constexpr uint64_t VIRTIO_MMIO_SHM_SEL = 0x0ac;
constexpr uint64_t VIRTIO_MMIO_SHM_LEN_LOW = 0x0b0;
constexpr uint64_t VIRTIO_MMIO_SHM_LEN_HIGH = 0x0b4;
constexpr uint64_t VIRTIO_MMIO_SHM_BASE_LOW = 0x0b8;
constexpr uint64_t VIRTIO_MMIO_SHM_BASE_HIGH = 0x0bc;
constexpr uint64_t VIRTIO_MMIO_QUEUE_RESET = 0x0c0;
constexpr uint64_t VIRTIO_MMIO_CONFIG_GENERATION = 0x0fc;
constexpr uint64_t VIRTIO_MMIO_CONFIG = 0x100;

constexpr uint32_t VIRTIO_MMIO_MAGIC = 0x74726976;  // "virt"
constexpr uint32_t VIRTIO_MMIO_INT_VRING = 1;       // InterruptStatus: used buffer notification
constexpr uint32_t VIRTIO_MMIO_INT_CONFIG = 2;      // InterruptStatus: configuration change

class MmioTransport final : public bus::MmioDevice, private Interrupt {
public:
    // The size of the register window to map (the spec's device-tree example uses 0x200).
    static constexpr uint64_t kWindowSize = 0x200;
    // VendorID: "VIRO" in little-endian, as QEMU's is "QEMU".
    static constexpr uint32_t kVendorId = 0x4f524956;

    // `device`, `memory` and `irq` must outlive the transport.
    MmioTransport(Device& device, memory::GuestMemory& memory, bus::InterruptLine& irq);
    ~MmioTransport() override;

    bool read(uint64_t offset, unsigned size, uint64_t& value) override;
    bool write(uint64_t offset, unsigned size, uint64_t value) override;

    Device& device() { return m_device; }
    uint32_t status() const { return m_status; }
    uint32_t interrupt_status() const { return m_interrupt_status; }
    bool active() const { return m_active; }

private:
    // Interrupt: what the active device calls.
    void signal_used_buffer(uint16_t queue) override;
    void signal_config_change() override;
    void set_needs_reset() override;
    bool needs_reset() const override { return (m_status & VIRTIO_CONFIG_S_NEEDS_RESET) != 0; }

    uint32_t read_register(uint64_t offset);
    void write_register(uint64_t offset, uint32_t value);
    void write_status(uint32_t value);
    bool features_acceptable() const;
    void activate();
    void reset();
    void raise(uint32_t bits);
    void update_line();
    Queue* selected_queue();
    // The selected queue, if the driver may still configure it (§4.2.2.2: not while ready).
    Queue* configurable_queue();

    Device& m_device;
    memory::GuestMemory& m_memory;
    bus::InterruptLine& m_irq;
    std::vector<Queue> m_queues;

    uint32_t m_status = 0;
    uint32_t m_interrupt_status = 0;
    uint32_t m_config_generation = 0;
    uint32_t m_device_features_sel = 0;
    uint32_t m_driver_features_sel = 0;
    uint64_t m_driver_features = 0;
    bool m_driver_features_unknown = false;  // bits beyond 63 were set
    uint32_t m_queue_sel = 0;
    bool m_active = false;
    bool m_line_high = false;
};

}  // namespace vireo::virtio
