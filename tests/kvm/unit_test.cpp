// The KVM machine's pure parts, which need no /dev/kvm (labels `unit` and `kvm`): the kernel
// loaders against good and hostile images, the boot structures they write into guest memory, the
// ACPI and MP tables, CPUID shaping, and the port-I/O devices.
#include <gtest/gtest.h>

#include <linux/kvm.h>

#include <algorithm>
#include <cstring>
#include <random>

#include "base/bytes.hpp"
#include "base/file.hpp"
#include "kvm/boot.hpp"
#include "kvm/cpu.hpp"
#include "kvm/layout.hpp"
#include "kvm/legacy.hpp"
#include "kvm/tables.hpp"
#include "memory/guest_memory.hpp"

using namespace vireo;
using namespace vireo::kvm;

namespace {

std::vector<uint8_t> file(const char* path)
{
    auto bytes = read_file(path);
    EXPECT_TRUE(bytes.ok()) << path;
    return bytes.ok() ? bytes.value() : std::vector<uint8_t>{};
}

memory::GuestMemory ram(uint64_t size = 64ull << 20) { return memory::GuestMemory::create(0, size).release_value(); }

uint8_t checksum(std::span<const uint8_t> bytes)
{
    uint8_t sum = 0;
    for (uint8_t b : bytes)
        sum = static_cast<uint8_t>(sum + b);
    return sum;
}

template <typename T>
T peek(memory::GuestMemory& m, uint64_t addr)
{
    T value{};
    std::vector<uint8_t> bytes(sizeof(T));
    EXPECT_TRUE(m.read(addr, bytes).ok());
    std::memcpy(&value, bytes.data(), sizeof(T));
    return value;
}

}  // namespace

// Documentation/arch/x86/boot.rst: the setup header of the test bzImage (payloads/bzhdr.s).
TEST(KvmBzImage, ParsesTheSetupHeader)
{
    const auto image = file(VIREO_KVM_LONG64_BZIMAGE);
    auto hdr = parse_bzimage(image, "bz");
    ASSERT_TRUE(hdr.ok()) << hdr.error().text();
    EXPECT_EQ(hdr.value().protocol, 0x020fu);
    EXPECT_EQ(hdr.value().setup_size, 0x400u);
    EXPECT_TRUE(hdr.value().relocatable);
    EXPECT_EQ(hdr.value().pref_address, 0x1000000u);
    EXPECT_EQ(hdr.value().kernel_alignment, 0x200000u);
    EXPECT_EQ(hdr.value().init_size, 0x100000u);
    EXPECT_EQ(hdr.value().cmdline_size, 2047u);
    EXPECT_EQ(hdr.value().header_end, 0x26cu);
}

TEST(KvmBzImage, RefusesWhatItCannotBoot)
{
    const auto good = file(VIREO_KVM_LONG64_BZIMAGE);
    auto expect_error = [](std::vector<uint8_t> image, const char* text) {
        auto hdr = parse_bzimage(image, "k");
        ASSERT_FALSE(hdr.ok()) << text;
        EXPECT_NE(hdr.error().text().find(text), std::string::npos) << hdr.error().text();
    };
    auto old = good;
    store_le<uint16_t>(&old[0x206], 0x020b);
    expect_error(old, "boot protocol 2.11 is older than 2.12");
    auto no64 = good;
    store_le<uint16_t>(&no64[0x236], 0);
    expect_error(no64, "no 64-bit entry point");
    auto low = good;
    low[0x211] = 0;
    expect_error(low, "zImage");
    auto magic = good;
    magic[0x202] = 'X';
    expect_error(magic, "not a bzImage");
    expect_error(std::vector<uint8_t>(good.begin(), good.begin() + 0x250), "not a bzImage");
    auto sects = good;
    sects[0x1f1] = 0xff;  // 256 sectors of setup in a 5 KiB file
    expect_error(sects, "leave no kernel");
    auto jump = good;
    jump[0x201] = 0x10;   // a header that ends before init_size
    expect_error(jump, "setup header of protocol 2.15 ends at 0x212");
    auto align = good;
    store_le<uint32_t>(&align[0x230], 0x300000);
    expect_error(align, "not a power of two");
}

