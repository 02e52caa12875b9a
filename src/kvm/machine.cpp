// The x86-64 KVM machine: wiring, vCPU threads and the event loop. See kvm.hpp.
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>

#include "base/bytes.hpp"
#include "base/console_output.hpp"
#include "base/file.hpp"
#include "base/log.hpp"
#include "base/terminal.hpp"
#include "bus/bus.hpp"
#include "devices/uart16550.hpp"
#include "kvm/cpu.hpp"
#include "kvm/kvm.hpp"
#include "kvm/layout.hpp"
#include "kvm/legacy.hpp"
#include "kvm/system.hpp"
#include "kvm/tables.hpp"
#include "memory/guest_memory.hpp"
#include "virtio/virtio.hpp"

namespace vireo::kvm {

namespace {

std::string hex(uint64_t v)
{
    char buffer[24];
    std::snprintf(buffer, sizeof buffer, "0x%lx", static_cast<unsigned long>(v));
    return buffer;
}

// The signal that knocks a vCPU thread out of KVM_RUN. Its handler does nothing: the point is the
// EINTR (Documentation/virt/kvm/api.rst, "immediate_exit").
int kick_signal() { return SIGRTMIN + 4; }

void install_kick_handler()
{
    static std::once_flag once;
    std::call_once(once, [] {
        struct sigaction action {};
        action.sa_handler = [](int) {};
        sigemptyset(&action.sa_mask);
        action.sa_flags = 0;  // no SA_RESTART: KVM_RUN must return EINTR
        ::sigaction(kick_signal(), &action, nullptr);
    });
}

// An interrupt line into the in-kernel PIC and IOAPIC.
class IrqLine final : public bus::InterruptLine {
public:
    IrqLine(Vm& vm, uint32_t irq) : m_vm(vm), m_irq(irq) {}
    void set_level(bool high) override
    {
        if (auto result = m_vm.set_irq_line(m_irq, high); !result.ok() && !m_warned) {
            m_warned = true;
            LOG_WARN("kvm: IRQ %u: %s", m_irq, result.error().text().c_str());
        }
    }

private:
    Vm& m_vm;
    uint32_t m_irq;
    bool m_warned = false;
};

// Watches the console for the kernel's panic line, so a panicked guest ends the run with a
// message instead of spinning (the same watch as the RISC-V machine's).
class PanicWatch {
public:
    bool feed(uint8_t c)
    {
        static constexpr std::string_view needle = "Kernel panic - not syncing";
        m_matched = (c == static_cast<uint8_t>(needle[m_matched])) ? m_matched + 1 : (c == static_cast<uint8_t>(needle[0]) ? 1 : 0);
        if (m_matched == needle.size()) {
            m_matched = 0;
            return true;
        }
        return false;
    }

private:
    size_t m_matched = 0;
};

uint64_t all_ones(unsigned size) { return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1; }

class Machine {
public:
    static Result<std::unique_ptr<Machine>> create(const Config& config);
    ~Machine();
    Outcome run();

private:
    Machine(const Config& config, System system, Vm vm, memory::GuestMemory ram);
    Result<void> wire();
    Result<void> add_virtio(std::unique_ptr<virtio::Device> device, const std::string& name);
    Result<void> load_and_create_vcpus();
    std::string full_cmdline() const;

    void vcpu_loop(Vcpu& vcpu);
    void handle_io(Vcpu& vcpu);
    void handle_mmio(kvm_run& run);
    void stop(Outcome::Kind kind, std::string detail = {});
    void console_output(uint8_t c);
    void flush_output();

    Config m_config;
    System m_system;
    Vm m_vm;
    memory::GuestMemory m_ram;
    std::vector<std::unique_ptr<Vcpu>> m_vcpus;

    // Everything the guest reaches through exits, guarded by m_devices_lock: the transports and
    // the UART are not thread-safe, and two vCPUs may exit at once.
    std::mutex m_devices_lock;
    bus::MmioBus m_mmio;
    PioBus m_pio;
    IrqLine m_com1_irq;
    devices::Uart16550 m_com1;
    I8042 m_i8042;
    AcpiSleep m_acpi_sleep;
    std::vector<std::unique_ptr<IrqLine>> m_virtio_irqs;
    std::vector<std::unique_ptr<virtio::Device>> m_virtio_devices;
    std::vector<std::unique_ptr<virtio::MmioTransport>> m_transports;
    std::vector<MmioDeviceInfo> m_virtio_info;
    virtio::Console* m_virtio_console = nullptr;
    std::vector<uint8_t> m_output;
    ConsoleOutput m_stdout{STDOUT_FILENO};
    PanicWatch m_panic;

