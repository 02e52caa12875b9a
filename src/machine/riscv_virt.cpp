// The virt-like RISC-V system machine. See riscv_virt.hpp for the memory map.
#include "machine/riscv_virt.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string_view>

#include "base/bytes.hpp"
#include "base/console_output.hpp"
#include "base/file.hpp"
#include "base/terminal.hpp"
#include "bus/bus.hpp"
#include "devices/uart16550.hpp"
#include "elf/elf.hpp"
#include "machine/clint.hpp"
#include "machine/fdt_writer.hpp"
#include "machine/kernel_image.hpp"
#include "machine/plic.hpp"
#include "machine/test_device.hpp"
#include "memory/guest_memory.hpp"
#include "riscv/hart_impl.hpp"
#include "virtio/virtio.hpp"

namespace vireo::machine {

namespace {

constexpr uint64_t kRamBase = 0x8000'0000;
constexpr uint64_t kKernelOffset = 0x20'0000;  // fw_jump's FW_JUMP_ADDR on 64-bit: RAM + 2 MiB
constexpr uint64_t kUartBase = 0x1000'0000;
constexpr unsigned kUartIrq = 10;
constexpr uint64_t kVirtioBase = 0x1000'1000;
constexpr uint64_t kVirtioStride = 0x1000;
constexpr unsigned kVirtioSlots = 8;           // PLIC sources 1..8
constexpr uint64_t kTimebaseHz = 10'000'000;
constexpr uint64_t kSlice = 20'000;            // instructions a hart runs before the board looks around

std::string hex(uint64_t v)
{
    char buffer[24];
    std::snprintf(buffer, sizeof buffer, "0x%lx", static_cast<unsigned long>(v));
    return buffer;
}

class VirtEnv;
using VirtHart = riscv::Hart<VirtEnv>;

// The CLINT as a bus device: after every write the board re-derives the harts' MSIP/MTIP lines.
class ClintDevice final : public bus::MmioDevice {
public:
    ClintDevice(Clint& clint, std::function<void()> changed) : m_clint(clint), m_changed(std::move(changed)) {}
    bool read(uint64_t offset, unsigned size, uint64_t& value) override { return m_clint.read(offset, size, value); }
    bool write(uint64_t offset, unsigned size, uint64_t value) override
    {
        if (!m_clint.write(offset, size, value))
            return false;
        m_changed();
        return true;
    }

private:
    Clint& m_clint;
    std::function<void()> m_changed;
};

// What every hart of the board sees: RAM directly, everything else through the bus.
class VirtEnv {
public:
    static constexpr bool kPrivileged = true;

    VirtEnv(memory::GuestMemory& ram, bus::MmioBus& bus, Clint& clint) : m_ram(ram), m_bus(bus), m_clint(clint) {}