TEST(KvmBzImage, LoadsTheKernelAndWritesTheZeroPage)
{
    const auto image = file(VIREO_KVM_LONG64_BZIMAGE);
    auto m = ram();
    std::vector<uint8_t> initrd(10000, 0x5a);
    BootInputs in;
    in.kernel = image;
    in.kernel_name = "bz";
    in.initrd = initrd;
    in.initrd_name = "initrd";
    in.cmdline = "console=ttyS0";
    in.acpi_rsdp = layout::kAcpi;
    auto loaded = load_kernel(m, in);
    ASSERT_TRUE(loaded.ok()) << loaded.error().text();
    EXPECT_EQ(loaded.value().format, KernelFormat::BzImage);
    EXPECT_EQ(loaded.value().entry.mode, CpuMode::Long);
    EXPECT_EQ(loaded.value().entry.rip, 0x1000200u);
    EXPECT_EQ(loaded.value().entry.rsi, layout::kZeroPage);
    // The initrd at the top of RAM, page aligned, below initrd_addr_max.
    EXPECT_EQ(loaded.value().initrd_address, ((64ull << 20) - 10000) & ~0xfffull);
    EXPECT_EQ(peek<uint8_t>(m, loaded.value().initrd_address + 9999), 0x5a);

    const uint64_t zp = layout::kZeroPage;
    EXPECT_EQ(peek<uint32_t>(m, zp + 0x202), 0x53726448u);        // header copied
    EXPECT_EQ(peek<uint16_t>(m, zp + 0x206), 0x020fu);
    EXPECT_EQ(peek<uint8_t>(m, zp + 0x210), 0xffu);               // type_of_loader
    EXPECT_EQ(peek<uint32_t>(m, zp + 0x214), 0x1000000u);         // code32_start = where it went
    EXPECT_EQ(peek<uint32_t>(m, zp + 0x218), loaded.value().initrd_address);
    EXPECT_EQ(peek<uint32_t>(m, zp + 0x21c), 10000u);
    EXPECT_EQ(peek<uint32_t>(m, zp + 0x228), layout::kCmdline);
    EXPECT_EQ(peek<uint64_t>(m, zp + 0x070), layout::kAcpi);      // acpi_rsdp_addr (protocol 2.14+)
    EXPECT_EQ(peek<uint8_t>(m, zp + 0x1e8), 3u);                  // e820 entries
    EXPECT_EQ(peek<uint64_t>(m, zp + 0x2d0 + 2 * 20), 0x100000u);
    EXPECT_EQ(peek<uint64_t>(m, zp + 0x2d0 + 2 * 20 + 8), (64ull << 20) - 0x100000);
    EXPECT_EQ(peek<uint32_t>(m, zp + 0x2d0 + 2 * 20 + 16), E820_RAM);
    std::vector<uint8_t> cmdline(14);
    ASSERT_TRUE(m.read(layout::kCmdline, cmdline).ok());
    EXPECT_EQ(std::string(cmdline.begin(), cmdline.end()), std::string("console=ttyS0\0", 14));
    // The protected-mode kernel at its preferred address.
    EXPECT_EQ(peek<uint8_t>(m, 0x1000200), image[0x400 + 0x200]);
}