    // The end of the run: the first stop() wins. Guarded by m_end_lock (never taken before
    // m_devices_lock).
    std::mutex m_end_lock;
    std::condition_variable m_end_cv;
    std::atomic<bool> m_stopping{false};
    Outcome::Kind m_end = Outcome::Kind::Poweroff;
    std::string m_end_detail;
    std::vector<std::thread> m_threads;
};

Machine::Machine(const Config& config, System system, Vm vm, memory::GuestMemory ram)
    : m_config(config), m_system(std::move(system)), m_vm(std::move(vm)), m_ram(std::move(ram)),
      m_com1_irq(m_vm, layout::kCom1Irq),
      m_com1(&m_com1_irq, [this](uint8_t c) { console_output(c); }),
      m_i8042([this] { stop(Outcome::Kind::Reset); }),
      m_acpi_sleep([this] { stop(Outcome::Kind::Poweroff); })
{
}

Machine::~Machine()
{
    // Threads are joined in run(); a machine that failed before run() has none.
    for (auto& thread : m_threads)
        if (thread.joinable())
            thread.join();
}

Result<std::unique_ptr<Machine>> Machine::create(const Config& config)
{
    if (config.cpus < 1 || config.cpus > layout::kMaxCpus)
        return Error::message("--cpus must be between 1 and " + std::to_string(layout::kMaxCpus));
    if (config.mem_size < layout::kMinRam || config.mem_size > layout::kMaxRam)
        return Error::message("--mem must be between 4 MiB and 3 GiB for an x86 guest (RAM above the 32-bit MMIO gap is not implemented yet)");
    if (config.kernel.empty())
        return Error::message("no kernel given (--kernel FILE: a bzImage or an ELF vmlinux)");

    System system = TRY(System::open());
    const int max_vcpus = system.check_extension(KVM_CAP_MAX_VCPUS);
    if (max_vcpus > 0 && config.cpus > static_cast<unsigned>(max_vcpus))
        return Error::message("--cpus " + std::to_string(config.cpus) + ": this host's KVM allows at most " + std::to_string(max_vcpus));
    Vm vm = TRY(Vm::create(system));
    auto ram = TRY(memory::GuestMemory::create(0, config.mem_size));

    // Firecracker's order: TSS and identity map, irqchip, PIT, memory, then the vCPUs.
    TRY(vm.set_tss_address(layout::kTss));
    TRY(vm.set_identity_map_address(layout::kIdentityMapPage));
    TRY(vm.create_irqchip());
    TRY(vm.create_pit2());
    TRY(vm.set_memory_region(0, 0, ram.size(), ram.host_address(0)));

    auto machine = std::unique_ptr<Machine>(new Machine(config, std::move(system), std::move(vm), std::move(ram)));
    TRY(machine->wire());
    TRY(machine->load_and_create_vcpus());
    return machine;
}

Result<void> Machine::wire()
{
    TRY(m_pio.map(layout::kCom1, 8, m_com1, "COM1"));
    TRY(m_pio.map(layout::kI8042, 5, m_i8042, "i8042"));
    TRY(m_pio.map(layout::kAcpiSleep, 2, m_acpi_sleep, "ACPI sleep registers"));

    // The virtio slots, in the RISC-V machine's order (virtio/device_set.hpp).
    m_virtio_console = TRY(virtio::add_standard_devices(
        m_config.devices,
        [this](std::span<const uint8_t> bytes) {
            for (uint8_t c : bytes)
                console_output(c);
        },
        [this](std::unique_ptr<virtio::Device> device, const std::string& name) { return add_virtio(std::move(device), name); }));
    return {};
}

Result<void> Machine::add_virtio(std::unique_ptr<virtio::Device> device, const std::string& name)
{
    const auto slot = static_cast<unsigned>(m_transports.size());
    if (slot >= layout::kVirtioSlots)
        return Error::message("too many virtio devices (at most " + std::to_string(layout::kVirtioSlots) + ")");
    const MmioDeviceInfo info{layout::kVirtioBase + slot * layout::kVirtioStride, layout::kVirtioStride,
                              layout::kVirtioFirstIrq + slot};
    auto irq = std::make_unique<IrqLine>(m_vm, info.irq);
    auto transport = std::make_unique<virtio::MmioTransport>(*device, m_ram, *irq);
    TRY(m_mmio.map(info.base, virtio::MmioTransport::kWindowSize, *transport, name));
    m_virtio_irqs.push_back(std::move(irq));
    m_virtio_devices.push_back(std::move(device));
    m_transports.push_back(std::move(transport));
    m_virtio_info.push_back(info);
    return {};
}

// The user's command line, then one virtio_mmio.device=<size>@<base>:<irq> per device
// (Documentation/admin-guide/kernel-parameters.txt) for kernels built with
// CONFIG_VIRTIO_MMIO_CMDLINE_DEVICES; kernels with ACPI find the same devices in the DSDT.
std::string Machine::full_cmdline() const
{
    std::string cmdline = m_config.append;
    for (const auto& info : m_virtio_info) {
        if (!cmdline.empty())
            cmdline += ' ';
        cmdline += "virtio_mmio.device=4K@" + hex(info.base) + ":" + std::to_string(info.irq);
    }
    return cmdline;
}

Result<void> Machine::load_and_create_vcpus()
{
    TRY(write_boot_gdt_and_paging(m_ram));
    const uint64_t rsdp = TRY(write_acpi_tables(m_ram, m_config.cpus, m_virtio_info));
    TRY(write_mp_table(m_ram, m_config.cpus));

    const auto kernel = TRY(read_file(m_config.kernel));
    std::vector<uint8_t> initrd;
    if (!m_config.initrd.empty())
        initrd = TRY(read_file(m_config.initrd));
    BootInputs inputs;
    inputs.kernel = kernel;
    inputs.kernel_name = m_config.kernel;
    inputs.initrd = initrd;
    inputs.initrd_name = m_config.initrd;
    inputs.cmdline = full_cmdline();
    inputs.acpi_rsdp = rsdp;
    inputs.raw = m_config.raw ? &*m_config.raw : nullptr;
    const LoadedKernel loaded = TRY(load_kernel(m_ram, inputs));

    const auto supported = TRY(m_system.supported_cpuid());
    for (uint32_t i = 0; i < m_config.cpus; ++i) {
        auto vcpu = TRY(Vcpu::create(m_system, m_vm, i));
        TRY(configure_vcpu(*vcpu, vcpu_cpuid(supported, i, m_config.cpus)));
        // The other vCPUs wait, in the in-kernel local APIC's INIT state, for the boot vCPU's
        // INIT/SIPI, as on real hardware.
        if (i == 0)
            TRY(set_entry_state(*vcpu, loaded.entry));
        m_vcpus.push_back(std::move(vcpu));
    }
    return {};
}

void Machine::console_output(uint8_t c)
{
    m_output.push_back(c);
    if (m_panic.feed(c))
        stop(Outcome::Kind::Panic);
    if (c == '\n' || m_output.size() >= 256)
        flush_output();
}

void Machine::flush_output()
{
    if (m_output.empty())
        return;
    // Never waits for stdout (console_output.hpp): a vCPU that floods COM1 while stdout is stuck
    // must not hold the device lock, and with it the main thread's Ctrl-A X, in a blocked write.
    if (m_config.console_output)
        m_config.console_output(m_output);
    else
        m_stdout.write(m_output);
    m_output.clear();
}

void Machine::stop(Outcome::Kind kind, std::string detail)
{
    std::lock_guard lock(m_end_lock);
    if (m_stopping.exchange(true))
        return;
    m_end = kind;
    m_end_detail = std::move(detail);
    // Every vCPU leaves KVM_RUN: immediate_exit covers a thread about to enter it, the signal one
    // already inside (also one halted in the in-kernel local APIC).
    for (size_t i = 0; i < m_threads.size(); ++i) {
        // SAFETY: kvm_run is shared memory of the vCPU, mapped for its lifetime; immediate_exit is
        // a byte the kernel only reads.
        std::atomic_ref<uint8_t>(m_vcpus[i]->run_state().immediate_exit).store(1);
        ::pthread_kill(m_threads[i].native_handle(), kick_signal());
    }
    m_end_cv.notify_all();
}

void Machine::handle_io(Vcpu& vcpu)
{
    kvm_run& run = vcpu.run_state();
    const unsigned size = run.io.size;
    const uint64_t bytes = static_cast<uint64_t>(size) * run.io.count;
    // The data area is inside the kvm_run mapping; a string instruction's count comes from the guest.
    if ((size != 1 && size != 2 && size != 4) || run.io.count == 0 || run.io.data_offset > vcpu.mmap_size() ||
        bytes > vcpu.mmap_size() - run.io.data_offset)
        return;
    // SAFETY: [data_offset, data_offset + bytes) lies inside the vCPU's kvm_run mapping (checked above).
    uint8_t* data = reinterpret_cast<uint8_t*>(&run) + run.io.data_offset;
    std::lock_guard lock(m_devices_lock);
    for (uint32_t i = 0; i < run.io.count; ++i, data += size) {
        if (run.io.direction == KVM_EXIT_IO_OUT) {
            uint64_t value = 0;
            std::memcpy(&value, data, size);
            m_pio.write(run.io.port, size, value);
        } else {
            uint64_t value = 0;
            if (!m_pio.read(run.io.port, size, value))
                value = all_ones(size);
            std::memcpy(data, &value, size);
        }
    }
}

void Machine::handle_mmio(kvm_run& run)
{
    const unsigned size = run.mmio.len;
    if (size != 1 && size != 2 && size != 4 && size != 8) {
        if (!run.mmio.is_write)
            std::memset(run.mmio.data, 0xff, sizeof run.mmio.data);
        return;
    }
    std::lock_guard lock(m_devices_lock);
    if (run.mmio.is_write) {
        uint64_t value = 0;
        std::memcpy(&value, run.mmio.data, size);
        m_mmio.write(run.mmio.phys_addr, size, value);
    } else {
        uint64_t value = 0;
        if (!m_mmio.read(run.mmio.phys_addr, size, value))
            value = all_ones(size);  // nothing there: the bus floats high
        std::memcpy(run.mmio.data, &value, size);
    }
}

void Machine::vcpu_loop(Vcpu& vcpu)
{
    sigset_t kick;
    sigemptyset(&kick);
    sigaddset(&kick, kick_signal());
    ::pthread_sigmask(SIG_UNBLOCK, &kick, nullptr);
    char text[160];
    while (!m_stopping.load()) {
        auto ran = vcpu.run();
        if (!ran.ok()) {
            stop(Outcome::Kind::Failure, "vCPU " + std::to_string(vcpu.id()) + ": " + ran.error().text());
            return;
        }
        if (!ran.value())
            continue;  // a kick: look at m_stopping
        kvm_run& run = vcpu.run_state();
        switch (run.exit_reason) {
        case KVM_EXIT_IO:
            handle_io(vcpu);
            break;
        case KVM_EXIT_MMIO:
            handle_mmio(run);
            break;
        case KVM_EXIT_INTR:
            break;
        case KVM_EXIT_SHUTDOWN:
            // A triple fault. Linux's last resort for reboot, but also how a broken guest dies.
            stop(Outcome::Kind::TripleFault, "vCPU " + std::to_string(vcpu.id()) + " triple-faulted (KVM_EXIT_SHUTDOWN)");
            return;
        case KVM_EXIT_SYSTEM_EVENT:
            if (run.system_event.type == KVM_SYSTEM_EVENT_RESET)
                stop(Outcome::Kind::Reset);
            else if (run.system_event.type == KVM_SYSTEM_EVENT_SHUTDOWN)
                stop(Outcome::Kind::Poweroff);
            else
                stop(Outcome::Kind::Failure, "vCPU " + std::to_string(vcpu.id()) + ": KVM system event " + std::to_string(run.system_event.type));
            return;
        case KVM_EXIT_FAIL_ENTRY:
            std::snprintf(text, sizeof text, "vCPU %u: KVM_EXIT_FAIL_ENTRY, hardware entry failure reason 0x%llx", vcpu.id(),
                          static_cast<unsigned long long>(run.fail_entry.hardware_entry_failure_reason));
            stop(Outcome::Kind::Failure, text);
            return;
        case KVM_EXIT_INTERNAL_ERROR:
            std::snprintf(text, sizeof text, "vCPU %u: KVM_EXIT_INTERNAL_ERROR, suberror %u%s, at ", vcpu.id(),
                          run.internal.suberror, run.internal.suberror == KVM_INTERNAL_ERROR_EMULATION ? " (emulation failure)" : "");
            stop(Outcome::Kind::Failure, text + describe_instruction(vcpu, m_ram));
            return;
        default:
            std::snprintf(text, sizeof text, "vCPU %u: unexpected KVM exit reason %u", vcpu.id(), run.exit_reason);
            stop(Outcome::Kind::Failure, text);
            return;
        }
    }
}

Outcome Machine::run()
{
    install_kick_handler();
    std::optional<Terminal> terminal;
    if (m_config.console_input)
        terminal.emplace();
    const auto start = std::chrono::steady_clock::now();
    for (auto& vcpu : m_vcpus) {
        std::lock_guard lock(m_end_lock);
        m_threads.emplace_back([this, v = vcpu.get()] { vcpu_loop(*v); });
    }

    std::vector<uint8_t> input;
    while (!m_stopping.load()) {
        if (terminal) {
            input.clear();
            terminal->poll_input(input, 0);
            if (!input.empty()) {
                std::lock_guard lock(m_devices_lock);
                for (uint8_t c : input)
                    m_com1.push_input(c);
                m_virtio_console->push_input(input);
            }
            if (terminal->quit_requested())
                stop(Outcome::Kind::Quit);
        }
        {
            // Devices with host-side work (console input, queue passes left over) get a turn, and
            // output without a newline (a shell prompt) reaches the terminal.
            std::lock_guard lock(m_devices_lock);
            for (auto& device : m_virtio_devices)
                device->poll();
            flush_output();
            m_stdout.drain();
        }
        if (m_config.timeout_seconds > 0) {
            const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
            if (elapsed.count() >= m_config.timeout_seconds)
                stop(Outcome::Kind::Timeout);
        }
        std::unique_lock lock(m_end_lock);
        m_end_cv.wait_for(lock, std::chrono::milliseconds(5), [this] { return m_stopping.load(); });
    }
    for (auto& thread : m_threads)
        thread.join();
    m_threads.clear();
    Outcome outcome;
    {
        std::lock_guard lock(m_end_lock);
        outcome.kind = m_end;
        outcome.detail = m_end_detail;
    }
    {
        std::lock_guard lock(m_devices_lock);
        flush_output();
        // Quitting is not held up by a stdout that takes nothing; an ending guest's last lines
        // get a moment to go out.
        m_stdout.finish(outcome.kind == Outcome::Kind::Quit ? 0 : 2000);
    }
    outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return outcome;
}

std::string format_seconds(double seconds)
{
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%g", seconds);
    return buffer;
}

}  // namespace

Result<void> check_available()
{
    TRY(System::open());
    return {};
}

Result<Outcome> run(const Config& config)
{
    auto machine = TRY(Machine::create(config));
    if (config.before_guest_runs)
        TRY(config.before_guest_runs());
    return machine->run();
}

ExitReport report(const Outcome& outcome, double timeout_seconds)
{
    using Kind = Outcome::Kind;
    switch (outcome.kind) {
    case Kind::Poweroff: return {0, ""};
    case Kind::Reset: return {0, "the guest asked for a reset; Vireo ends the run instead of rebooting"};
    case Kind::Quit: return {0, ""};
    case Kind::TripleFault: return {1, "the guest stopped: " + outcome.detail};
    case Kind::Panic: return {1, "the guest kernel panicked"};
    case Kind::Timeout: return {124, "timeout of " + format_seconds(timeout_seconds) + " seconds reached"};
    case Kind::Failure: return {125, "KVM could not run the guest: " + outcome.detail};
    }
    return {125, "kvm machine: unknown outcome"};
}

}  // namespace vireo::kvm
