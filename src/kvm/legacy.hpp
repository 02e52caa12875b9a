// The x86 machine's port-I/O side: a bus for the 64 KiB port space and the two small devices the
// guest needs besides COM1 (a devices::Uart16550): an i8042 stub whose reset command ends the VM
// (Linux's reboot=k path, which its default reboot also tries), and the ACPI sleep control
// register through which a hardware-reduced ACPI guest powers off.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "bus/bus.hpp"

namespace vireo::kvm {

// Port I/O as a bus: devices are bus::MmioDevice register files at port ranges. Port numbers and
// sizes come from the guest (via KVM_EXIT_IO) and are checked here.
class PioBus {
public:
    Result<void> map(uint16_t port, uint16_t count, bus::MmioDevice& device, std::string name);
    // False when nothing answers: the machine then reads all ones and drops writes, as an ISA bus
    // without a device does.
    bool read(uint64_t port, unsigned size, uint64_t& value);
    bool write(uint64_t port, unsigned size, uint64_t value);

private:
    static bool valid(uint64_t port, unsigned size) { return port <= 0xffff && (size == 1 || size == 2 || size == 4) && port + size <= 0x10000; }
    bus::MmioBus m_bus;
};

// An 8042 keyboard controller with nothing behind it: enough for Linux's probing and reboot
// (Firecracker's devices/legacy/i8042.rs does the same). Mapped at 0x60..0x64: offset 0 is the
// data port, offset 4 the command/status port.
class I8042 final : public bus::MmioDevice {
public:
    static constexpr uint8_t CMD_READ_CTR = 0x20;
    static constexpr uint8_t CMD_WRITE_CTR = 0x60;
    static constexpr uint8_t CMD_RESET_CPU = 0xfe;   // pulse the reset line

    explicit I8042(std::function<void()> reset) : m_reset(std::move(reset)) {}
    bool read(uint64_t offset, unsigned size, uint64_t& value) override;
    bool write(uint64_t offset, unsigned size, uint64_t value) override;

private:
    std::function<void()> m_reset;
    uint8_t m_control = 0x01;  // keyboard interrupt enabled, as after a BIOS
    uint8_t m_data = 0;
    bool m_data_full = false;  // status bit 0: output buffer full
    bool m_expect_control = false;
};

// ACPI 6.4 §4.8.3.7 sleep control (offset 0) and §4.8.3.8 sleep status (offset 1) registers.
// Writing SLP_EN with SLP_TYP = kSleepTypeS5 (the value \_S5 declares) is soft-off; other sleep
// states are not offered and are ignored.
class AcpiSleep final : public bus::MmioDevice {
public:
    explicit AcpiSleep(std::function<void()> poweroff) : m_poweroff(std::move(poweroff)) {}
    bool read(uint64_t offset, unsigned size, uint64_t& value) override;
    bool write(uint64_t offset, unsigned size, uint64_t value) override;

private:
    std::function<void()> m_poweroff;
};

}  // namespace vireo::kvm
