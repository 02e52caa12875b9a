// bus: how devices are reached. A device is a register file at an address range; the bus sends
// each guest access to the device whose range holds it. Both the emulated hart (its MMIO slow path)
// and, later, KVM's MMIO exits dispatch through the same MmioBus (TinyEMU's shared-device design).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.hpp"

namespace vireo::bus {

// A memory-mapped device. Offsets are relative to the device's base; sizes are 1, 2, 4 or 8.
// Returning false means "nothing answers here": the hart raises an access fault. Values come
// from the guest and are untrusted: a device validates every one.
class MmioDevice {
public:
    virtual ~MmioDevice() = default;
    virtual bool read(uint64_t offset, unsigned size, uint64_t& value) = 0;
    virtual bool write(uint64_t offset, unsigned size, uint64_t value) = 0;
};

// A level-triggered interrupt line from a device to an interrupt controller (the PLIC in the
// emulator, an irqfd or KVM_IRQ_LINE under KVM).
class InterruptLine {
public:
    virtual ~InterruptLine() = default;
    virtual void set_level(bool high) = 0;
};

class MmioBus {
public:
    // Places `device` at [base, base+size). Fails on an empty or overlapping range.
    Result<void> map(uint64_t base, uint64_t size, MmioDevice& device, std::string name);

    bool read(uint64_t addr, unsigned size, uint64_t& value);
    bool write(uint64_t addr, unsigned size, uint64_t value);

    struct Region {
        uint64_t base;
        uint64_t size;
        MmioDevice* device;
        std::string name;
    };
    const std::vector<Region>& regions() const { return m_regions; }

private:
    const Region* find(uint64_t addr, unsigned size);
    std::vector<Region> m_regions;  // sorted by base
    const Region* m_last = nullptr; // the last region hit: devices are accessed in bursts
};

}  // namespace vireo::bus