TEST(KvmBzImage, CommandLineAndInitrdLimits)
{
    const auto image = file(VIREO_KVM_LONG64_BZIMAGE);
    auto m = ram(32ull << 20);
    BootInputs in;
    in.kernel = image;
    in.kernel_name = "bz";
    in.cmdline = std::string(2048, 'x');  // cmdline_size is 2047
    auto loaded = load_kernel(m, in);
    ASSERT_FALSE(loaded.ok());
    EXPECT_NE(loaded.error().text().find("at most 2047"), std::string::npos) << loaded.error().text();

    std::vector<uint8_t> initrd(16ull << 20);  // does not fit between the kernel (17 MiB) and 32 MiB
    in.cmdline = "";
    in.initrd = initrd;
    in.initrd_name = "big.img";
    loaded = load_kernel(m, in);
    ASSERT_FALSE(loaded.ok());
    EXPECT_NE(loaded.error().text().find("big.img: an initrd of 16 MiB does not fit"), std::string::npos) << loaded.error().text();
}

// A hostile kernel file: random corruption of the header area never crashes the loader.
TEST(KvmBzImage, RandomCorruptionGivesErrorsNotCrashes)
{
    const auto good = file(VIREO_KVM_LONG64_BZIMAGE);
    std::mt19937 rng(12345);
    for (int round = 0; round < 3000; ++round) {
        auto image = good;
        const int flips = 1 + static_cast<int>(rng() % 8);
        for (int i = 0; i < flips; ++i)
            image[0x1f1 + rng() % 0x80] = static_cast<uint8_t>(rng());
        if (rng() % 4 == 0)
            image.resize(rng() % image.size());
        auto m = ram(32ull << 20);
        BootInputs in;
        in.kernel = image;
        in.kernel_name = "fuzz";
        in.cmdline = "x";
        (void)load_kernel(m, in);
    }
}

TEST(KvmElf, FindsThePvhNote)
{
    const auto pvh = file(VIREO_KVM_PVH32);
    auto info = parse_elf_kernel(pvh, "pvh");
    ASSERT_TRUE(info.ok()) << info.error().text();
    EXPECT_FALSE(info.value().is_64);
    EXPECT_TRUE(info.value().has_pvh);
    EXPECT_EQ(info.value().pvh_entry, 0x100000u);

    const auto elf64 = file(VIREO_KVM_LONG64_ELF);
    info = parse_elf_kernel(elf64, "long");
    ASSERT_TRUE(info.ok()) << info.error().text();
    EXPECT_TRUE(info.value().is_64);
    EXPECT_FALSE(info.value().has_pvh);
    EXPECT_EQ(info.value().entry, 0x1000200u);
    ASSERT_FALSE(info.value().loads.empty());
    EXPECT_EQ(info.value().loads[0].paddr, 0x1000000u);
}

TEST(KvmElf, PvhLoadWritesStartInfo)
{
    const auto pvh = file(VIREO_KVM_PVH32);
    auto m = ram();
    std::vector<uint8_t> initrd(5000, 1);
    BootInputs in;
    in.kernel = pvh;
    in.kernel_name = "pvh";
    in.initrd = initrd;
    in.cmdline = "hello";
    in.acpi_rsdp = layout::kAcpi;
    auto loaded = load_kernel(m, in);
    ASSERT_TRUE(loaded.ok()) << loaded.error().text();
    EXPECT_EQ(loaded.value().format, KernelFormat::ElfPvh);
    EXPECT_EQ(loaded.value().entry.mode, CpuMode::Protected);
    EXPECT_EQ(loaded.value().entry.rbx, layout::kStartInfo);
    const uint64_t si = layout::kStartInfo;
    EXPECT_EQ(peek<uint32_t>(m, si), 0x336ec578u);              // XEN_HVM_START_MAGIC_VALUE
    EXPECT_EQ(peek<uint32_t>(m, si + 4), 1u);                   // version
    EXPECT_EQ(peek<uint32_t>(m, si + 12), 1u);                  // nr_modules
    EXPECT_EQ(peek<uint64_t>(m, si + 24), layout::kCmdline);
    EXPECT_EQ(peek<uint64_t>(m, si + 32), layout::kAcpi);       // rsdp_paddr
    EXPECT_EQ(peek<uint32_t>(m, si + 48), 3u);                  // memmap entries
    const uint64_t mod = peek<uint64_t>(m, si + 16);
    EXPECT_EQ(peek<uint64_t>(m, mod), loaded.value().initrd_address);
    EXPECT_EQ(peek<uint64_t>(m, mod + 8), 5000u);
}

