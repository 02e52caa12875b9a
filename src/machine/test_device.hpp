// The "sifive,test0" device QEMU's virt board uses as a syscon: a 32-bit write of 0x5555 at
// offset 0 powers off, 0x7777 resets, and 0x3333 | (code << 16) powers off with a failure code.
// Linux reaches it through the syscon-poweroff/syscon-reboot devicetree nodes.
#pragma once

#include <cstdint>
#include <functional>

#include "bus/bus.hpp"

namespace vireo::machine {

class TestDevice final : public bus::MmioDevice {
public:
    static constexpr uint64_t kBase = 0x10'0000;
    static constexpr uint64_t kSize = 0x1000;
    static constexpr uint32_t kFail = 0x3333, kPass = 0x5555, kReset = 0x7777;

    enum class Request { Poweroff, Reset, Fail };
    using Handler = std::function<void(Request, uint32_t code)>;
    explicit TestDevice(Handler handler) : m_handler(std::move(handler)) {}

    bool read(uint64_t offset, unsigned size, uint64_t& value) override
    {
        value = 0;
        return offset < kSize && size <= 4;
    }
    bool write(uint64_t offset, unsigned size, uint64_t value) override
    {
        if (offset >= kSize || size > 4)
            return false;
        // OpenSBI writes the 16-bit command alone (writew); Linux writes 32 bits with the code.
        if (offset != 0 || (size != 2 && size != 4))
            return true;
        const auto v = static_cast<uint32_t>(value);
        switch (v & 0xffff) {
        case kPass: m_handler(Request::Poweroff, 0); break;
        case kReset: m_handler(Request::Reset, 0); break;
        case kFail: m_handler(Request::Fail, v >> 16); break;
        default: break;  // other values are ignored, as on the real part
        }
        return true;
    }

private:
    Handler m_handler;
};

}  // namespace vireo::machine