    uint8_t* ram_page(uint64_t paddr, riscv::Access) { return m_ram.host_address(paddr); }
    bool mmio_read(uint64_t paddr, unsigned size, uint64_t& value) { return m_bus.read(paddr, size, value); }
    bool mmio_write(uint64_t paddr, unsigned size, uint64_t value) { return m_bus.write(paddr, size, value); }
    uint64_t read_time() { return m_clint.mtime(); }

private:
    memory::GuestMemory& m_ram;
    bus::MmioBus& m_bus;
    Clint& m_clint;
};

struct BootLayout {
    uint64_t entry = kRamBase;
    uint64_t fdt = 0;
    uint64_t initrd_start = 0, initrd_end = 0;
};

bool is_elf(const std::vector<uint8_t>& bytes) { return bytes.size() >= 4 && std::memcmp(bytes.data(), "\x7f" "ELF", 4) == 0; }

// Loads an ELF's segments at their physical addresses, or a raw image at `raw_address`.
Result<uint64_t> load_image(memory::GuestMemory& ram, const std::string& path, uint64_t raw_address, const char* what)
{
    auto bytes = TRY(read_file(path));
    if (bytes.empty())
        return Error::message(path + ": empty " + std::string(what) + " file");
    if (is_elf(bytes)) {
        auto image = TRY(elf::parse(bytes, path));
        for (const auto& seg : image.loads) {
            if (seg.mem_size == 0)
                continue;
            if (!ram.contains(seg.paddr, seg.mem_size))
                return Error::message(path + ": segment at " + hex(seg.paddr) + " is outside RAM " + hex(ram.base()) +
                                      "-" + hex(ram.end() - 1) + " (try a larger --mem)");
            TRY(ram.write(seg.paddr, image.bytes.subspan(seg.file_offset, seg.file_size)));
        }
        return image.entry;
    }
    if (!ram.contains(raw_address, bytes.size()))
        return Error::message(path + ": " + std::string(what) + " of " + std::to_string(bytes.size() >> 10) +
                              " KiB does not fit in RAM at " + hex(raw_address) + " (try a larger --mem)");
    TRY(ram.write(raw_address, bytes));
    return raw_address;
}


Result<std::vector<uint8_t>> build_devicetree(const VirtConfig& config, const BootLayout& layout, unsigned virtio_count)
{
    FdtWriter fdt;
    const uint32_t test_phandle = fdt.allocate_phandle();
    const uint32_t plic_phandle = fdt.allocate_phandle();
    std::vector<uint32_t> intc_phandles;
    for (unsigned i = 0; i < config.cpus; ++i)
        intc_phandles.push_back(fdt.allocate_phandle());

    fdt.property_u32("#address-cells", 2);
    fdt.property_u32("#size-cells", 2);
    fdt.property("compatible", "riscv-virtio");
    fdt.property("model", "riscv-virtio,vireo");

    fdt.begin_node("chosen");
    fdt.property("stdout-path", "/soc/serial@10000000");
    if (!config.append.empty())
        fdt.property("bootargs", config.append);
    if (layout.initrd_end > layout.initrd_start) {
        fdt.property_u64("linux,initrd-start", layout.initrd_start);
        fdt.property_u64("linux,initrd-end", layout.initrd_end);
    }
    fdt.end_node();

    fdt.begin_node("memory@" + hex(kRamBase).substr(2));
    fdt.property("device_type", "memory");
    fdt.property_reg64(kRamBase, config.mem_size);
    fdt.end_node();

    fdt.begin_node("cpus");
    fdt.property_u32("#address-cells", 1);
    fdt.property_u32("#size-cells", 0);
    fdt.property_u32("timebase-frequency", static_cast<uint32_t>(kTimebaseHz));
    for (unsigned i = 0; i < config.cpus; ++i) {
        fdt.begin_node("cpu@" + std::to_string(i));
        fdt.property("device_type", "cpu");
        fdt.property_u32("reg", i);
        fdt.property("status", "okay");
        fdt.property("compatible", "riscv");
        fdt.property("riscv,isa", "rv64imafdc_zicsr_zifencei_zba_zbb_zbs");
        fdt.property("mmu-type", "riscv,sv57");
        fdt.begin_node("interrupt-controller");
        fdt.property_u32("#interrupt-cells", 1);
        fdt.property_empty("interrupt-controller");
        fdt.property("compatible", "riscv,cpu-intc");
        fdt.property_u32("phandle", intc_phandles[i]);
        fdt.end_node();
        fdt.end_node();
    }
    fdt.end_node();

    fdt.begin_node("soc");
    fdt.property_u32("#address-cells", 2);
    fdt.property_u32("#size-cells", 2);
    fdt.property("compatible", "simple-bus");
    fdt.property_empty("ranges");

    fdt.begin_node("test@100000");
    fdt.property_strings("compatible", {"sifive,test1", "sifive,test0", "syscon"});
    fdt.property_reg64(TestDevice::kBase, TestDevice::kSize);
    fdt.property_u32("phandle", test_phandle);
    fdt.end_node();

    fdt.begin_node("serial@10000000");
    fdt.property("compatible", "ns16550a");
    fdt.property_reg64(kUartBase, 0x100);
    fdt.property_u32("clock-frequency", 3686400);
    fdt.property_u32("interrupts", kUartIrq);
    fdt.property_u32("interrupt-parent", plic_phandle);
    fdt.end_node();

    for (unsigned i = 0; i < virtio_count; ++i) {
        const uint64_t base = kVirtioBase + i * kVirtioStride;
        fdt.begin_node("virtio_mmio@" + hex(base).substr(2));
        fdt.property("compatible", "virtio,mmio");
        fdt.property_reg64(base, virtio::MmioTransport::kWindowSize);
        fdt.property_u32("interrupts", i + 1);
        fdt.property_u32("interrupt-parent", plic_phandle);
        fdt.end_node();
    }

    fdt.begin_node("plic@c000000");
    fdt.property_strings("compatible", {"sifive,plic-1.0.0", "riscv,plic0"});
    fdt.property_reg64(Plic::kBase, Plic::kSize);
    fdt.property_u32("riscv,ndev", Plic::kSources - 1);
    fdt.property_empty("interrupt-controller");
    fdt.property_u32("#interrupt-cells", 1);
    fdt.property_u32("#address-cells", 0);
    std::vector<uint32_t> plic_ext, clint_ext;
    for (uint32_t ph : intc_phandles) {
        plic_ext.insert(plic_ext.end(), {ph, 11, ph, 9});   // M external, S external
        clint_ext.insert(clint_ext.end(), {ph, 3, ph, 7});  // M software, M timer
    }
    fdt.property_cells("interrupts-extended", plic_ext);
    fdt.property_u32("phandle", plic_phandle);
    fdt.end_node();

    fdt.begin_node("clint@2000000");
    fdt.property_strings("compatible", {"sifive,clint0", "riscv,clint0"});
    fdt.property_reg64(Clint::kBase, Clint::kSize);
    fdt.property_cells("interrupts-extended", clint_ext);
    fdt.end_node();
    fdt.end_node();  // soc

    fdt.begin_node("poweroff");
    fdt.property("compatible", "syscon-poweroff");
    fdt.property_u32("regmap", test_phandle);
    fdt.property_u32("offset", 0);
    fdt.property_u32("value", TestDevice::kPass);
    fdt.end_node();
    fdt.begin_node("reboot");
    fdt.property("compatible", "syscon-reboot");
    fdt.property_u32("regmap", test_phandle);
    fdt.property_u32("offset", 0);
    fdt.property_u32("value", TestDevice::kReset);
    fdt.end_node();

    return fdt.finish();
}

// Watches the console output for the kernel's panic line, so that a panicked guest ends the run
// with a message instead of spinning forever.
class PanicWatch {
public:
    void feed(uint8_t c)
    {
        static constexpr std::string_view needle = "Kernel panic - not syncing";
        m_matched = (c == static_cast<uint8_t>(needle[m_matched])) ? m_matched + 1 : (c == static_cast<uint8_t>(needle[0]) ? 1 : 0);
        if (m_matched == needle.size()) {
            m_seen = true;
            m_matched = 0;
        }
    }
    bool seen() const { return m_seen; }

private:
    size_t m_matched = 0;
    bool m_seen = false;
};

class Board {
public:
    static Result<std::unique_ptr<Board>> create(const VirtConfig& config)
    {
        auto ram = TRY(memory::GuestMemory::create(kRamBase, config.mem_size));
        auto board = std::unique_ptr<Board>(new Board(config, std::move(ram)));
        TRY(board->wire());
        TRY(board->load());
        return board;
    }