TEST(KvmElf, RefusesBadFiles)
{
    auto expect_error = [](std::vector<uint8_t> image, const char* text) {
        auto m = ram();
        BootInputs in;
        in.kernel = image;
        in.kernel_name = "k";
        auto loaded = load_kernel(m, in);
        ASSERT_FALSE(loaded.ok()) << text;
        EXPECT_NE(loaded.error().text().find(text), std::string::npos) << loaded.error().text();
    };
    const auto elf64 = file(VIREO_KVM_LONG64_ELF);
    auto machine = elf64;
    store_le<uint16_t>(&machine[18], 243);  // RISC-V
    expect_error(machine, "ELF machine 243 is not x86-64");
    auto phnum = elf64;
    store_le<uint16_t>(&phnum[56], 1000);
    expect_error(phnum, "bad program header table");
    auto phoff = elf64;
    store_le<uint64_t>(&phoff[32], 0xfffffffffffffff0ull);
    expect_error(phoff, "bad program header table");
    auto low = elf64;  // a segment below 1 MiB would overwrite the boot structures
    const uint64_t ph = load_le<uint64_t>(&low[32]);
    store_le<uint64_t>(&low[ph + 24], 0x7000);
    expect_error(low, "is not in RAM between 1 MiB");
    auto big = elf64;
    store_le<uint64_t>(&big[ph + 40], 1ull << 40);
    expect_error(big, "is not in RAM");

    // A 32-bit ELF without the PVH note has no entry protocol.
    auto pvh = file(VIREO_KVM_PVH32);
    for (size_t i = 0; i + 4 <= pvh.size(); ++i)
        if (std::memcmp(&pvh[i], "Xen", 4) == 0)
            pvh[i] = 'Y';
    expect_error(pvh, "without a PVH entry note");
}

TEST(KvmElf, RandomCorruptionGivesErrorsNotCrashes)
{
    std::mt19937 rng(777);
    for (const char* path : {VIREO_KVM_PVH32, VIREO_KVM_LONG64_ELF}) {
        const auto good = file(path);
        for (int round = 0; round < 3000; ++round) {
            auto image = good;
            const int flips = 1 + static_cast<int>(rng() % 8);
            for (int i = 0; i < flips; ++i)
                image[rng() % std::min<size_t>(image.size(), 0x200)] = static_cast<uint8_t>(rng());
            auto m = ram(32ull << 20);
            BootInputs in;
            in.kernel = image;
            in.kernel_name = "fuzz";
            (void)load_kernel(m, in);
        }
    }
}

TEST(KvmRaw, RefusesImagesOverTheBootArea)
{
    auto m = ram();
    std::vector<uint8_t> image(0x100, 0x90);
    RawImage raw{0x7000, 0x7000, CpuMode::Real};
    BootInputs in;
    in.kernel = image;
    in.kernel_name = "raw";
    in.raw = &raw;
    auto loaded = load_kernel(m, in);
    ASSERT_FALSE(loaded.ok());
    EXPECT_NE(loaded.error().text().find("overlaps the GDT, boot_params and page tables"), std::string::npos) << loaded.error().text();
    raw = RawImage{0x200000, 0x200000, CpuMode::Real};
    loaded = load_kernel(m, in);
    ASSERT_FALSE(loaded.ok());
    EXPECT_NE(loaded.error().text().find("below 1 MiB"), std::string::npos) << loaded.error().text();
    raw = RawImage{0x10000, 0x10000, CpuMode::Real};
    EXPECT_TRUE(load_kernel(m, in).ok());
}

