// A 16550A UART (the ns16550a of QEMU's virt board, and COM1 on x86): the guest's serial console.
// Registers are one byte apart (reg-shift 0). Transmission is instant: a byte written to THR goes
// straight to the output, so THR is always empty. Received bytes wait in a host-side buffer larger
// than the real 16-byte FIFO, so a fast paste into the console loses nothing.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>

#include "bus/bus.hpp"

namespace vireo::devices {

class Uart16550 final : public bus::MmioDevice {
public:
    using Output = std::function<void(uint8_t)>;

    // `irq` may be null (polled use). `output` receives every transmitted byte.
    Uart16550(bus::InterruptLine* irq, Output output) : m_irq(irq), m_output(std::move(output)) {}

    bool read(uint64_t offset, unsigned size, uint64_t& value) override;
    bool write(uint64_t offset, unsigned size, uint64_t value) override;

    // Queues a byte typed on the host for the guest to read. Past kRxLimit unread bytes (nobody
    // reads this port) further input is dropped, as a real UART overruns, so the host never stalls.
    void push_input(uint8_t byte);

private:
    static constexpr size_t kRxLimit = 4096;
    uint8_t interrupt_id() const;
    void update_irq();

    bus::InterruptLine* m_irq;
    Output m_output;
    std::deque<uint8_t> m_rx;
    uint8_t m_ier = 0, m_lcr = 0, m_mcr = 0, m_scr = 0, m_fcr = 0;
    uint8_t m_dll = 0x0c, m_dlm = 0;
    bool m_thre_pending = false;  // the "transmitter empty" interrupt condition (§8.6 of the datasheet)
    bool m_irq_level = false;
};

}  // namespace vireo::devices