    VirtOutcome run();

private:
    Board(const VirtConfig& config, memory::GuestMemory ram)
        : m_config(config), m_ram(std::move(ram)), m_clint(config.cpus),
          m_plic(config.cpus, [this](unsigned context, bool level) { plic_output(context, level); }),
          m_clint_device(m_clint, [this] { update_clint_lines(); }),
          m_uart(&m_plic.line(kUartIrq), [this](uint8_t c) { console_output(c); }),
          m_test([this](TestDevice::Request r, uint32_t code) { guest_request(r, code); }),
          m_env(m_ram, m_bus, m_clint)
    {
    }

    Result<void> wire()
    {
        TRY(m_bus.map(Clint::kBase, Clint::kSize, m_clint_device, "clint"));
        TRY(m_bus.map(Plic::kBase, Plic::kSize, m_plic, "plic"));
        TRY(m_bus.map(kUartBase, 0x100, m_uart, "uart"));
        TRY(m_bus.map(TestDevice::kBase, TestDevice::kSize, m_test, "test"));
        for (unsigned i = 0; i < m_config.cpus; ++i)
            m_harts.push_back(std::make_unique<VirtHart>(m_env, i));

        // The virtio slots (virtio/device_set.hpp); the console shares the terminal with the UART.
        m_virtio_console = TRY(virtio::add_standard_devices(
            m_config.devices, [this](std::span<const uint8_t> bytes) { for (uint8_t c : bytes) console_output(c); },
            [this](std::unique_ptr<virtio::Device> device, const std::string& name) { return add_virtio(std::move(device), name); }));
        return {};
    }

