#include "kvm/system.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace vireo::kvm {

namespace {

// ioctl, retried on EINTR for the calls that are not KVM_RUN (a signal meant for KVM_RUN may land
// while a vCPU thread sets up).
int checked_ioctl(int fd, unsigned long request, unsigned long arg)
{
    int rc;
    do {
        rc = ::ioctl(fd, request, arg);
    } while (rc < 0 && errno == EINTR);
    return rc;
}

template <typename T>
int checked_ioctl(int fd, unsigned long request, T* arg)
{
    // SAFETY: `arg` points at the structure the request's ABI names (linux/kvm.h), sized by its type.
    return checked_ioctl(fd, request, reinterpret_cast<unsigned long>(arg));
}

Error ioctl_error(const char* name) { return Error::from_errno(name); }

// linux/kvm.h declares the variable-length structures with __DECLARE_FLEX_ARRAY, which in C++
// puts a one-byte empty struct before the array: sizeof(kvm_cpuid2) becomes 12 and the entries
// move to offset 12 (kvm_msrs: 16), while the kernel's ABI has an 8-byte header. So these
// structures are laid out by hand (a u32 count, a u32 pad, then the entries) and the request
// numbers are spelled with the ABI's 8-byte size.
constexpr size_t kFlexHeader = 8;
constexpr unsigned long KVM_GET_SUPPORTED_CPUID_ABI = _IOC(_IOC_READ | _IOC_WRITE, KVMIO, 0x05, kFlexHeader);
constexpr unsigned long KVM_SET_CPUID2_ABI = _IOC(_IOC_WRITE, KVMIO, 0x90, kFlexHeader);
constexpr unsigned long KVM_SET_MSRS_ABI = _IOC(_IOC_WRITE, KVMIO, 0x89, kFlexHeader);

}  // namespace

Fd& Fd::operator=(Fd&& other) noexcept
{
    if (this != &other) {
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = other.release();
    }
    return *this;
}

Fd::~Fd()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

std::string device_path()
{
    if (const char* path = std::getenv("VIREO_KVM_DEVICE"); path && *path)
        return path;
    return "/dev/kvm";
}