TEST(KvmE820, ReservesTheBiosAreaAndMapsTheRest)
{
    const auto map = e820_map(256ull << 20);
    ASSERT_EQ(map.size(), 3u);
    EXPECT_EQ(map[0].addr, 0u);
    EXPECT_EQ(map[0].size, 0x9fc00u);
    EXPECT_EQ(map[0].type, E820_RAM);
    EXPECT_EQ(map[1].addr, 0x9fc00u);
    EXPECT_EQ(map[1].addr + map[1].size, 0x100000u);
    EXPECT_EQ(map[1].type, E820_RESERVED);
    EXPECT_EQ(map[2].addr + map[2].size, 256ull << 20);
}

TEST(KvmPaging, IdentityMapsFourGiBWithLargePages)
{
    auto m = ram();
    ASSERT_TRUE(write_boot_gdt_and_paging(m).ok());
    EXPECT_EQ(peek<uint64_t>(m, layout::kPml4), layout::kPdpt | 3);
    EXPECT_EQ(peek<uint64_t>(m, layout::kPdpt + 3 * 8), (layout::kPd + 3 * 0x1000) | 3);
    // The PD entry that maps 0xd0000000 (the virtio windows): PD 3, index 128.
    EXPECT_EQ(peek<uint64_t>(m, layout::kPd + 3 * 0x1000 + 128 * 8), 0xd0000000ull | 0x83);
    // GDT: 64-bit code at 0x10, flat data at 0x18 (boot.rst's __BOOT_CS and __BOOT_DS).
    EXPECT_EQ(peek<uint64_t>(m, layout::kGdt + 0x10), 0x00af9b000000ffffull);
    EXPECT_EQ(peek<uint64_t>(m, layout::kGdt + 0x18), 0x00cf93000000ffffull);
}

// ACPI 6.4 §5.2: every table sums to zero, the RSDP leads to the XSDT, which lists the FADT and
// MADT; the FADT points at the DSDT.
TEST(KvmAcpi, TablesAreWellFormed)
{
    std::vector<MmioDeviceInfo> devices;
    for (unsigned i = 0; i < 8; ++i)
        devices.push_back({0xd0000000 + i * 0x1000ull, 0x1000, 5 + i});
    const uint64_t base = layout::kAcpi;
    const auto t = build_acpi_tables(base, 4, devices);
    EXPECT_EQ(std::string(t.rsdp.begin(), t.rsdp.begin() + 8), "RSD PTR ");
    EXPECT_EQ(checksum(std::span(t.rsdp).first(20)), 0);
    EXPECT_EQ(checksum(t.rsdp), 0);
    for (const auto* table : {&t.xsdt, &t.fadt, &t.dsdt, &t.madt}) {
        EXPECT_EQ(checksum(*table), 0) << std::string(table->begin(), table->begin() + 4);
        EXPECT_EQ(load_le<uint32_t>(table->data() + 4), table->size());
    }
    EXPECT_EQ(load_le<uint64_t>(&t.rsdp[24]), base + 0x40);
    const uint64_t fadt = load_le<uint64_t>(&t.xsdt[36]);
    const uint64_t madt = load_le<uint64_t>(&t.xsdt[44]);
    EXPECT_GT(madt, fadt);
    EXPECT_EQ(std::string(t.fadt.begin(), t.fadt.begin() + 4), "FACP");
    EXPECT_EQ(t.fadt.size(), 276u);
    EXPECT_EQ(load_le<uint64_t>(&t.fadt[148]), load_le<uint32_t>(&t.fadt[40]));  // X_DSDT == DSDT
    EXPECT_TRUE(load_le<uint32_t>(&t.fadt[112]) & (1u << 20));                     // HW_REDUCED_ACPI
    EXPECT_EQ(t.fadt[244], 1);                                                     // sleep control: I/O
    EXPECT_EQ(load_le<uint64_t>(&t.fadt[248]), layout::kAcpiSleep);

    // MADT: 4 local APICs (IDs 0..3), the IOAPIC, the LAPIC NMI.
    size_t at = 44, lapics = 0, ioapics = 0;
    while (at + 2 <= t.madt.size()) {
        const uint8_t type = t.madt[at], length = t.madt[at + 1];
        ASSERT_GE(length, 2);
        if (type == 0) {
            EXPECT_EQ(t.madt[at + 3], lapics);
            ++lapics;
        }
        if (type == 1) {
            EXPECT_EQ(load_le<uint32_t>(&t.madt[at + 4]), layout::kIoapic);
            ++ioapics;
        }
        at += length;
    }
    EXPECT_EQ(at, t.madt.size());
    EXPECT_EQ(lapics, 4u);
    EXPECT_EQ(ioapics, 1u);

    // DSDT: one LNRO0005 device per virtio slot, then \_S5.
    const std::string dsdt(t.dsdt.begin(), t.dsdt.end());
    size_t count = 0;
    for (size_t p = dsdt.find("LNRO0005"); p != std::string::npos; p = dsdt.find("LNRO0005", p + 1))
        ++count;
    EXPECT_EQ(count, 8u);
    EXPECT_NE(dsdt.find("_S5_"), std::string::npos);
    // The \_SB scope's PkgLength (two bytes here: more than 63) spans exactly up to the _S5 name.
    ASSERT_EQ(t.dsdt[36], 0x10);
    const uint8_t lead = t.dsdt[37];
    ASSERT_EQ(lead >> 6, 1) << "expected a two-byte PkgLength";
    const size_t length = (lead & 0xf) | (static_cast<size_t>(t.dsdt[38]) << 4);
    EXPECT_EQ(37 + length, dsdt.find("_S5_") - 1);
}