    Result<void> add_virtio(std::unique_ptr<virtio::Device> device, const std::string& name)
    {
        const auto slot = static_cast<unsigned>(m_transports.size());
        if (slot >= kVirtioSlots)
            return Error::message("too many virtio devices (at most " + std::to_string(kVirtioSlots) + ")");
        auto transport = std::make_unique<virtio::MmioTransport>(*device, m_ram, m_plic.line(slot + 1));
        TRY(m_bus.map(kVirtioBase + slot * kVirtioStride, virtio::MmioTransport::kWindowSize, *transport, name));
        m_virtio_devices.push_back(std::move(device));
        m_transports.push_back(std::move(transport));
        return {};
    }

    Result<void> load()
    {
        if (m_config.kernel.empty())
            return Error::message("no kernel given (--kernel FILE)");
        if (m_config.firmware == "none")
            return Error::message("--firmware none needs Vireo's built-in SBI, which is not implemented yet");
        const std::string firmware = m_config.firmware.empty() ? kDefaultFirmware : m_config.firmware;
        BootLayout layout;
        layout.entry = TRY(load_image(m_ram, firmware, kRamBase, "firmware"));
        const uint64_t kernel_base = kRamBase + kKernelOffset;
        auto kernel = TRY(read_kernel_image(m_config.kernel, m_config.mem_size - kKernelOffset));
        if (!m_ram.contains(kernel_base, kernel.size()))
            return Error::message(m_config.kernel + ": kernel of " + std::to_string(kernel.size() >> 20) +
                                  " MiB does not fit in RAM (try a larger --mem)");
        TRY(m_ram.write(kernel_base, kernel));

        // The devicetree goes at the top of RAM (2 MiB aligned, as QEMU does); the initrd below
        // the middle of RAM or, when large, just under the devicetree.
        layout.fdt = (m_ram.end() - (2ull << 20)) & ~((2ull << 20) - 1);
        if (!m_config.initrd.empty()) {
            auto initrd = TRY(read_file(m_config.initrd));
            uint64_t start = kRamBase + std::min<uint64_t>(m_config.mem_size / 2, 128ull << 20);
            if (start + initrd.size() > layout.fdt)
                start = (layout.fdt - initrd.size()) & ~0xfffull;
            if (start < kRamBase + kKernelOffset + (32ull << 20) || !m_ram.contains(start, initrd.size()))
                return Error::message(m_config.initrd + ": initrd of " + std::to_string(initrd.size() >> 20) +
                                      " MiB does not fit in " + std::to_string(m_config.mem_size >> 20) +
                                      " MiB of RAM (try a larger --mem)");
            TRY(m_ram.write(start, initrd));
            layout.initrd_start = start;
            layout.initrd_end = start + initrd.size();
        }
        auto dtb = TRY(build_devicetree(m_config, layout, static_cast<unsigned>(m_transports.size())));
        TRY(m_ram.write(layout.fdt, dtb));

        // Every hart enters the firmware with a0 = hart id, a1 = the devicetree (OpenSBI's
        // fw_jump picks the boot hart itself).
        for (auto& hart : m_harts) {
            hart->set_pc(layout.entry);
            hart->set_reg(10, hart->hart_id());
            hart->set_reg(11, layout.fdt);
        }
        return {};
    }