Result<System> System::open()
{
    const std::string path = device_path();
    const int raw = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (raw < 0) {
        const int code = errno;
        std::string hint;
        if (code == ENOENT)
            hint = " (this host offers no KVM: the kvm module is not loaded, or the device is not passed into this container)";
        else if (code == EACCES || code == EPERM)
            hint = " (ask for access to it, e.g. membership of the 'kvm' group)";
        return Error::message(path + ": " + std::strerror(code) + hint);
    }
    Fd fd(raw);
    const int version = checked_ioctl(fd.get(), KVM_GET_API_VERSION, 0ul);
    if (version < 0)
        return Error::from_errno(path + " is not a KVM device: KVM_GET_API_VERSION");
    if (version != KVM_API_VERSION)
        return Error::message(path + ": KVM API version " + std::to_string(version) + ", Vireo needs " +
                              std::to_string(KVM_API_VERSION));

    // What the x86 machine relies on; all of them have been in Linux since 2.6/4.x.
    struct Required {
        long capability;
        const char* name;
    };
    static constexpr Required kRequired[] = {
        {KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY"},
        {KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP"},
        {KVM_CAP_PIT2, "KVM_CAP_PIT2"},
        {KVM_CAP_SET_TSS_ADDR, "KVM_CAP_SET_TSS_ADDR"},
        {KVM_CAP_SET_IDENTITY_MAP_ADDR, "KVM_CAP_SET_IDENTITY_MAP_ADDR"},
        {KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID"},
        {KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT"},
    };
    for (const auto& required : kRequired) {
        const int present = checked_ioctl(fd.get(), KVM_CHECK_EXTENSION, static_cast<unsigned long>(required.capability));
        if (present <= 0)
            return Error::message(path + ": this KVM lacks " + std::string(required.name) + ", which Vireo needs");
    }
    const int mmap_size = checked_ioctl(fd.get(), KVM_GET_VCPU_MMAP_SIZE, 0ul);
    if (mmap_size < 0)
        return ioctl_error("KVM_GET_VCPU_MMAP_SIZE");
    if (static_cast<size_t>(mmap_size) < sizeof(kvm_run))
        return Error::message("KVM_GET_VCPU_MMAP_SIZE: " + std::to_string(mmap_size) + " bytes, less than struct kvm_run");
    return System(std::move(fd), static_cast<size_t>(mmap_size));
}

int System::check_extension(long capability) const
{
    const int rc = checked_ioctl(m_fd.get(), KVM_CHECK_EXTENSION, static_cast<unsigned long>(capability));
    return rc < 0 ? 0 : rc;
}

Result<std::vector<kvm_cpuid_entry2>> System::supported_cpuid() const
{
    // The kernel says E2BIG until the buffer is large enough; grow it up to a sane bound.
    for (uint32_t count = 64; count <= 4096; count *= 2) {
        std::vector<uint8_t> buffer(kFlexHeader + count * sizeof(kvm_cpuid_entry2));
        std::memcpy(buffer.data(), &count, sizeof count);
        if (checked_ioctl(m_fd.get(), KVM_GET_SUPPORTED_CPUID_ABI, buffer.data()) == 0) {
            uint32_t n = 0;
            std::memcpy(&n, buffer.data(), sizeof n);
            n = std::min(n, count);
            std::vector<kvm_cpuid_entry2> entries(n);
            std::memcpy(entries.data(), buffer.data() + kFlexHeader, n * sizeof(kvm_cpuid_entry2));
            return entries;
        }
        if (errno != E2BIG)
            return ioctl_error("KVM_GET_SUPPORTED_CPUID");
    }
    return Error::message("KVM_GET_SUPPORTED_CPUID: more than 4096 entries");
}

Result<Vm> Vm::create(const System& system)
{
    // Type 0: the default x86 VM.
    const int fd = checked_ioctl(system.fd(), KVM_CREATE_VM, 0ul);
    if (fd < 0)
        return ioctl_error("KVM_CREATE_VM");
    return Vm(Fd(fd));
}

Result<void> Vm::set_memory_region(uint32_t slot, uint64_t guest_addr, uint64_t size, void* host)
{
    kvm_userspace_memory_region region{};
    region.slot = slot;
    region.guest_phys_addr = guest_addr;
    region.memory_size = size;
    region.userspace_addr = reinterpret_cast<uint64_t>(host);
    if (checked_ioctl(m_fd.get(), KVM_SET_USER_MEMORY_REGION, &region) < 0)
        return ioctl_error("KVM_SET_USER_MEMORY_REGION");
    return {};
}

Result<void> Vm::set_tss_address(uint64_t addr)
{
    if (checked_ioctl(m_fd.get(), KVM_SET_TSS_ADDR, static_cast<unsigned long>(addr)) < 0)
        return ioctl_error("KVM_SET_TSS_ADDR");
    return {};
}

Result<void> Vm::set_identity_map_address(uint64_t addr)
{
    uint64_t value = addr;
    if (checked_ioctl(m_fd.get(), KVM_SET_IDENTITY_MAP_ADDR, &value) < 0)
        return ioctl_error("KVM_SET_IDENTITY_MAP_ADDR");
    return {};
}

Result<void> Vm::create_irqchip()
{
    if (checked_ioctl(m_fd.get(), KVM_CREATE_IRQCHIP, 0ul) < 0)
        return ioctl_error("KVM_CREATE_IRQCHIP");
    return {};
}

Result<void> Vm::create_pit2()
{
    kvm_pit_config config{};
    // Port 0x61 (the speaker gate) is served in the kernel too, so PIT channel 2 calibration works.
    config.flags = KVM_PIT_SPEAKER_DUMMY;
    if (checked_ioctl(m_fd.get(), KVM_CREATE_PIT2, &config) < 0)
        return ioctl_error("KVM_CREATE_PIT2");
    return {};
}

Result<void> Vm::set_irq_line(uint32_t irq, bool level)
{
    kvm_irq_level line{};
    line.irq = irq;
    line.level = level ? 1 : 0;
    if (checked_ioctl(m_fd.get(), KVM_IRQ_LINE, &line) < 0)
        return ioctl_error("KVM_IRQ_LINE");
    return {};
}

Result<std::unique_ptr<Vcpu>> Vcpu::create(const System& system, Vm& vm, uint32_t id)
{
    const int raw = checked_ioctl(vm.fd(), KVM_CREATE_VCPU, static_cast<unsigned long>(id));
    if (raw < 0)
        return ioctl_error("KVM_CREATE_VCPU");
    Fd fd(raw);
    void* run = ::mmap(nullptr, system.vcpu_mmap_size(), PROT_READ | PROT_WRITE, MAP_SHARED, fd.get(), 0);
    if (run == MAP_FAILED)
        return Error::from_errno("mmap of the vCPU's kvm_run");
    // SAFETY: KVM maps a struct kvm_run at offset 0 of the vCPU fd; the size was checked in open().
    return std::unique_ptr<Vcpu>(new Vcpu(std::move(fd), id, static_cast<kvm_run*>(run), system.vcpu_mmap_size()));
}

Vcpu::~Vcpu() { ::munmap(m_run, m_mmap_size); }

Result<kvm_regs> Vcpu::get_regs() const
{
    kvm_regs regs{};
    if (checked_ioctl(m_fd.get(), KVM_GET_REGS, &regs) < 0)
        return ioctl_error("KVM_GET_REGS");
    return regs;
}

Result<void> Vcpu::set_regs(const kvm_regs& regs)
{
    kvm_regs copy = regs;
    if (checked_ioctl(m_fd.get(), KVM_SET_REGS, &copy) < 0)
        return ioctl_error("KVM_SET_REGS");
    return {};
}

Result<kvm_sregs> Vcpu::get_sregs() const
{
    kvm_sregs sregs{};
    if (checked_ioctl(m_fd.get(), KVM_GET_SREGS, &sregs) < 0)
        return ioctl_error("KVM_GET_SREGS");
    return sregs;
}

Result<void> Vcpu::set_sregs(const kvm_sregs& sregs)
{
    kvm_sregs copy = sregs;
    if (checked_ioctl(m_fd.get(), KVM_SET_SREGS, &copy) < 0)
        return ioctl_error("KVM_SET_SREGS");
    return {};
}

Result<void> Vcpu::set_fpu(const kvm_fpu& fpu)
{
    kvm_fpu copy = fpu;
    if (checked_ioctl(m_fd.get(), KVM_SET_FPU, &copy) < 0)
        return ioctl_error("KVM_SET_FPU");
    return {};
}

Result<void> Vcpu::set_cpuid(const std::vector<kvm_cpuid_entry2>& entries)
{
    std::vector<uint8_t> buffer(kFlexHeader + entries.size() * sizeof(kvm_cpuid_entry2));
    const auto count = static_cast<uint32_t>(entries.size());
    std::memcpy(buffer.data(), &count, sizeof count);
    std::memcpy(buffer.data() + kFlexHeader, entries.data(), entries.size() * sizeof(kvm_cpuid_entry2));
    if (checked_ioctl(m_fd.get(), KVM_SET_CPUID2_ABI, buffer.data()) < 0)
        return ioctl_error("KVM_SET_CPUID2");
    return {};
}

Result<size_t> Vcpu::set_msrs(const std::vector<std::pair<uint32_t, uint64_t>>& msrs)
{
    std::vector<uint8_t> buffer(kFlexHeader + msrs.size() * sizeof(kvm_msr_entry));
    const auto count = static_cast<uint32_t>(msrs.size());
    std::memcpy(buffer.data(), &count, sizeof count);
    for (size_t i = 0; i < msrs.size(); ++i) {
        kvm_msr_entry entry{};
        entry.index = msrs[i].first;
        entry.data = msrs[i].second;
        std::memcpy(buffer.data() + kFlexHeader + i * sizeof entry, &entry, sizeof entry);
    }
    const int rc = checked_ioctl(m_fd.get(), KVM_SET_MSRS_ABI, buffer.data());
    if (rc < 0)
        return ioctl_error("KVM_SET_MSRS");
    return static_cast<size_t>(rc);
}

Result<kvm_lapic_state> Vcpu::get_lapic() const
{
    kvm_lapic_state lapic{};
    if (checked_ioctl(m_fd.get(), KVM_GET_LAPIC, &lapic) < 0)
        return ioctl_error("KVM_GET_LAPIC");
    return lapic;
}

Result<void> Vcpu::set_lapic(const kvm_lapic_state& lapic)
{
    kvm_lapic_state copy = lapic;
    if (checked_ioctl(m_fd.get(), KVM_SET_LAPIC, &copy) < 0)
        return ioctl_error("KVM_SET_LAPIC");
    return {};
}

Result<bool> Vcpu::run()
{
    // Not retried on EINTR: a signal is how the machine asks the vCPU thread to look up.
    if (::ioctl(m_fd.get(), KVM_RUN, 0) < 0) {
        if (errno == EINTR || errno == EAGAIN)
            return false;
        return ioctl_error("KVM_RUN");
    }
    return true;
}

}  // namespace vireo::kvm