TEST(KvmMpTable, ChecksumsAndEntries)
{
    const auto t = build_mp_table(layout::kMpTable, 3);
    EXPECT_EQ(std::string(t.begin(), t.begin() + 4), "_MP_");
    EXPECT_EQ(checksum(std::span(t).first(16)), 0);
    EXPECT_EQ(load_le<uint32_t>(&t[4]), layout::kMpTable + 16);
    EXPECT_EQ(std::string(t.begin() + 16, t.begin() + 20), "PCMP");
    const uint16_t length = load_le<uint16_t>(&t[16 + 4]);
    EXPECT_EQ(16u + length, t.size());
    EXPECT_EQ(checksum(std::span(t).subspan(16)), 0);
    EXPECT_EQ(load_le<uint16_t>(&t[16 + 34]), 3 + 1 + 1 + 24 + 2);  // CPUs, bus, IOAPIC, pins, LINTs
    EXPECT_EQ(t[16 + 44 + 3], 3);  // the first processor is enabled and the BSP
    auto m = ram();
    ASSERT_TRUE(write_mp_table(m, layout::kMaxCpus).ok());
}

TEST(KvmCpuid, HypervisorBitAndTopology)
{
    std::vector<kvm_cpuid_entry2> supported(4);
    supported[0].function = 1;
    supported[0].ebx = 0x00000800;
    supported[1].function = 0xb;
    supported[1].index = 0;
    supported[2].function = 0xb;
    supported[2].index = 1;
    supported[3].function = 0x40000000;
    supported[3].ebx = 0x4b4d564b;
    const auto cpuid = vcpu_cpuid(supported, 2, 4);
    EXPECT_TRUE(cpuid[0].ecx & (1u << 31));
    EXPECT_EQ(cpuid[0].ebx >> 24, 2u);            // initial APIC ID
    EXPECT_EQ((cpuid[0].ebx >> 16) & 0xff, 4u);   // logical processors
    EXPECT_TRUE(cpuid[0].edx & (1u << 28));       // HTT
    EXPECT_EQ(cpuid[1].edx, 2u);                  // x2APIC ID
    EXPECT_EQ(cpuid[2].ebx, 4u);
    EXPECT_EQ(cpuid[2].eax, 2u);                  // 2 bits of APIC ID for 4 CPUs
    EXPECT_EQ(cpuid[3].ebx, 0x4b4d564bu);         // KVM's leaves pass through
    EXPECT_FALSE(vcpu_cpuid(supported, 0, 1)[0].edx & (1u << 28));
}