    void plic_output(unsigned context, bool level)
    {
        const unsigned hart = context / 2;
        if (hart < m_harts.size())
            m_harts[hart]->set_interrupt_line(context % 2 == 0 ? riscv::MIP_MEIP : riscv::MIP_SEIP, level);
    }

    void update_clint_lines()
    {
        for (unsigned i = 0; i < m_harts.size(); ++i) {
            m_harts[i]->set_interrupt_line(riscv::MIP_MTIP, m_clint.timer_pending(i));
            m_harts[i]->set_interrupt_line(riscv::MIP_MSIP, m_clint.software_pending(i));
        }
    }

    void console_output(uint8_t c)
    {
        m_output.push_back(c);
        m_panic.feed(c);
        if (c == '\n' || m_output.size() >= 256)
            flush_output();
    }

    // Hands the batch to stdout without waiting for it (console_output.hpp): a guest that floods
    // its console while stdout is stuck must not stop this thread from reading input.
    void flush_output()
    {
        if (!m_output.empty()) {
            m_stdout.write(m_output);
            m_output.clear();
        }
    }

    void guest_request(TestDevice::Request request, uint32_t code)
    {
        switch (request) {
        case TestDevice::Request::Poweroff: m_end = VirtOutcome::Kind::Poweroff; break;
        case TestDevice::Request::Reset: m_end = VirtOutcome::Kind::Reset; break;
        case TestDevice::Request::Fail: m_end = VirtOutcome::Kind::Failure; m_end_code = code; break;
        }
        m_ending = true;
        if (m_running)
            m_running->request_stop();
    }

    uint64_t now_ticks() const
    {
        const auto elapsed = std::chrono::steady_clock::now() - m_start;
        return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count()) /
               (1'000'000'000 / kTimebaseHz);
    }

    // Typed input goes to every console device: the UART (also behind OpenSBI's console, which
    // Linux's SBI driver shows as hvc0) and the virtio console (hvc1). Each keeps it until its
    // guest driver reads it; only the console someone reads from consumes it.
    void poll_console(int timeout_ms)
    {
        m_input.clear();
        m_terminal.poll_input(m_input, timeout_ms);
        if (m_input.empty())
            return;
        for (uint8_t c : m_input)
            m_uart.push_input(c);
        m_virtio_console->push_input(m_input);
    }

    // Devices with host-side work (console input, queue passes left over) get a turn.
    void poll_devices()
    {
        for (auto& device : m_virtio_devices)
            device->poll();
    }

