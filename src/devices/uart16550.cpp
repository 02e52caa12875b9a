#include "devices/uart16550.hpp"

namespace vireo::devices {

namespace {
constexpr uint8_t IER_ERBFI = 0x01;  // received data available
constexpr uint8_t IER_ETBEI = 0x02;  // transmitter holding register empty
constexpr uint8_t IIR_NONE = 0x01, IIR_THRE = 0x02, IIR_RDA = 0x04, IIR_FIFO = 0xc0;
constexpr uint8_t LSR_DR = 0x01, LSR_THRE = 0x20, LSR_TEMT = 0x40;
constexpr uint8_t LCR_DLAB = 0x80;
constexpr uint8_t MCR_LOOP = 0x10;
constexpr uint8_t MSR_CTS = 0x10, MSR_DSR = 0x20, MSR_DCD = 0x80;
}  // namespace

uint8_t Uart16550::interrupt_id() const
{
    if ((m_ier & IER_ERBFI) && !m_rx.empty())
        return IIR_RDA;
    if ((m_ier & IER_ETBEI) && m_thre_pending)
        return IIR_THRE;
    return IIR_NONE;
}

void Uart16550::update_irq()
{
    const bool level = interrupt_id() != IIR_NONE;
    if (level != m_irq_level) {
        m_irq_level = level;
        if (m_irq)
            m_irq->set_level(level);
    }
}

void Uart16550::push_input(uint8_t byte)
{
    if (m_rx.size() >= kRxLimit)
        return;
    m_rx.push_back(byte);
    update_irq();
}

bool Uart16550::read(uint64_t offset, unsigned size, uint64_t& value)
{
    if (size != 1 || offset >= 8) {
        // Wider or out-of-range accesses read as zero rather than fault: some probes do that.
        value = 0;
        return offset < 0x100;
    }
    const bool dlab = m_lcr & LCR_DLAB;
    switch (offset) {
    case 0:
        if (dlab) {
            value = m_dll;
        } else {
            value = m_rx.empty() ? 0 : m_rx.front();
            if (!m_rx.empty())
                m_rx.pop_front();
        }
        break;
    case 1: value = dlab ? m_dlm : m_ier; break;
    case 2: {
        const uint8_t id = interrupt_id();
        value = id | ((m_fcr & 1) ? IIR_FIFO : 0);
        if (id == IIR_THRE)
            m_thre_pending = false;  // reading IIR clears the THRE condition (datasheet table 4)
        break;
    }
    case 3: value = m_lcr; break;
    case 4: value = m_mcr; break;
    case 5: value = (m_rx.empty() ? 0 : LSR_DR) | LSR_THRE | LSR_TEMT; break;
    case 6: value = (m_mcr & MCR_LOOP) ? 0 : (MSR_CTS | MSR_DSR | MSR_DCD); break;
    case 7: value = m_scr; break;
    }
    update_irq();
    return true;
}

bool Uart16550::write(uint64_t offset, unsigned size, uint64_t value)
{
    if (size != 1 || offset >= 8)
        return offset < 0x100;  // ignored
    const auto v = static_cast<uint8_t>(value);
    const bool dlab = m_lcr & LCR_DLAB;
    switch (offset) {
    case 0:
        if (dlab) {
            m_dll = v;
        } else {
            if (m_mcr & MCR_LOOP)
                m_rx.push_back(v);
            else if (m_output)
                m_output(v);
            m_thre_pending = true;  // the byte left at once: THR is empty again
        }
        break;
    case 1:
        if (dlab) {
            m_dlm = v;
        } else {
            // Enabling ETBEI while THR is empty raises the THRE interrupt at once; Linux's 8250
            // driver relies on that to start transmitting.
            if ((v & IER_ETBEI) && !(m_ier & IER_ETBEI))
                m_thre_pending = true;
            m_ier = v & 0x0f;
        }
        break;
    case 2:
        m_fcr = v & 0xc9;
        if (v & 0x02)
            m_rx.clear();
        break;
    case 3: m_lcr = v; break;
    case 4: m_mcr = v & 0x1f; break;
    case 7: m_scr = v; break;
    default: break;  // LSR and MSR are read-only
    }
    update_irq();
    return true;
}

}  // namespace vireo::devices
