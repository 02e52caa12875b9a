// Thin RAII wrappers for the three KVM objects (Documentation/virt/kvm/api.rst): the system
// (/dev/kvm), a VM and a vCPU. Each owns its file descriptor; a vCPU also owns its mapping of the
// shared `struct kvm_run`. Every ioctl is checked and a failure names the ioctl and the errno, so
// an error reads "KVM_CREATE_IRQCHIP: Operation not permitted" rather than "failed".
//
// Objects are created through static create() functions that return Result, SerenityOS style:
// the constructors are private, so a half-built object cannot escape.
#pragma once

#include <linux/kvm.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/result.hpp"

namespace vireo::kvm {

// An owned file descriptor, closed on destruction.
class Fd {
public:
    Fd() = default;
    explicit Fd(int fd) : m_fd(fd) {}
    Fd(Fd&& other) noexcept : m_fd(other.release()) {}
    Fd& operator=(Fd&& other) noexcept;
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd();

    int get() const { return m_fd; }
    int release()
    {
        const int fd = m_fd;
        m_fd = -1;
        return fd;
    }

private:
    int m_fd = -1;
};

// The device path: /dev/kvm, or $VIREO_KVM_DEVICE (so tests can point it at a missing or wrong
// file and check the error).
std::string device_path();

class System {
public:
    // Opens the device and checks the API version (12, the only stable one) and the capabilities
    // the x86 machine relies on. The error says which one is missing.
    static Result<System> open();

    int fd() const { return m_fd.get(); }
    // KVM_CHECK_EXTENSION: 0 when absent, else a capability-specific positive value.
    int check_extension(long capability) const;
    // KVM_GET_VCPU_MMAP_SIZE: the size of each vCPU's kvm_run mapping.
    size_t vcpu_mmap_size() const { return m_vcpu_mmap_size; }
    // KVM_GET_SUPPORTED_CPUID: every leaf this host's KVM can present to a guest.
    Result<std::vector<kvm_cpuid_entry2>> supported_cpuid() const;

private:
    System(Fd fd, size_t mmap_size) : m_fd(std::move(fd)), m_vcpu_mmap_size(mmap_size) {}
    Fd m_fd;
    size_t m_vcpu_mmap_size = 0;
};

class Vcpu;

class Vm {
public:
    static Result<Vm> create(const System& system);

    int fd() const { return m_fd.get(); }

    // KVM_SET_USER_MEMORY_REGION: guest physical [guest_addr, guest_addr+size) is backed by the
    // host memory at `host`, which must stay mapped for the VM's lifetime.
    Result<void> set_memory_region(uint32_t slot, uint64_t guest_addr, uint64_t size, void* host);
    // x86 set-up that must precede vCPU creation: the three pages of the TSS that Intel's real-mode
    // emulation needs (KVM_SET_TSS_ADDR) and the identity-map page (KVM_SET_IDENTITY_MAP_ADDR),
    // both in a range the guest does not use as RAM.
    Result<void> set_tss_address(uint64_t addr);
    Result<void> set_identity_map_address(uint64_t addr);
    // The in-kernel PIC, IOAPIC and local APICs (KVM_CREATE_IRQCHIP) and i8254 PIT (KVM_CREATE_PIT2).
    Result<void> create_irqchip();
    Result<void> create_pit2();
    // KVM_IRQ_LINE: drives input `irq` of the in-kernel PIC (irq < 16) and IOAPIC (irq < 24).
    // Thread-safe, as every VM ioctl is.
    Result<void> set_irq_line(uint32_t irq, bool level);

private:
    explicit Vm(Fd fd) : m_fd(std::move(fd)) {}
    Fd m_fd;
};

class Vcpu {
public:
    static Result<std::unique_ptr<Vcpu>> create(const System& system, Vm& vm, uint32_t id);
    ~Vcpu();
    Vcpu(const Vcpu&) = delete;
    Vcpu& operator=(const Vcpu&) = delete;

    uint32_t id() const { return m_id; }
    int fd() const { return m_fd.get(); }
    // The shared run structure: the exit reason and its data after run().
    kvm_run& run_state() { return *m_run; }
    size_t mmap_size() const { return m_mmap_size; }

    Result<kvm_regs> get_regs() const;
    Result<void> set_regs(const kvm_regs& regs);
    Result<kvm_sregs> get_sregs() const;
    Result<void> set_sregs(const kvm_sregs& sregs);
    Result<void> set_fpu(const kvm_fpu& fpu);
    Result<void> set_cpuid(const std::vector<kvm_cpuid_entry2>& entries);
    // KVM_SET_MSRS with (index, value) pairs; returns how many KVM accepted (it stops at the first
    // it refuses). The caller decides whether a short count matters.
    Result<size_t> set_msrs(const std::vector<std::pair<uint32_t, uint64_t>>& msrs);
    Result<kvm_lapic_state> get_lapic() const;
    Result<void> set_lapic(const kvm_lapic_state& lapic);

    // KVM_RUN. Returns true when the vCPU exited with a reason in run_state(), false when a signal
    // interrupted it (EINTR, or EINTR at once because immediate_exit was set).
    Result<bool> run();

private:
    Vcpu(Fd fd, uint32_t id, kvm_run* run, size_t mmap_size) : m_fd(std::move(fd)), m_id(id), m_run(run), m_mmap_size(mmap_size) {}
    Fd m_fd;
    uint32_t m_id;
    kvm_run* m_run;
    size_t m_mmap_size;
};

}  // namespace vireo::kvm