    const VirtConfig& m_config;
    memory::GuestMemory m_ram;
    bus::MmioBus m_bus;
    Clint m_clint;
    Plic m_plic;
    ClintDevice m_clint_device;
    devices::Uart16550 m_uart;
    TestDevice m_test;
    VirtEnv m_env;
    std::vector<std::unique_ptr<VirtHart>> m_harts;
    std::vector<std::unique_ptr<virtio::Device>> m_virtio_devices;
    std::vector<std::unique_ptr<virtio::MmioTransport>> m_transports;
    virtio::Console* m_virtio_console = nullptr;
    VirtHart* m_running = nullptr;
    Terminal m_terminal;
    ConsoleOutput m_stdout{STDOUT_FILENO};
    std::vector<uint8_t> m_output, m_input;
    PanicWatch m_panic;
    bool m_ending = false;
    VirtOutcome::Kind m_end = VirtOutcome::Kind::Poweroff;
    uint32_t m_end_code = 0;
    std::chrono::steady_clock::time_point m_start = std::chrono::steady_clock::now();
};

VirtOutcome Board::run()
{
    VirtOutcome outcome;
    std::vector<bool> waiting(m_harts.size(), false);
    m_start = std::chrono::steady_clock::now();
    uint64_t rounds = 0;
    for (;;) {
        m_clint.set_mtime(now_ticks());
        update_clint_lines();

        bool all_waiting = true;
        for (size_t i = 0; i < m_harts.size() && !m_ending; ++i) {
            VirtHart& hart = *m_harts[i];
            if (waiting[i] && !hart.wakeup_pending())
                continue;
            waiting[i] = false;
            all_waiting = false;
            uint64_t slice = kSlice;
            if (m_config.max_instructions)
                slice = std::min(slice, m_config.max_instructions - outcome.instructions);
            m_running = &hart;
            const auto result = hart.run(slice);
            m_running = nullptr;
            outcome.instructions += result.executed;
            if (m_harts.size() > 1)
                hart.clear_reservation();  // another hart runs next: LR/SC must not span that
            if (result.reason == riscv::StopReason::Wfi)
                waiting[i] = true;
            if (m_config.max_instructions && outcome.instructions >= m_config.max_instructions)
                break;
        }
        if (m_ending) {
            outcome.kind = m_end;
            outcome.code = m_end_code;
            break;
        }
        if (m_panic.seen()) {
            outcome.kind = VirtOutcome::Kind::Panic;
            break;
        }
        if (m_config.max_instructions && outcome.instructions >= m_config.max_instructions) {
            outcome.kind = VirtOutcome::Kind::InstructionLimit;
            break;
        }
        // Sleep while every hart waits for an interrupt: until the next timer deadline, or input.
        int wait_ms = 0;
        if (all_waiting) {
            const uint64_t deadline = m_clint.next_deadline();
            const uint64_t now = now_ticks();
            const uint64_t ticks = deadline > now ? deadline - now : 0;
            wait_ms = static_cast<int>(std::min<uint64_t>(ticks / (kTimebaseHz / 1000), 10));
        }
        if (all_waiting || (++rounds % 8) == 0) {
            poll_console(wait_ms);
            poll_devices();
            flush_output();   // a prompt without a newline, and what stdout could not take before
            m_stdout.drain();
        }
        if (m_terminal.quit_requested()) {
            outcome.kind = VirtOutcome::Kind::Quit;
            break;
        }
        if (m_config.timeout_seconds > 0 && (rounds % 16) == 0) {
            const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - m_start;
            if (elapsed.count() >= m_config.timeout_seconds) {
                outcome.kind = VirtOutcome::Kind::Timeout;
                break;
            }
        }
    }
    flush_output();
    // Quitting is not held up by a stdout that takes nothing; an ending guest's last lines get a
    // moment to go out.
    m_stdout.finish(outcome.kind == VirtOutcome::Kind::Quit ? 0 : 2000);
    if (std::getenv("VIREO_DEBUG_HARTS")) {  // a debugging aid: where each hart was at the end
        for (size_t i = 0; i < m_harts.size(); ++i)
            std::fprintf(stderr, "hart %zu: pc=0x%lx priv=%d waiting=%d mip=0x%lx mie=0x%lx sstatus=0x%lx scause=0x%lx sepc=0x%lx\n", i,
                         static_cast<unsigned long>(m_harts[i]->pc()), static_cast<int>(m_harts[i]->priv()),
                         static_cast<int>(waiting[i]), static_cast<unsigned long>(m_harts[i]->debug_read_csr(riscv::csr::MIP)),
                         static_cast<unsigned long>(m_harts[i]->debug_read_csr(riscv::csr::MIE)),
                         static_cast<unsigned long>(m_harts[i]->debug_read_csr(riscv::csr::SSTATUS)), static_cast<unsigned long>(m_harts[i]->debug_read_csr(riscv::csr::SCAUSE)), static_cast<unsigned long>(m_harts[i]->debug_read_csr(riscv::csr::SEPC)));
    }
    outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count();
    return outcome;
}

}  // namespace

Result<VirtOutcome> run_virt(const VirtConfig& config)
{
    if (config.cpus < 1 || config.cpus > 8)
        return Error::message("--cpus must be between 1 and 8");
    auto board = TRY(Board::create(config));
    if (config.before_guest_runs)
        TRY(config.before_guest_runs());
    return board->run();
}

}  // namespace vireo::machine