TEST(KvmPio, BusChecksPortsAndSizes)
{
    struct Probe final : bus::MmioDevice {
        unsigned reads = 0, writes = 0;
        bool read(uint64_t, unsigned, uint64_t& value) override { value = 0x12; ++reads; return true; }
        bool write(uint64_t, unsigned, uint64_t) override { ++writes; return true; }
    } probe, top;
    PioBus bus;
    ASSERT_TRUE(bus.map(0x3f8, 8, probe, "probe").ok());
    ASSERT_TRUE(bus.map(0xfffc, 4, top, "top").ok());
    EXPECT_FALSE(bus.map(0xfffe, 4, probe, "wraps").ok());
    EXPECT_FALSE(bus.map(0x3fc, 2, probe, "overlap").ok());
    uint64_t value = 0;
    EXPECT_TRUE(bus.read(0x3f8, 1, value));
    EXPECT_EQ(value, 0x12u);
    EXPECT_FALSE(bus.read(0x3f8, 3, value));       // sizes are 1, 2, 4
    EXPECT_FALSE(bus.read(0x3ff, 2, value));       // straddles the end of the device
    EXPECT_FALSE(bus.read(0xffff, 4, value));      // leaves the port space
    EXPECT_FALSE(bus.write(0x1'0000, 1, 0));
    EXPECT_FALSE(bus.read(0x80, 1, value));        // nothing there
    EXPECT_TRUE(bus.read(0xfffc, 4, value));
    EXPECT_EQ(probe.reads, 1u);
}

TEST(KvmI8042, ResetCommandOnlyOnTheCommandPort)
{
    int resets = 0;
    I8042 kbd([&] { ++resets; });
    EXPECT_TRUE(kbd.write(0, 1, 0xfe));   // data port: not a command
    EXPECT_TRUE(kbd.write(4, 2, 0xfe));   // wrong size
    EXPECT_EQ(resets, 0);
    uint64_t value = 0;
    EXPECT_TRUE(kbd.write(4, 1, I8042::CMD_READ_CTR));
    EXPECT_TRUE(kbd.read(4, 1, value));
    EXPECT_EQ(value & 1, 1u);             // output buffer full
    EXPECT_TRUE(kbd.read(0, 1, value));
    EXPECT_EQ(value, 0x01u);
    EXPECT_TRUE(kbd.write(4, 1, I8042::CMD_WRITE_CTR));
    EXPECT_TRUE(kbd.write(0, 1, 0x45));
    EXPECT_TRUE(kbd.write(4, 1, I8042::CMD_READ_CTR));
    EXPECT_TRUE(kbd.read(0, 1, value));
    EXPECT_EQ(value, 0x45u);
    EXPECT_TRUE(kbd.write(4, 1, I8042::CMD_RESET_CPU));
    EXPECT_EQ(resets, 1);
}

TEST(KvmAcpiSleep, OnlyS5WithSlpEnPowersOff)
{
    int offs = 0;
    AcpiSleep sleep([&] { ++offs; });
    EXPECT_TRUE(sleep.write(0, 1, kSleepTypeS5 << 2));           // SLP_EN clear
    EXPECT_TRUE(sleep.write(0, 1, (3 << 2) | SLP_EN));           // S3
    EXPECT_TRUE(sleep.write(1, 1, (kSleepTypeS5 << 2) | SLP_EN)); // the status register
    EXPECT_TRUE(sleep.write(0, 2, (kSleepTypeS5 << 2) | SLP_EN)); // wrong size
    EXPECT_EQ(offs, 0);
    EXPECT_TRUE(sleep.write(0, 1, (kSleepTypeS5 << 2) | SLP_EN));
    EXPECT_EQ(offs, 1);
}
