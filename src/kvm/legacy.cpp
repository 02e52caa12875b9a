#include "kvm/legacy.hpp"

#include "kvm/tables.hpp"

namespace vireo::kvm {

Result<void> PioBus::map(uint16_t port, uint16_t count, bus::MmioDevice& device, std::string name)
{
    if (count == 0 || port + count > 0x10000)
        return Error::message("port range of " + name + " leaves the 64 KiB port space");
    return m_bus.map(port, count, device, std::move(name));
}

bool PioBus::read(uint64_t port, unsigned size, uint64_t& value)
{
    return valid(port, size) && m_bus.read(port, size, value);
}

bool PioBus::write(uint64_t port, unsigned size, uint64_t value)
{
    return valid(port, size) && m_bus.write(port, size, value);
}

bool I8042::read(uint64_t offset, unsigned size, uint64_t& value)
{
    value = 0;
    if (size != 1)
        return true;
    if (offset == 0) {
        value = m_data;
        m_data_full = false;
    } else if (offset == 4) {
        // Status: output buffer full (bit 0); system flag (bit 2) set, as after a self-test.
        value = (m_data_full ? 1u : 0u) | 0x04;
    }
    return true;
}

bool I8042::write(uint64_t offset, unsigned size, uint64_t value)
{
    if (size != 1)
        return true;
    const auto byte = static_cast<uint8_t>(value);
    if (offset == 0) {
        if (m_expect_control) {
            m_control = byte;
            m_expect_control = false;
        }
        // Bytes for the (absent) keyboard are dropped.
    } else if (offset == 4) {
        switch (byte) {
        case CMD_READ_CTR:
            m_data = m_control;
            m_data_full = true;
            break;
        case CMD_WRITE_CTR:
            m_expect_control = true;
            break;
        case CMD_RESET_CPU:
            if (m_reset)
                m_reset();
            break;
        default:
            break;  // self-tests, port enables: nothing to do for an empty controller
        }
    }
    return true;
}

bool AcpiSleep::read(uint64_t, unsigned, uint64_t& value)
{
    value = 0;  // never asleep, nothing to wake from
    return true;
}

bool AcpiSleep::write(uint64_t offset, unsigned size, uint64_t value)
{
    if (offset == 0 && size == 1 && (value & SLP_EN) && ((value >> 2) & 7) == kSleepTypeS5 && m_poweroff)
        m_poweroff();
    return true;
}

}  // namespace vireo::kvm
